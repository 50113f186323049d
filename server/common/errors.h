// File: server/common/errors.h
//
// Domain errors with structured details. Domain code returns absl::Status; the
// google.rpc detail messages ride along as Status payloads keyed by their type
// URL, and api/grpc_status.h turns them into the grpc-status-details-bin
// trailer in one place. No gRPC headers here.
//
//   return ErrorWithInfo(absl::StatusCode::kNotFound, "REFERRAL_NOT_FOUND",
//                        "referrals/abc does not exist", {{"referral", "referrals/abc"}});
#ifndef SPROUT_SERVER_COMMON_ERRORS_H_
#define SPROUT_SERVER_COMMON_ERRORS_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sprout {

// The ErrorInfo domain of every Sprout error.
inline constexpr absl::string_view kErrorDomain = "sprout";

// Type URLs under which detail messages are attached as payloads.
inline constexpr absl::string_view kErrorInfoTypeUrl = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr absl::string_view kBadRequestTypeUrl = "type.googleapis.com/google.rpc.BadRequest";
inline constexpr absl::string_view kPreconditionFailureTypeUrl =
    "type.googleapis.com/google.rpc.PreconditionFailure";
inline constexpr absl::string_view kRetryInfoTypeUrl = "type.googleapis.com/google.rpc.RetryInfo";
inline constexpr absl::string_view kResourceInfoTypeUrl =
    "type.googleapis.com/google.rpc.ResourceInfo";

// Returns a non-OK status of `code` carrying an ErrorInfo {reason, domain
// "sprout", metadata}. REQUIRES: code != kOk. `message` and `metadata` must not
// contain patient-identifiable data.
absl::Status ErrorWithInfo(absl::StatusCode code, absl::string_view reason,
                           absl::string_view message,
                           const std::map<std::string, std::string>& metadata = {});

// Attaches (replacing any) an ErrorInfo payload to a non-OK `status`.
void SetErrorInfo(absl::Status& status, absl::string_view reason,
                  const std::map<std::string, std::string>& metadata = {});

// One violated field: the path in the request ("referral.patient.nhs_number")
// and a sentence saying what is wrong and how to fix it.
struct FieldViolation {
  std::string field;
  std::string description;
};

// INVALID_ARGUMENT with a BadRequest listing every violation and an ErrorInfo
// with `reason`. The message summarises: "3 fields are invalid: a, b, c".
// REQUIRES: !violations.empty().
absl::Status InvalidArgumentWithViolations(const std::vector<FieldViolation>& violations,
                                           absl::string_view reason = "INVALID_ARGUMENT");

// FAILED_PRECONDITION with a PreconditionFailure {type, subject, description}.
absl::Status FailedPreconditionWithViolation(absl::string_view reason, absl::string_view type,
                                             absl::string_view subject,
                                             absl::string_view description);

// WithMessage()
//
// `status` (its code and every payload) with `message` instead of its own.
absl::Status WithMessage(const absl::Status& status, absl::string_view message);

// RESOURCE_EXHAUSTED with a RetryInfo telling the client when to retry.
absl::Status ResourceExhaustedWithRetry(absl::string_view reason, absl::string_view message,
                                        absl::Duration retry_after);

// The field violations carried by `status`, if any (for tests and the CLI).
std::vector<FieldViolation> ViolationsOf(const absl::Status& status);

// The ErrorInfo reason carried by `status`, or "" if none.
std::string ErrorReasonOf(const absl::Status& status);

}  // namespace sprout

#endif  // SPROUT_SERVER_COMMON_ERRORS_H_
