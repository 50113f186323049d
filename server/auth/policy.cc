#include "server/auth/policy.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"

namespace sprout::auth {
namespace {

constexpr unsigned kR = 1u << static_cast<int>(Role::kReferrer);
constexpr unsigned kL = 1u << static_cast<int>(Role::kLinkWorker);
constexpr unsigned kA = 1u << static_cast<int>(Role::kAdmin);
constexpr unsigned kEveryone = kR | kL | kA;

// The policy table: which roles may call each method. Every RPC of every
// service has a row (the authorization matrix test checks it against the
// services' descriptors); a method without one is refused to everybody.
const std::vector<MethodPolicy>& Table() {
  static const auto* const table = new std::vector<MethodPolicy>{
      // ReferralService: referrers send and follow; admins may look.
      {"SubmitReferral", kR},
      {"ValidateReferral", kR | kA},
      {"GetReferral", kEveryone},
      {"ListReferrals", kR | kA},
      {"WithdrawReferral", kR | kA},
      {"WatchReferral", kR | kA},
      // QueueService: link workers work their queues; admins run triage.
      {"ListQueueItems", kL | kA},
      {"WatchQueue", kL | kA},
      {"ClaimReferral", kL | kA},
      {"AcceptReferral", kL | kA},
      {"DeclineReferral", kL | kA},
      {"ReturnToTriage", kL | kA},
      {"ReassignReferral", kL | kA},
      {"RecordContact", kL},
      {"CloseReferral", kL | kA},
      {"ResolveCodingReview", kL | kA},
      {"GetCaseload", kL | kA},
      // TerminologyService: reference data, open to every role.
      {"GetConcept", kEveryone},
      {"Subsumes", kEveryone},
      {"ExpandEcl", kEveryone},
      {"SearchConcepts", kEveryone},
      {"ValidateCode", kEveryone},
      {"TranslateCode", kEveryone},
      {"GetRelease", kEveryone},
      // AdminService.
      {"QueryRoutingLog", kA},
      {"GetRoutingDecision", kA},
      {"GetStats", kA},
      {"ListPcns", kL | kA},
      {"ListLinkWorkers", kL | kA},
      {"ReloadDirectory", kA},
      {"ReloadTerminology", kA},
      {"VerifyAuditLog", kA},
      {"ListAuditRecords", kA},
      {"ListOverdueItems", kA},
      {"ReencryptPatientData", kA},
      {"ListOutboxMessages", kA},
      {"RedeliverOutboxMessage", kA},
      {"ListCodingProposals", kA},
      {"AcceptCodingProposal", kA},
  };
  return *table;
}

const absl::flat_hash_map<absl::string_view, unsigned>& RolesByMethod() {
  static const auto* const roles = [] {
    auto* map = new absl::flat_hash_map<absl::string_view, unsigned>();
    for (const MethodPolicy& row : Table()) map->emplace(row.method, row.roles);
    return map;
  }();
  return *roles;
}

absl::Status Denied(const Principal& principal, absl::string_view what) {
  return ErrorWithInfo(absl::StatusCode::kPermissionDenied, "PERMISSION_DENIED",
                       absl::StrCat("role ", RoleName(principal.role), " of ",
                                    principal.organisation_code, " may not ", what),
                       {{"organisation", principal.organisation_code},
                        {"role", std::string(RoleName(principal.role))}});
}

}  // namespace

const std::vector<MethodPolicy>& MethodPolicies() { return Table(); }

bool RoleMayCall(Role role, absl::string_view method) {
  auto it = RolesByMethod().find(method);
  return it != RolesByMethod().end() && (it->second & (1u << static_cast<int>(role))) != 0;
}

absl::Status AuthorizeMethod(const Principal& principal, absl::string_view method) {
  if (!RoleMayCall(principal.role, method)) {
    return Denied(principal, absl::StrCat("call ", method));
  }
  return absl::OkStatus();
}

absl::Status AuthorizeReferralRead(const Principal& principal,
                                   absl::string_view referral_organisation) {
  if (principal.role == Role::kAdmin) return absl::OkStatus();
  if (principal.role == Role::kReferrer && principal.organisation_code == referral_organisation) {
    return absl::OkStatus();
  }
  return Denied(principal, "read another organisation's referral");
}

absl::Status AuthorizeQueue(const Principal& principal, absl::string_view queue) {
  if (principal.role == Role::kAdmin) return absl::OkStatus();
  if (principal.role == Role::kLinkWorker) {
    const std::string own = absl::StrCat("pcns/", principal.organisation_code);
    if (queue == own || absl::StartsWith(queue, absl::StrCat(own, "/"))) return absl::OkStatus();
  }
  return Denied(principal, absl::StrCat("read queue ", queue));
}

}  // namespace sprout::auth
