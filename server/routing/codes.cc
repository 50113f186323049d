#include "server/routing/codes.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"

namespace sprout::routing {
namespace {

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsUpperAlnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

}  // namespace

bool IsPracticeCode(absl::string_view code) {
  if (code.size() == 6) {
    const char c = code[0];
    const bool letter_ok =
        (c >= 'A' && c <= 'H') || (c >= 'J' && c <= 'N') || (c >= 'P' && c <= 'W') || c == 'Y';
    if (letter_ok && AllDigits(code.substr(1))) return true;
    const absl::string_view prefix = code.substr(0, 3);
    return (prefix == "ALD" || prefix == "GUE" || prefix == "JER") && AllDigits(code.substr(3));
  }
  return false;
}

bool IsPcnCode(absl::string_view code) {
  return code.size() == 6 && code[0] == 'U' && AllDigits(code.substr(1));
}

bool IsIcbCode(absl::string_view code) {
  return code.size() == 3 && code[0] == 'Q' && IsUpperAlnum(code[1]) && IsUpperAlnum(code[2]);
}

bool IsSubIcbLocationCode(absl::string_view code) {
  if (code.size() == 3) {
    return absl::ascii_isdigit(code[0]) && absl::ascii_isdigit(code[1]) && code[2] >= 'A' &&
           code[2] <= 'Z';
  }
  if (code.size() == 5) {
    for (char c : code) {
      if (!IsUpperAlnum(c)) return false;
    }
    return true;
  }
  return false;
}

bool IsPostcodeDistrict(absl::string_view key) {
  // A9, A99, AA9, AA99, A9A, AA9A: letters, then a digit, then optional
  // alphanumerics (lenient form of DOMAIN.md §3.4).
  if (key.size() < 2 || key.size() > 4) return false;
  size_t i = 0;
  while (i < key.size() && key[i] >= 'A' && key[i] <= 'Z') ++i;
  if (i < 1 || i > 2 || i >= key.size() || !absl::ascii_isdigit(key[i])) return false;
  for (++i; i < key.size(); ++i) {
    if (!IsUpperAlnum(key[i])) return false;
  }
  return true;
}

bool IsPostcodeSector(absl::string_view key) {
  const size_t space = key.find(' ');
  return space != absl::string_view::npos && space + 2 == key.size() &&
         IsPostcodeDistrict(key.substr(0, space)) && absl::ascii_isdigit(key.back());
}

std::optional<PostcodeParts> SplitPostcode(absl::string_view postcode) {
  const size_t space = postcode.find(' ');
  if (space == absl::string_view::npos) return std::nullopt;
  const absl::string_view outward = postcode.substr(0, space);
  const absl::string_view inward = postcode.substr(space + 1);
  if (inward.size() != 3 || !absl::ascii_isdigit(inward[0]) || inward[1] < 'A' || inward[1] > 'Z' ||
      inward[2] < 'A' || inward[2] > 'Z') {
    return std::nullopt;
  }
  PostcodeParts parts;
  parts.outward = std::string(outward);
  parts.sector = absl::StrFormat("%s %c", outward, inward[0]);
  parts.pseudo = outward == "ZZ99";
  if (!parts.pseudo && !IsPostcodeDistrict(outward) && outward != "GIR") return std::nullopt;
  return parts;
}

std::optional<absl::CivilDay> ParseOdsDate(absl::string_view text) {
  std::string digits;
  if (text.size() == 8) {
    digits = std::string(text);
  } else if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    digits = absl::StrFormat("%s%s%s", text.substr(0, 4), text.substr(5, 2), text.substr(8, 2));
  } else {
    return std::nullopt;
  }
  if (!AllDigits(digits)) return std::nullopt;
  int year = 0, month = 0, day = 0;
  if (!absl::SimpleAtoi(digits.substr(0, 4), &year) ||
      !absl::SimpleAtoi(digits.substr(4, 2), &month) ||
      !absl::SimpleAtoi(digits.substr(6, 2), &day)) {
    return std::nullopt;
  }
  const absl::CivilDay parsed(year, month, day);
  // CivilDay normalises out-of-range fields (Feb 30 -> Mar 2); reject those.
  if (parsed.year() != year || parsed.month() != month || parsed.day() != day) return std::nullopt;
  return parsed;
}

std::string FormatDay(absl::CivilDay day) {
  // Hand-rolled: this runs several times per routing decision.
  std::string out = "0000-00-00";
  int64_t year = day.year();
  if (year < 0 || year > 9999)
    return absl::StrFormat("%04d-%02d-%02d", year, day.month(), day.day());
  for (int i = 3; i >= 0; --i, year /= 10) out[i] = static_cast<char>('0' + year % 10);
  out[5] = static_cast<char>('0' + day.month() / 10);
  out[6] = static_cast<char>('0' + day.month() % 10);
  out[8] = static_cast<char>('0' + day.day() / 10);
  out[9] = static_cast<char>('0' + day.day() % 10);
  return out;
}

}  // namespace sprout::routing
