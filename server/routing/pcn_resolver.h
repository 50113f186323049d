// Step 1 of routing: which PCN, if any, a referral belongs to, and which
// Sub-ICB triage queue takes it when it cannot be placed.
#ifndef SPROUT_SERVER_ROUTING_PCN_RESOLVER_H_
#define SPROUT_SERVER_ROUTING_PCN_RESOLVER_H_

#include <string>
#include <vector>

#include "server/routing/directory.h"
#include "server/routing/routing_types.h"

namespace sprout::routing {

struct PcnResolution {
  ResolutionMethod method = ResolutionMethod::kNone;
  const Pcn* pcn = nullptr;  // Null when method is kNone.
  // The triage queue (Sub-ICB Location code) for this referral: the PCN's, else
  // the practice's, else the referrer's, else `default_triage`.
  std::string triage_sicbl;
  std::vector<ExplanationStep> steps;  // kind "pcn" and "triage".
  std::vector<RoutingWarning> warnings;
};

// ResolvePcn()
//
// Practice as at the referral date first (relationship dates inclusive), then
// postcode sector, then district; pseudo-postcodes (ZZ99 ...) have no
// geography. Records one step per source tried. Pure; thread-safe.
PcnResolution ResolvePcn(const Directory& directory, const RoutingRequest& request,
                         const std::string& default_triage);

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_PCN_RESOLVER_H_
