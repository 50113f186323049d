#include "server/intake/identifiers.h"

#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace sprout::intake {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsUpperOrDigit(char c) { return IsUpper(c) || IsDigit(c); }
bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}
bool InSet(char c, absl::string_view set) { return set.find(c) != absl::string_view::npos; }

// Letter sets of the strict postcode rules (DOMAIN.md §3.4), as listed there.
constexpr absl::string_view kFirst = "ABCDEFGHIJKLMNOPRSTUWYZ";   // not Q, V, X
constexpr absl::string_view kSecond = "ABCDEFGHKLMNOPQRSTUVWXY";  // not I, J, Z
// Third position of A9A: A-H, J, K, P (sources disagree on P: lenient), S-U, W.
constexpr absl::string_view kThird = "ABCDEFGHJKPSTUW";
constexpr absl::string_view kFourth = "ABEHMNPRVWXY";          // AA9A form
constexpr absl::string_view kInward = "ABDEFGHJLNPQRSTUWXYZ";  // not C I K M O V

// Checks a compact (no space) upper-case outward code by the strict rules.
bool StrictOutward(absl::string_view o) {
  if (o.empty() || !InSet(o[0], kFirst)) return false;
  switch (o.size()) {
    case 2:  // A9
      return IsDigit(o[1]);
    case 3:  // A99, AA9, A9A
      if (IsDigit(o[1])) return IsDigit(o[2]) || InSet(o[2], kThird);
      return InSet(o[1], kSecond) && IsDigit(o[2]);
    case 4:  // AA99, AA9A
      if (!InSet(o[1], kSecond) || !IsDigit(o[2])) return false;
      return IsDigit(o[3]) || InSet(o[3], kFourth);
    default:
      return false;
  }
}

bool StrictInward(absl::string_view i) {
  return i.size() == 3 && IsDigit(i[0]) && InSet(i[1], kInward) && InSet(i[2], kInward);
}

// Upper-cases and strips all ASCII whitespace; false on any other byte that
// is not a letter or digit (so the result is plain ASCII).
bool Compact(absl::string_view input, std::string* out) {
  out->clear();
  if (input.size() > 16) return false;
  for (char c : input) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) continue;
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
    out->push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  return true;
}

bool CompactIsPseudo(absl::string_view c) {
  return c.size() == 7 && c.substr(0, 4) == "ZZ99" && IsDigit(c[4]) && IsUpper(c[5]) && c[6] == 'Z';
}

}  // namespace

int NhsNumberCheckDigit(absl::string_view stem) {
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) sum += (stem[i] - '0') * static_cast<int>(10 - i);
  int check = 11 - sum % 11;
  if (check == 11) return 0;
  if (check == 10) return -1;
  return check;
}

NhsNumberCheck CheckNhsNumber(absl::string_view input) {
  NhsNumberCheck result;
  std::string digits;
  for (char c : input) {
    if (c == ' ' || c == '-') continue;
    if (!IsDigit(c)) {
      result.problem = NhsNumberProblem::kBadCharacter;
      return result;
    }
    if (digits.size() > 10) {  // no need to copy an absurdly long input
      result.problem = NhsNumberProblem::kWrongLength;
      return result;
    }
    digits.push_back(c);
  }
  if (digits.empty()) {
    result.problem = NhsNumberProblem::kEmpty;
    return result;
  }
  if (digits.size() != 10) {
    result.problem = NhsNumberProblem::kWrongLength;
    return result;
  }
  if (digits.find_first_not_of(digits[0]) == std::string::npos) {
    result.problem = NhsNumberProblem::kAllDigitsSame;
    return result;
  }
  int check = NhsNumberCheckDigit(digits);
  if (check < 0) {
    result.problem = NhsNumberProblem::kCheckDigitTen;
    return result;
  }
  if (check != digits[9] - '0') {
    result.problem = NhsNumberProblem::kCheckDigitWrong;
    return result;
  }
  result.problem = NhsNumberProblem::kNone;
  result.normalised = std::move(digits);
  return result;
}

bool IsValidNhsNumber(absl::string_view input) {
  return CheckNhsNumber(input).problem == NhsNumberProblem::kNone;
}

bool IsGpPracticeCode(absl::string_view code) {
  if (code.size() == 6 && InSet(code[0], "ABCDEFGHJKLMNPQRSTUVWY") && AllDigits(code.substr(1))) {
    return true;
  }
  if (code.size() == 6 && AllDigits(code.substr(3))) {
    absl::string_view prefix = code.substr(0, 3);
    return prefix == "ALD" || prefix == "GUE" || prefix == "JER";
  }
  return false;
}

bool IsDefaultPracticeCode(absl::string_view code) {
  return code == "V81997" || code == "V81998" || code == "V81999";
}

bool IsPcnCode(absl::string_view code) {
  return code.size() == 6 && code[0] == 'U' && AllDigits(code.substr(1));
}

bool IsIcbCode(absl::string_view code) {
  return code.size() == 3 && code[0] == 'Q' && IsUpperOrDigit(code[1]) && IsUpperOrDigit(code[2]);
}

bool IsSubIcbCode(absl::string_view code) {
  if (code.size() == 3) return IsDigit(code[0]) && IsDigit(code[1]) && IsUpper(code[2]);
  if (code.size() == 5) {
    for (char c : code) {
      if (!IsUpperOrDigit(c)) return false;
    }
    return true;
  }
  return false;
}

bool IsPharmacyCode(absl::string_view code) {
  if (code.size() != 5 || code[0] != 'F') return false;
  for (char c : code.substr(1)) {
    if (!IsUpperOrDigit(c)) return false;
  }
  return true;
}

bool IsNhsTrustCode(absl::string_view code) {
  return code.size() == 3 && (code[0] == 'R' || code[0] == 'T') && IsUpperOrDigit(code[1]) &&
         IsUpperOrDigit(code[2]);
}

bool IsNhsTrustSiteCode(absl::string_view code, absl::string_view trust) {
  return IsNhsTrustCode(trust) && code.size() == 5 && absl::StartsWith(code, trust) &&
         IsUpperOrDigit(code[3]) && IsUpperOrDigit(code[4]);
}

bool IsOdsCode(absl::string_view code) {
  if (code.size() < 3 || code.size() > 6) return false;
  bool letter = false;
  for (char c : code) {
    if (!IsUpperOrDigit(c)) return false;
    letter = letter || IsUpper(c);
  }
  return letter;
}

bool IsLocalAgencyId(absl::string_view code) {
  size_t colon = code.find(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view kind = code.substr(0, colon);
  absl::string_view id = code.substr(colon + 1);
  if (kind.empty() || kind.size() > 32 || !(kind[0] >= 'a' && kind[0] <= 'z')) return false;
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || IsDigit(c) || c == '-')) return false;
  }
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> NormalisePostcode(absl::string_view input) {
  std::string c;
  if (!Compact(input, &c) || c.size() < 5 || c.size() > 7) return std::nullopt;
  absl::string_view compact = c;
  absl::string_view outward = compact.substr(0, compact.size() - 3);
  absl::string_view inward = compact.substr(compact.size() - 3);
  bool ok = compact == "GIR0AA" || CompactIsPseudo(compact) ||
            (StrictOutward(outward) && StrictInward(inward));
  if (!ok) return std::nullopt;
  std::string out(outward);
  out.push_back(' ');
  out.append(inward.data(), inward.size());
  return out;
}

bool IsValidPostcode(absl::string_view input) { return NormalisePostcode(input).has_value(); }

bool IsPseudoPostcode(absl::string_view input) {
  std::string c;
  return Compact(input, &c) && CompactIsPseudo(c);
}

bool IsNoFixedAbodePostcode(absl::string_view input) {
  std::string c;
  return Compact(input, &c) && c == "ZZ993VZ";
}

}  // namespace sprout::intake
