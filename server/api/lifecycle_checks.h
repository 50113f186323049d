// File: server/api/lifecycle_checks.h
//
// The checks a lifecycle request's fields get before any store read: lengths
// of free text, concepts against the loaded release (and the reason binding
// for a coding review), a contact's time and duration, wellbeing ranges.
// Each returns INVALID_ARGUMENT with a BadRequest naming every bad field by
// its path in the request, or fills the step.
#ifndef SPROUT_SERVER_API_LIFECYCLE_CHECKS_H_
#define SPROUT_SERVER_API_LIFECYCLE_CHECKS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/intake/coder.h"
#include "server/lifecycle/lifecycle.h"
#include "sprout/v1/queue_service.pb.h"
#include "sprout/v1/referral_service.pb.h"

namespace sprout::api {

// Free text giving a reason: at most 500 characters; `required` → not blank.
inline constexpr size_t kMaxReasonText = 500;
inline constexpr size_t kMaxContactNotes = 4000;
inline constexpr size_t kMaxOutcomeSummary = 1000;
inline constexpr size_t kMaxRequestId = 64;
// A contact may not last longer than this.
inline constexpr absl::Duration kMaxContactDuration = absl::Hours(12);
// Clocks differ: a contact up to this far in the future is taken as now-ish.
inline constexpr absl::Duration kClockSkew = absl::Minutes(5);

// Fills step.declined_by, decline_code and reason from `request`.
absl::Status CheckDecline(const sprout::v1::DeclineReferralRequest& request,
                          const intake::ReasonCoder& coder, lifecycle::Step& step);

// Fills step.reason.
absl::Status CheckReturnToTriage(const sprout::v1::ReturnToTriageRequest& request,
                                 lifecycle::Step& step);

// Fills step.contact (type, time, duration, notes, wellbeing).
absl::Status CheckContact(const sprout::v1::RecordContactRequest& request, lifecycle::Step& step);

// Fills step.outcome (codes with their preferred terms, summary) and
// step.wellbeing.
absl::Status CheckClose(const sprout::v1::CloseReferralRequest& request,
                        const intake::ReasonCoder& coder, lifecycle::Step& step);

// Fills step.reason_index and step.chosen: the code must be an active
// concept inside the reason binding.
absl::Status CheckCodingReview(const sprout::v1::ResolveCodingReviewRequest& request,
                               const intake::ReasonCoder& coder, lifecycle::Step& step);

// Fills step.reason.
absl::Status CheckWithdraw(const sprout::v1::WithdrawReferralRequest& request,
                           lifecycle::Step& step);

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_LIFECYCLE_CHECKS_H_
