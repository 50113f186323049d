// File: server/intake/violations.h
//
// Field violations and the INVALID_ARGUMENT Status that carries them. Domain
// code reports bad input as a list of FieldViolation; InvalidReferralError()
// turns the list into one absl::Status with the google.rpc rich error payloads
// that the server's single absl -> grpc conversion copies into the
// grpc-status-details-bin trailer (DESIGN.md §4):
//
//   std::vector<FieldViolation> v = ValidateReferral(referral, context);
//   if (!v.empty()) return InvalidReferralError(v);
//
//   // Reading it back (server adapter, tests):
//   std::optional<google::rpc::BadRequest> br = GetBadRequest(status);
//   std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(status);
//
// Descriptions never contain patient-identifiable values.
#ifndef SPROUT_SERVER_INTAKE_VIOLATIONS_H_
#define SPROUT_SERVER_INTAKE_VIOLATIONS_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/rpc/error_details.pb.h"

namespace sprout::intake {

// Payload type URLs (the Any type URLs of the detail messages).
inline constexpr absl::string_view kBadRequestTypeUrl = "type.googleapis.com/google.rpc.BadRequest";
inline constexpr absl::string_view kErrorInfoTypeUrl = "type.googleapis.com/google.rpc.ErrorInfo";

// ErrorInfo domain and reasons.
inline constexpr absl::string_view kErrorDomain = "sprout";
inline constexpr absl::string_view kInvalidReferralReason = "INVALID_REFERRAL";
inline constexpr absl::string_view kUnknownLocalCodeReason = "UNKNOWN_LOCAL_CODE";

// One broken rule: where, and a sentence saying what is wrong and how to fix it.
struct FieldViolation {
  // Path from the request, e.g. "referral.patient.nhs_number",
  // "referral.reasons[2].snomed_code".
  std::string field;
  // "the NHS number's check digit is wrong; check the number against the
  // patient record". Never contains the patient's data.
  std::string description;
  // Set only when the violation is an unknown local code: the code system and
  // code (agency vocabulary, not patient data), copied to ErrorInfo metadata.
  std::string local_system;
  std::string local_code;

  bool operator==(const FieldViolation& o) const {
    return field == o.field && description == o.description;
  }
};
std::ostream& operator<<(std::ostream& os, const FieldViolation& v);

// InvalidReferralError()
//
// REQUIRES: !violations.empty().
// Returns INVALID_ARGUMENT with message "referral is invalid: N problem(s);
// first: <field>: <description>" and two payloads:
//  - kBadRequestTypeUrl: google.rpc.BadRequest with every violation, in order;
//  - kErrorInfoTypeUrl: google.rpc.ErrorInfo, domain "sprout", reason
//    UNKNOWN_LOCAL_CODE with metadata {"system", "code"} (of the first) when
//    every violation is an unknown local code, else INVALID_REFERRAL with
//    metadata {"violations": N}.
absl::Status InvalidReferralError(absl::Span<const FieldViolation> violations);

// GetBadRequest() / GetErrorInfo()
//
// The payload parsed back from a Status, or nullopt if absent or unparsable.
std::optional<google::rpc::BadRequest> GetBadRequest(const absl::Status& status);
std::optional<google::rpc::ErrorInfo> GetErrorInfo(const absl::Status& status);

// ViolationsOf()
//
// The violations carried by a Status made by InvalidReferralError() (field and
// description only); empty if there are none.
std::vector<FieldViolation> ViolationsOf(const absl::Status& status);

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_VIOLATIONS_H_
