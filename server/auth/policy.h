// Authorization: may this principal call this method on this resource?
#ifndef SPROUT_SERVER_AUTH_POLICY_H_
#define SPROUT_SERVER_AUTH_POLICY_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/auth/principal.h"

namespace sprout::auth {

// Which roles may call a method, keyed by the RPC's short name
// ("SubmitReferral"). Per-resource checks (a referrer reads only its own
// organisation's referrals, a link worker only its PCN's queues) are made by
// the handlers with the helpers below, once the resource is known.
//
// Returns OK, or PERMISSION_DENIED naming the method and the role.
absl::Status AuthorizeMethod(const Principal& principal, absl::string_view method);

// One row of the method policy table.
struct MethodPolicy {
  absl::string_view method;  // the RPC's short name
  unsigned roles;            // bit (1 << Role) for each role that may call it
};

// The whole table, in the services' order: what AuthorizeMethod enforces.
const std::vector<MethodPolicy>& MethodPolicies();

// Whether `role` may call `method` at all (before per-resource checks).
bool RoleMayCall(Role role, absl::string_view method);

// A referrer may read referrals its organisation sent; admins may read any.
absl::Status AuthorizeReferralRead(const Principal& principal,
                                   absl::string_view referral_organisation);

// A link worker may work queues of its own PCN ("pcns/{pcn}..."); admins any.
// Triage queues are for admins (PCN triage teams) only.
absl::Status AuthorizeQueue(const Principal& principal, absl::string_view queue);

}  // namespace sprout::auth

#endif  // SPROUT_SERVER_AUTH_POLICY_H_
