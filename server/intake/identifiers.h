// File: server/intake/identifiers.h
//
// UK identifiers a referral carries, checked exactly (DOMAIN.md §3): the NHS
// number (modulus 11), ODS organisation codes by organisation type, and
// postcodes (strict Royal Mail rules plus the NHS pseudo-postcodes).
//
//   NhsNumberCheck nhs = CheckNhsNumber("943 476 5919");
//   if (nhs.problem == NhsNumberProblem::kNone) key = nhs.normalised;  // "9434765919"
//   std::optional<std::string> pc = NormalisePostcode("ls14ap");      // "LS1 4AP"
//   bool nfa = IsPseudoPostcode("ZZ99 3VZ");                          // true
//
// Everything here is a pure function: thread-safe, no I/O, and no result or
// message ever contains the value it was given (the values are patient data).
#ifndef SPROUT_SERVER_INTAKE_IDENTIFIERS_H_
#define SPROUT_SERVER_INTAKE_IDENTIFIERS_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace sprout::intake {

// What is wrong with an NHS number, if anything.
enum class NhsNumberProblem {
  kNone,            // valid
  kEmpty,           // nothing but separators
  kBadCharacter,    // something other than digits, spaces and hyphens
  kWrongLength,     // not 10 digits once separators are removed
  kAllDigitsSame,   // e.g. 0000000000: passes the arithmetic, never issued
  kCheckDigitTen,   // the computed check digit is 10: never issued
  kCheckDigitWrong  // the 10th digit is not the modulus 11 check digit
};

struct NhsNumberCheck {
  NhsNumberProblem problem = NhsNumberProblem::kEmpty;
  // The 10 digits with separators removed; set only when problem is kNone.
  std::string normalised;
};

// CheckNhsNumber()
//
// Normalises `input` (removes spaces and hyphens; "943 476 5919" and
// "943-476-5919" are both accepted) and applies the NHS Data Dictionary
// modulus 11 check: weights 10..2 on digits 1-9, check = 11 - (sum mod 11),
// 11 -> 0, 10 -> invalid. All-identical digits are refused too.
NhsNumberCheck CheckNhsNumber(absl::string_view input);

// IsValidNhsNumber()
//
// True iff CheckNhsNumber(input).problem == kNone.
bool IsValidNhsNumber(absl::string_view input);

// NhsNumberCheckDigit()
//
// The modulus 11 check digit (0-9) for the first nine digits `stem`, or -1
// when it would be 10. REQUIRES: `stem` is exactly 9 ASCII digits.
int NhsNumberCheckDigit(absl::string_view stem);

// ODS organisation codes (DOMAIN.md §3.2). Each checks one organisation type;
// input must already be upper case with no spaces. None checks existence:
// that needs ODS data.

// IsGpPracticeCode(): one letter from A-H, J-N, P-W or Y then 5 digits
// ("A81001"), or ALD/GUE/JER then 3 digits (Channel Islands). Includes the
// default codes V81997-V81999.
bool IsGpPracticeCode(absl::string_view code);
// IsDefaultPracticeCode(): V81997, V81998, V81999 (no real registration).
bool IsDefaultPracticeCode(absl::string_view code);
// IsPcnCode(): "U" then 5 digits ("U12345").
bool IsPcnCode(absl::string_view code);
// IsIcbCode(): 3 characters beginning "Q" ("QNQ").
bool IsIcbCode(absl::string_view code);
// IsSubIcbCode(): the former CCG code: 2 digits and a letter ("08X") or 5
// letters/digits ("D4U1Y"); deliberately loose, as ODS is.
bool IsSubIcbCode(absl::string_view code);
// IsPharmacyCode(): a community pharmacy (dispensing contractor) ODS code,
// "F" then 4 letters or digits ("FA123", "FLM49").
bool IsPharmacyCode(absl::string_view code);
// IsNhsTrustCode(): an NHS trust (acute, mental health, community or
// ambulance): "R" (or "T" for a care trust) then 2 letters or digits ("RR8").
bool IsNhsTrustCode(absl::string_view code);
// IsNhsTrustSiteCode(): one of `trust`'s sites: the trust's code then 2
// letters or digits ("RR813" for trust "RR8").
bool IsNhsTrustSiteCode(absl::string_view code, absl::string_view trust);
// IsOdsCode(): any ODS-shaped code: 3 to 6 upper-case letters and digits with
// at least one letter (trusts "RR8", sites "RR813", local authorities "E08000035"
// are not ODS and fail). For referrers whose type has no stricter pattern.
bool IsOdsCode(absl::string_view code);
// IsLocalAgencyId(): an id for an organisation with no ODS code, written
// "<kind>:<id>": kind lower-case letters, digits and hyphens starting with a
// letter (at most 32), id 1 to 32 letters, digits, hyphens or underscores,
// e.g. "police:WYP", "vcse:age-uk-leeds".
bool IsLocalAgencyId(absl::string_view code);

// Postcodes (DOMAIN.md §3.4).

// NormalisePostcode()
//
// Upper-cases `input`, removes all whitespace and re-inserts one space before
// the inward code. Returns the normalised postcode if it is a valid UK
// postcode by the strict rules (including "GIR 0AA") or an NHS pseudo-postcode
// (IsPseudoPostcode), else nullopt. "ls14ap" -> "LS1 4AP"; "zz993vz" -> "ZZ99 3VZ".
std::optional<std::string> NormalisePostcode(absl::string_view input);

// IsValidPostcode()
//
// True iff NormalisePostcode(input) has a value.
bool IsValidPostcode(absl::string_view input);

// IsPseudoPostcode()
//
// True iff `input` (any case and spacing) is an NHS pseudo-postcode: "ZZ99"
// then a digit, a letter and "Z", e.g. ZZ99 3VZ (no fixed abode), ZZ99 3WZ
// (not known), ZZ99 3CZ (England/UK not stated), ZZ99 3GZ (Wales), ZZ99 1WZ
// (Scotland), ZZ99 2WZ (Northern Ireland), ZZ99 nAZ (overseas countries).
bool IsPseudoPostcode(absl::string_view input);

// IsNoFixedAbodePostcode()
//
// True iff `input` normalises to ZZ99 3VZ.
bool IsNoFixedAbodePostcode(absl::string_view input);

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_IDENTIFIERS_H_
