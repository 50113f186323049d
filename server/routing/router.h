// File: server/routing/router.h
//
// The router: decides which PCN and which link worker queue takes a referral,
// and records why.
//
//  1. PCN: the registered practice's PCN as at the referral date (ePCN core
//     partner rows), else the postcode's sector then district coverage, else no
//     PCN (the referral goes to a Sub-ICB triage queue: that of the practice if
//     known, else the referrer's, else the policy default).
//  2. Continuity: an open episode for the same person keeps its link worker (if
//     still in the directory and available; caps are not re-checked for it).
//  3. Rules: every rule is evaluated in order; the first that matches decides
//     (prefer a specialism, a named link worker, another PCN, or triage) and may
//     raise the referral to urgent.
//  4. Capacity and fairness: link workers of the PCN who are unavailable, do
//     not work with the person's age, or have reached their annual or open
//     caseload cap are excluded. The rule's preferred workers are tried first,
//     then colleagues; among them speakers of the preferred language first.
//     The winner is the least loaded by (accepted this year + waiting) /
//     annual cap, then (open caseload + waiting) / open cap, then id
//     (deterministic): referrals waiting on a worker's queue rank as load
//     but never count against a cap, which only what was accepted fills.
//     Nobody eligible: the PCN pool.
//
// Every step, rule and candidate is recorded in the decision's Explanation,
// with the directory version and terminology release.
//
//   SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<Router> router,
//                           Router::CreateForDirectory(directory, policy));
//   SPROUT_ASSIGN_OR_RETURN(RoutingDecision d, router->Route(request, caseload));
//
// A router never changes its directory or policy: a reload makes a new
// RoutingConfig (routing_config.h) and swaps it whole.
#ifndef SPROUT_SERVER_ROUTING_ROUTER_H_
#define SPROUT_SERVER_ROUTING_ROUTER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/routing/caseload.h"
#include "server/routing/directory.h"
#include "server/routing/routing_policy.h"
#include "server/routing/routing_types.h"

namespace sprout::routing {

// A Router is immutable and thread-safe.
class Router {
 public:
  // CreateForDirectory()
  //
  // A router bound to one directory for its whole life, as a RoutingConfig
  // needs (its directory and policy are replaced together, never apart).
  // INVALID_ARGUMENT if either argument is null, or if `policy` names something
  // `directory` lacks (RoutingPolicy::ValidateAgainst).
  static absl::StatusOr<std::unique_ptr<Router>> CreateForDirectory(
      std::shared_ptr<const Directory> directory, std::shared_ptr<const RoutingPolicy> policy);

  // Route()
  //
  // Decides where `request` goes. Never fails for lack of a PCN or capacity
  // (those are outcomes: triage, PCN pool); returns the view's error if
  // `caseload` fails.
  absl::StatusOr<RoutingDecision> Route(const RoutingRequest& request,
                                        const CaseloadView& caseload) const;

  const RoutingPolicy& policy() const { return *policy_; }

 private:
  Router(std::shared_ptr<const Directory> directory, std::shared_ptr<const RoutingPolicy> policy)
      : directory_(std::move(directory)), policy_(std::move(policy)) {}

  const std::shared_ptr<const Directory> directory_;
  const std::shared_ptr<const RoutingPolicy> policy_;
};

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_ROUTER_H_
