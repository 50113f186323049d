// File: server/pipeline/referral_read.h
//
// Reading one referral for a caller, the same through every front door
// (gRPC GetReferral and WatchReferral, FHIR GET ServiceRequest and Task):
// who may read it, the one answer for a referral that is missing or not
// theirs, what of it they see, and the audit record of the read.
#ifndef SPROUT_SERVER_PIPELINE_REFERRAL_READ_H_
#define SPROUT_SERVER_PIPELINE_REFERRAL_READ_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/audit/audit_record.h"
#include "server/auth/principal.h"
#include "server/store/store.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::pipeline {

// Whether `caller` may read `referral` at all: its referring organisation, a
// link worker of the PCN it was routed to, an administrator.
bool MayRead(const auth::Principal& caller, const sprout::v1::Referral& referral);

// The one answer for a referral that is missing or that the caller may not
// read or act on: the same code, message and details either way, so a
// refusal tells nobody that the referral exists.
absl::Status ReferralNotFound(absl::string_view name);

// The audit record of `caller` doing `method` on `resource` with `outcome`
// (OK or the refusal) at `now`.
audit::AuditEvent AuditEventFor(const auth::Principal& caller, absl::string_view method,
                                absl::string_view resource, const absl::Status& outcome,
                                absl::Time now);

struct ReferralRead {
  absl::StatusOr<sprout::v1::Referral> referral;
  // To be appended (durably) before the answer leaves, found or not.
  audit::AuditEvent audit;
};

// Reads referral `id` (named `name`, "referrals/{id}") for `caller` as
// `method`. Found and readable: the referral as the caller may see it
// (pseudonymised when `pseudonymise`; minimised for referrers). Missing or not
// readable: ReferralNotFound(name). Other store errors as they are.
ReferralRead ReadReferralFor(store::Store& store, absl::Time now, const auth::Principal& caller,
                             absl::string_view method, absl::string_view name, absl::string_view id,
                             bool pseudonymise);

}  // namespace sprout::pipeline

#endif  // SPROUT_SERVER_PIPELINE_REFERRAL_READ_H_
