#include "server/auth/policy.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"

namespace sprout::auth {
namespace {

enum RoleBits : unsigned { kR = 1, kL = 2, kA = 4 };

unsigned Bit(Role role) {
  switch (role) {
    case Role::kReferrer:
      return kR;
    case Role::kLinkWorker:
      return kL;
    case Role::kAdmin:
      return kA;
  }
  return 0;
}

const absl::flat_hash_map<absl::string_view, unsigned>& MethodRoles() {
  static const auto* const roles = new absl::flat_hash_map<absl::string_view, unsigned>{
      // ReferralService: referrers send and follow; admins may look.
      {"SubmitReferral", kR},
      {"ValidateReferral", kR | kA},
      {"GetReferral", kR | kL | kA},
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
      {"GetConcept", kR | kL | kA},
      {"Subsumes", kR | kL | kA},
      {"ExpandEcl", kR | kL | kA},
      {"SearchConcepts", kR | kL | kA},
      {"ValidateCode", kR | kL | kA},
      {"TranslateCode", kR | kL | kA},
      {"GetRelease", kR | kL | kA},
      // AdminService.
      {"QueryRoutingLog", kA},
      {"GetRoutingDecision", kA},
      {"GetStats", kA},
      {"ListPcns", kL | kA},
      {"ListLinkWorkers", kL | kA},
      {"ReloadDirectory", kA},
      {"VerifyAuditLog", kA},
      {"ListAuditRecords", kA},
      {"ListOverdueItems", kA},
      {"ReencryptPatientData", kA},
  };
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

absl::Status AuthorizeMethod(const Principal& principal, absl::string_view method) {
  auto it = MethodRoles().find(method);
  if (it == MethodRoles().end() || (it->second & Bit(principal.role)) == 0) {
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
