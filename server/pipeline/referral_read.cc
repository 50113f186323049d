#include "server/pipeline/referral_read.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/auth/need_to_know.h"
#include "server/auth/policy.h"
#include "server/common/errors.h"

namespace sprout::pipeline {

bool MayRead(const auth::Principal& caller, const sprout::v1::Referral& referral) {
  const absl::Status allowed =
      caller.role == auth::Role::kLinkWorker
          ? auth::AuthorizeQueue(caller, referral.route().pcn())  // "pcns/{code}"
          : auth::AuthorizeReferralRead(caller, referral.referrer().organisation_code());
  return allowed.ok();
}

absl::Status ReferralNotFound(absl::string_view name) {
  return ErrorWithInfo(absl::StatusCode::kNotFound, "REFERRAL_NOT_FOUND",
                       absl::StrCat(name, " was not found among the referrals you may read"),
                       {{"resource", std::string(name)}});
}

audit::AuditEvent AuditEventFor(const auth::Principal& caller, absl::string_view method,
                                absl::string_view resource, const absl::Status& outcome,
                                absl::Time now) {
  audit::AuditEvent event;
  event.actor_organisation = caller.organisation_code;
  event.actor_role = std::string(auth::RoleName(caller.role));
  event.actor_link_worker = caller.link_worker_id;
  event.action = std::string(method);
  event.resource = std::string(resource);
  event.outcome = outcome.ok() ? "OK" : absl::StatusCodeToString(outcome.code());
  event.time = now;
  return event;
}

ReferralRead ReadReferralFor(store::Store& store, absl::Time now, const auth::Principal& caller,
                             absl::string_view method, absl::string_view name, absl::string_view id,
                             bool pseudonymise) {
  absl::StatusOr<sprout::v1::Referral> referral = store.GetReferral(id);
  absl::Status outcome = referral.status();
  if (referral.ok()) {
    // A referral the caller may not read is answered exactly as one that
    // does not exist, so the answer tells nobody it exists.
    if (!MayRead(caller, *referral)) outcome = ReferralNotFound(name);
  } else if (outcome.code() == absl::StatusCode::kNotFound) {
    outcome = ReferralNotFound(name);
  }
  ReferralRead read;
  read.audit = AuditEventFor(caller, method, name, outcome, now);
  if (!outcome.ok()) {
    read.referral = outcome;
    return read;
  }
  read.audit.returned.push_back(std::string(name));
  if (pseudonymise) auth::Pseudonymise(*referral);
  if (caller.role == auth::Role::kReferrer) auth::MinimiseForReferrer(*referral);
  read.referral = std::move(referral);
  return read;
}

}  // namespace sprout::pipeline
