// Step 4 of routing: capacity and fairness among a PCN's link workers.
#ifndef SPROUT_SERVER_ROUTING_LINK_WORKER_SELECTOR_H_
#define SPROUT_SERVER_ROUTING_LINK_WORKER_SELECTOR_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "server/routing/caseload.h"
#include "server/routing/directory.h"
#include "server/routing/routing_types.h"

namespace sprout::routing {

// A soft preference from the deciding rule: preferred workers are tried first.
struct Preference {
  std::string description;  // e.g. "specialism 'debt'"; empty = no preference.
  std::function<bool(const LinkWorker&)> applies;
};

struct Selection {
  const LinkWorker* winner = nullptr;  // Null: nobody eligible (PCN pool).
  std::vector<Candidate> candidates;   // Every worker of the PCN, by id.
  std::vector<ExplanationStep> steps;  // kind "capacity" and "fairness".
  std::string summary;
};

// SelectLinkWorker()
//
// Excludes the PCN's link workers who are unavailable on the referral date, do
// not work with the person's age, or have reached the annual or open caseload
// cap; prefers `preference` then speakers of the request's language, spilling
// over to colleagues when none is eligible; then picks the least loaded by
// accepted/annual cap (compared exactly), then open/open cap, then id. Returns
// the caseload view's error, if any.
absl::StatusOr<Selection> SelectLinkWorker(const Directory& directory, const Pcn& pcn,
                                           const RoutingRequest& request,
                                           const Preference& preference,
                                           const CaseloadView& caseload);

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_LINK_WORKER_SELECTOR_H_
