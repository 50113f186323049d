// Identifier and date syntax used by the directory and the router: ODS codes
// (DOMAIN.md §3.2), postcodes (§3.4) and ODS-style dates. Pure functions,
// thread-safe.
#ifndef SPROUT_SERVER_ROUTING_CODES_H_
#define SPROUT_SERVER_ROUTING_CODES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace sprout::routing {

// True for a GP practice code: one of A-H, J-N, P-W, Y then 5 digits, or
// ALD/GUE/JER then 3 digits (e.g. "A81001", "Y00123").
bool IsPracticeCode(absl::string_view code);
// True for a PCN code: "U" then 5 digits (e.g. "U12345").
bool IsPcnCode(absl::string_view code);
// True for an ICB code: "Q" then 2 letters or digits (e.g. "QNQ").
bool IsIcbCode(absl::string_view code);
// True for a Sub-ICB Location code: 2 digits + 1 letter ("08X") or 5 letters
// or digits ("D4U1Y").
bool IsSubIcbLocationCode(absl::string_view code);

// The parts of a normalised postcode "AB1 2CD" that coverage is keyed on.
struct PostcodeParts {
  std::string outward;  // "AB1", the postcode district.
  std::string sector;   // "AB1 2", outward + space + first inward digit.
  bool pseudo = false;  // NHS pseudo-postcode (outward "ZZ99"): no geography.
};

// Splits a postcode already normalised to "OUTWARD INWARD" (one space, upper
// case, inward = digit + 2 letters). Returns nullopt if it is not in that form.
// Pseudo-postcodes such as "ZZ99 3VZ" (no fixed abode) parse with pseudo = true.
std::optional<PostcodeParts> SplitPostcode(absl::string_view postcode);

// True for a coverage key: a sector ("AB1 2") or a district ("AB1").
bool IsPostcodeSector(absl::string_view key);
bool IsPostcodeDistrict(absl::string_view key);

// Parses an ODS date. ODS CSV reports (epcncorepartnerdetails, epcn,
// epraccur) write dates as YYYYMMDD; YYYY-MM-DD is also accepted. Returns
// nullopt for anything else, including impossible dates such as 20230230.
std::optional<absl::CivilDay> ParseOdsDate(absl::string_view text);

// Formats a day as YYYY-MM-DD, the form used in explanations.
std::string FormatDay(absl::CivilDay day);

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_CODES_H_
