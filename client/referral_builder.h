// File: client/referral_builder.h
//
// Building a SubmitReferralRequest from what a person types (sproutctl's
// `referral submit` flags) or from a protobuf-JSON file. Pure functions: no
// I/O except ReadReferralJsonFile, no network. They check only what they need
// to build the request (STYLE.md E8): whether the NHS number's check digit is
// right, or a SNOMED code exists, is the server's business.
//
//   ReferralFlags flags;
//   flags.nhs_number = "943 476 5919";
//   flags.source = "gp";
//   flags.reasons = {"267076002", "police-vulnerability:PV03", "text:lonely since bereavement"};
//   absl::StatusOr<v1::SubmitReferralRequest> req = BuildSubmitRequest(flags, NewRequestId());
#ifndef SPROUT_CLIENT_REFERRAL_BUILDER_H_
#define SPROUT_CLIENT_REFERRAL_BUILDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sprout/v1/referral.pb.h"
#include "sprout/v1/referral_service.pb.h"

namespace sprout::client {

// The common referral fields as flags. Empty strings mean "not given" and
// leave the proto field unset.
struct ReferralFlags {
  std::string nhs_number;  // as typed; spaces allowed
  std::string given_name;
  std::string family_name;
  std::string birth_date;  // YYYY-MM-DD
  std::string postcode;
  std::vector<std::string> address_lines;
  std::string practice;      // registered practice ODS code
  std::string source;        // see ParseSourceType
  std::string organisation;  // referrer organisation code
  std::string organisation_name;
  std::string practitioner;  // referrer practitioner name
  std::string practitioner_role;
  std::string callback_phone;
  std::vector<std::string> reasons;  // see ParseReason
  std::string what_matters;
  bool consent = false;    // the person agreed to referral and sharing
  std::string consent_by;  // who obtained consent
  bool urgent = false;
  std::string urgent_reason;
  std::string phone;                 // the person's phone
  std::string no_nhs_number_reason;  // not-known | declined | not-issued
};

// ParseReason()
//
// One reason as typed:
//   "267076002"                  digits: a SNOMED CT concept id
//   "text:feels isolated"        free text (everything after "text:")
//   "police-vulnerability:PV03"  a local code: system before the last ':', code after
// Errors: INVALID_ARGUMENT for an empty reason, an empty free text, a system
// or code missing around the ':', or a word with no ':' that is not all digits.
absl::StatusOr<v1::ReasonInput> ParseReason(absl::string_view text);

// ParseSourceType()
//
// Case-insensitive short names: gp, pharmacy, police, fire, housing,
// jobcentre, local-authority, hospital, mental-health, community-health, vcse,
// self; or the full enum name ("SOURCE_TYPE_POLICE"). INVALID_ARGUMENT
// otherwise, listing the accepted names.
absl::StatusOr<v1::SourceType> ParseSourceType(absl::string_view text);

// ParseDate()
//
// "YYYY-MM-DD" into a Date; INVALID_ARGUMENT if not that shape or not a real
// calendar date.
absl::StatusOr<v1::Date> ParseDate(absl::string_view text);

// BuildSubmitRequest()
//
// The request for `flags` with `request_id`. Consent sets both
// referral_agreed and information_sharing_agreed (the flag is the person's
// agreement to both). An NHS number sets verification status TRACE_REQUIRED
// unless the caller changes it; without one, no_nhs_number_reason is used
// (default "not-known"). Priority is ROUTINE unless `urgent`.
// Errors: INVALID_ARGUMENT naming the flag for any value the parsers above
// refuse, or an empty request_id.
absl::StatusOr<v1::SubmitReferralRequest> BuildSubmitRequest(const ReferralFlags& flags,
                                                             absl::string_view request_id);

// ParseReferralJson()
//
// Protobuf JSON (camelCase or original field names) holding either a Referral
// or a whole SubmitReferralRequest ({"requestId": ..., "referral": {...}}).
// Errors: INVALID_ARGUMENT with the parser's message.
absl::StatusOr<v1::SubmitReferralRequest> ParseReferralJson(absl::string_view json);

// ReadReferralJsonFile()
//
// ParseReferralJson on a file's contents; NOT_FOUND when it cannot be read.
// Error messages start with the path.
absl::StatusOr<v1::SubmitReferralRequest> ReadReferralJsonFile(const std::string& path);

}  // namespace sprout::client

#endif  // SPROUT_CLIENT_REFERRAL_BUILDER_H_
