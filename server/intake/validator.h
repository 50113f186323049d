// File: server/intake/validator.h
//
// Total, precise validation of an inbound referral (DESIGN.md §3.2): every
// broken rule becomes one FieldViolation with its field path and a sentence
// saying what is wrong and how to fix it, all reported together.
//
//   ValidationContext context;
//   context.now = clock->Now();
//   std::vector<FieldViolation> v = ValidateReferral(referral, context);
//   if (!v.empty()) return InvalidReferralError(v);
//
// What is checked (the table in tests/server/intake/validator_test.cc has one
// row per rule):
//  - identifiers: NHS number (modulus 11, verification status, or a reason it
//    is unavailable), ODS codes by organisation type, postcodes (strict rules
//    or NHS pseudo-postcodes);
//  - dates: birth date a real date, not in the future, age at most
//    max_age_years; authored and consent times not in the future beyond
//    clock_skew;
//  - consent: the person agreed to the referral and to information sharing;
//  - text: valid UTF-8, no control characters (line breaks and tabs allowed in
//    multi-line fields only), lengths in characters;
//  - sizes: repeated-field limits and the serialized size;
//  - enums: set where required, and a known value;
//  - rules by source type (what each kind of referrer must provide), see
//    ValidateSourceRules().
// SNOMED codes are checked for syntax, partition and Verhoeff here; presence
// in the release, activity and the reason binding are the coder's job.
//
// Paths are rooted at "referral." because the request field is named
// referral. Descriptions never echo the patient's values.
#ifndef SPROUT_SERVER_INTAKE_VALIDATOR_H_
#define SPROUT_SERVER_INTAKE_VALIDATOR_H_

#include <cstddef>
#include <vector>

#include "absl/time/time.h"
#include "server/intake/violations.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::intake {

// Limits on sizes. Defaults follow the API comments in referral.proto.
struct ValidationLimits {
  // Largest serialized referral accepted, in bytes. Default 64 KiB.
  size_t max_referral_bytes = 64 * 1024;
  // Reasons per referral: at least 1, at most this. Default 20.
  int max_reasons = 20;
  // Safeguarding flags per referral. Default 10.
  int max_safeguarding_flags = 10;
  // Long-term condition codes. Default 20.
  int max_condition_codes = 20;
  // Address lines. Default 5.
  int max_address_lines = 5;
  // Communication needs. Default 10.
  int max_communication_needs = 10;
  // Oldest plausible age in whole years. Default 120.
  int max_age_years = 120;
  // How far in the future a timestamp may be (sender clock skew). Default 5 min.
  absl::Duration clock_skew = absl::Minutes(5);
};

// What validation needs from outside the referral.
struct ValidationContext {
  // The current time (from the injected Clock). Dates are compared in UTC.
  absl::Time now = absl::UnixEpoch();
  ValidationLimits limits;
};

// ValidateReferral()
//
// Returns every violation in `referral`, in field order (an empty vector when
// it is valid). Output-only fields are ignored. Total: never fails, never
// throws, whatever the input (including invalid UTF-8 and out-of-range enum
// values).
std::vector<FieldViolation> ValidateReferral(const sprout::v1::Referral& referral,
                                             const ValidationContext& context);

// ValidateSourceRules()
//
// Only the rules that depend on referrer.source_type (ValidateReferral runs
// them too): what each kind of referrer really knows, so must provide.
//  - every organisation (all but self-referral): organisation_code and a
//    callback phone or email for feedback;
//  - GP practice: a GP practice code, practitioner_name, the patient's NHS
//    number (no unavailable reason) and registered practice;
//  - community pharmacy: a pharmacy ODS code (the registered practice is
//    optional: a pharmacy does not always know it);
//  - police, fire and rescue, housing provider, local authority (social
//    care): the patient's postcode (the NHS number may be unavailable);
//  - job centre: the postcode and a way to contact the person;
//  - hospital discharge: an NHS trust code, the traced NHS number (NOT_KNOWN
//    refused), the registered practice, and discharge details (ward, a
//    discharge date at most 30 days ahead, a site of that trust if given);
//  - mental health service: an ODS code, practitioner_name, the traced NHS
//    number; community health service: an ODS code, the traced NHS number;
//  - VCSE and self-referral: a way to contact the person (phone, email or
//    postal address);
//  - discharge details from anyone but a hospital discharge team are refused.
// Needs referral.patient and referral.referrer; does nothing without them.
// Appends to `out`.
void ValidateSourceRules(const sprout::v1::Referral& referral, const ValidationContext& context,
                         std::vector<FieldViolation>* out);

// SourceNeedsPostcode()
//
// True for the source types that must give the patient's postcode (police,
// fire and rescue, housing provider, job centre, local authority). `source_type` is a SourceType
// value.
bool SourceNeedsPostcode(int source_type);

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_VALIDATOR_H_
