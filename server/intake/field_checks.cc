#include "server/intake/field_checks.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "snomed/sctid.h"

namespace sprout::intake {
namespace {

void Add(absl::string_view field, std::string description, std::vector<FieldViolation>* out) {
  out->push_back(FieldViolation{std::string(field), std::move(description), "", ""});
}

bool IsBlank(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Decodes one code point at text[*i]; advances *i. Returns -1 if malformed.
int32_t DecodeOne(absl::string_view text, size_t* i) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  unsigned char b = p[*i];
  if (b < 0x80) {
    ++*i;
    return b;
  }
  int len;
  int32_t cp;
  int32_t min;
  if ((b & 0xE0) == 0xC0) {
    len = 2, cp = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    len = 3, cp = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    len = 4, cp = b & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (*i + len > n) return -1;
  for (int k = 1; k < len; ++k) {
    unsigned char c = p[*i + k];
    if ((c & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *i += len;
  return cp;
}

}  // namespace

std::optional<size_t> Utf8Length(absl::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size();) {
    if (DecodeOne(text, &i) < 0) return std::nullopt;
    ++count;
  }
  return count;
}

bool HasControlCharacter(absl::string_view text, bool allow_line_breaks) {
  for (size_t i = 0; i < text.size();) {
    int32_t cp = DecodeOne(text, &i);
    if (cp < 0) return true;  // REQUIRES valid UTF-8; be safe anyway
    if (allow_line_breaks && (cp == '\n' || cp == '\r' || cp == '\t')) continue;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return true;
  }
  return false;
}

bool CheckText(absl::string_view field, absl::string_view value, const TextRule& rule,
               std::vector<FieldViolation>* out) {
  if (IsBlank(value)) {
    if (!rule.required) return true;
    std::string fix =
        rule.how_to_fix.empty() ? absl::StrCat("send ", rule.what) : std::string(rule.how_to_fix);
    Add(field, absl::StrCat(rule.what, " is missing; ", fix), out);
    return false;
  }
  std::optional<size_t> length = Utf8Length(value);
  if (!length.has_value()) {
    Add(field, absl::StrCat(rule.what, " is not valid UTF-8; send the text encoded as UTF-8"), out);
    return false;
  }
  if (HasControlCharacter(value, rule.multiline)) {
    Add(field,
        absl::StrCat(rule.what, " contains a control character; remove it",
                     rule.multiline ? " (line breaks and tabs are allowed)"
                                    : " (line breaks and tabs are not allowed here)"),
        out);
    return false;
  }
  if (*length > rule.max_chars) {
    Add(field,
        absl::StrCat(rule.what, " is longer than ", rule.max_chars,
                     " characters; shorten it to at most ", rule.max_chars),
        out);
    return false;
  }
  return true;
}

bool IsUkPhoneNumber(absl::string_view phone) {
  std::string digits;
  bool international = false;
  for (size_t i = 0; i < phone.size(); ++i) {
    char c = phone[i];
    if (IsDigit(c)) {
      digits.push_back(c);
    } else if (c == '+' && digits.empty() && !international && i + 2 < phone.size() &&
               phone.substr(i + 1, 2) == "44") {
      international = true;
      i += 2;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
      return false;
    }
    if (digits.size() > 11) return false;
  }
  if (international) {
    return (digits.size() == 9 || digits.size() == 10) && digits[0] != '0';
  }
  return (digits.size() == 10 || digits.size() == 11) && digits[0] == '0';
}

bool IsEmailAddress(absl::string_view email) {
  if (email.size() > 254) return false;
  size_t at = email.find('@');
  if (at == absl::string_view::npos || at == 0 ||
      email.find('@', at + 1) != absl::string_view::npos) {
    return false;
  }
  for (char c : email.substr(0, at)) {
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  absl::string_view domain = email.substr(at + 1);
  int labels = 0;
  size_t start = 0;
  while (start <= domain.size()) {
    size_t dot = domain.find('.', start);
    if (dot == absl::string_view::npos) dot = domain.size();
    absl::string_view label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
    }
    ++labels;
    start = dot + 1;
  }
  return labels >= 2;
}

std::optional<absl::CivilDay> ToCivilDay(const sprout::v1::Date& date) {
  if (date.year() < 1 || date.year() > 9999 || date.month() < 1 || date.month() > 12 ||
      date.day() < 1 || date.day() > 31) {
    return std::nullopt;
  }
  absl::CivilDay day(date.year(), date.month(), date.day());
  // CivilDay normalises 2023-02-29 to 2023-03-01: a changed field means not a real date.
  if (day.year() != date.year() || day.month() != date.month() || day.day() != date.day()) {
    return std::nullopt;
  }
  return day;
}

std::optional<absl::Time> ToTime(const google::protobuf::Timestamp& ts) {
  // 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z, as google.protobuf.Timestamp.
  constexpr int64_t kMinSeconds = -62135596800;
  constexpr int64_t kMaxSeconds = 253402300799;
  if (ts.seconds() < kMinSeconds || ts.seconds() > kMaxSeconds || ts.nanos() < 0 ||
      ts.nanos() > 999999999) {
    return std::nullopt;
  }
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void CheckTimestampNotFuture(absl::string_view field, const google::protobuf::Timestamp& ts,
                             absl::string_view what, absl::Time now, absl::Duration skew,
                             std::vector<FieldViolation>* out) {
  std::optional<absl::Time> t = ToTime(ts);
  if (!t.has_value()) {
    Add(field,
        absl::StrCat(what,
                     " is not a valid timestamp; send seconds between years 1 and 9999 and "
                     "nanos from 0 to 999999999"),
        out);
    return;
  }
  if (*t > now + skew) {
    Add(field,
        absl::StrCat(what, " is in the future; send the time it happened (at most ",
                     absl::FormatDuration(skew), " ahead of the server clock is tolerated)"),
        out);
  }
}

bool CheckSnomedCode(absl::string_view field, absl::string_view code, absl::string_view what,
                     std::vector<FieldViolation>* out) {
  auto fail = [&](absl::string_view problem) {
    Add(field, absl::StrCat(what, " ", problem), out);
    return false;
  };
  if (code.empty()) {
    return fail("is missing; send a SNOMED CT concept id such as 267076002");
  }
  for (char c : code) {
    if (!IsDigit(c)) {
      return fail(
          "contains a character that is not a digit; a SNOMED CT concept id is digits only, "
          "with no spaces or terms");
    }
  }
  if (code.size() < 6 || code.size() > 18) {
    return fail("does not have 6 to 18 digits; send the full SNOMED CT concept id");
  }
  if (code[0] == '0') {
    return fail("starts with 0; a SNOMED CT id never has a leading zero");
  }
  uint64_t id = 0;
  if (!absl::SimpleAtoi(code, &id)) {
    return fail("is not a number; send the SNOMED CT concept id");
  }
  std::optional<snomed::Partition> partition = snomed::PartitionOf(id);
  if (!partition.has_value()) {
    return fail(
        "has a partition (2nd and 3rd digits from the right) that does not exist; check the "
        "code was copied in full");
  }
  if (*partition != snomed::Partition::kConcept &&
      *partition != snomed::Partition::kExtensionConcept) {
    return fail(absl::StrCat("is a ", snomed::PartitionName(*partition),
                             " id, not a concept id; send the concept id"));
  }
  if (!snomed::VerhoeffValid(code)) {
    return fail(
        "has a wrong check digit (Verhoeff); check the code for a mistyped or swapped digit");
  }
  return true;
}

}  // namespace sprout::intake
