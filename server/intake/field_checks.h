// File: server/intake/field_checks.h
//
// Reusable single-field checks behind the referral validator: text (UTF-8,
// control characters, length in characters), telephone numbers, email
// addresses, calendar dates, timestamps and SNOMED code syntax. Each appends
// at most one FieldViolation for the field it is given, with a description
// that names the field in words (`what`, e.g. "the given name") and never
// repeats the value.
//
// Pure functions: thread-safe, no I/O.
#ifndef SPROUT_SERVER_INTAKE_FIELD_CHECKS_H_
#define SPROUT_SERVER_INTAKE_FIELD_CHECKS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/intake/violations.h"
#include "sprout/v1/common.pb.h"

namespace sprout::intake {

// How a text field is checked.
struct TextRule {
  absl::string_view what;  // "the given name": the subject of the sentence
  size_t max_chars = 0;    // Unicode code points
  bool required = false;
  bool multiline = false;  // allow \n, \r and \t
  // The fix to suggest when a required field is missing, e.g. "send the
  // person's given name". Defaults to "send <what>".
  absl::string_view how_to_fix = {};
};

// Utf8Length()
//
// The number of code points in `text` if it is valid UTF-8 (no overlong forms,
// no surrogates, at most U+10FFFF), else nullopt.
std::optional<size_t> Utf8Length(absl::string_view text);

// HasControlCharacter()
//
// True if valid-UTF-8 `text` contains a C0 or C1 control character or DEL
// (other than \n, \r, \t when `allow_line_breaks`).
bool HasControlCharacter(absl::string_view text, bool allow_line_breaks);

// CheckText()
//
// Appends a violation for `field` if `value` breaks `rule`: missing (only
// whitespace counts as missing), not UTF-8, a control character, or too long.
// Returns true if no violation was added.
bool CheckText(absl::string_view field, absl::string_view value, const TextRule& rule,
               std::vector<FieldViolation>* out);

// IsUkPhoneNumber()
//
// Digits with optional spaces, hyphens and parentheses: a national number of
// 10 or 11 digits starting "0", or "+44" then 9 or 10 digits not starting "0".
bool IsUkPhoneNumber(absl::string_view phone);

// IsEmailAddress()
//
// A pragmatic address check: at most 254 characters, one "@", a non-empty
// local part of printable ASCII without spaces, and a domain of at least two
// dot-separated labels of letters, digits and hyphens.
bool IsEmailAddress(absl::string_view email);

// ToCivilDay()
//
// The date if `date` is a real calendar date with year 1 to 9999, else nullopt
// (e.g. 2023-02-29 or month 13).
std::optional<absl::CivilDay> ToCivilDay(const sprout::v1::Date& date);

// ToTime()
//
// The instant if `ts` is a valid Timestamp (seconds within years 1 to 9999,
// nanos 0 to 999,999,999), else nullopt.
std::optional<absl::Time> ToTime(const google::protobuf::Timestamp& ts);

// CheckTimestampNotFuture()
//
// For a set timestamp `ts` at `field`: appends a violation if it is invalid or
// later than now + skew. `what` names it ("the authored time").
void CheckTimestampNotFuture(absl::string_view field, const google::protobuf::Timestamp& ts,
                             absl::string_view what, absl::Time now, absl::Duration skew,
                             std::vector<FieldViolation>* out);

// CheckSnomedCode()
//
// Appends a violation for `field` if `code` is not a syntactically valid
// SNOMED CT concept id (digits only, 6 to 18, no leading zero, concept
// partition 00 or 10, Verhoeff check digit). `what` names it ("the reason
// code"). Returns true if valid.
bool CheckSnomedCode(absl::string_view field, absl::string_view code, absl::string_view what,
                     std::vector<FieldViolation>* out);

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_FIELD_CHECKS_H_
