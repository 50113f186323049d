// The directory file parsers declared in directory_loader.h.
#include <cmath>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/routing/codes.h"
#include "server/routing/csv.h"
#include "server/routing/directory_loader.h"

namespace sprout::routing {
namespace {

// Start-up errors are one line: a quoted field echoed in a message may hold a
// line break, so show it escaped.
std::string OneLine(std::string message) {
  return absl::StrReplaceAll(message, {{"\r", "\\r"}, {"\n", "\\n"}});
}

// Reports problems in one row of one file.
class RowContext {
 public:
  RowContext(absl::string_view filename, const CsvRow& row, const std::vector<std::string>& names)
      : filename_(filename), row_(row), names_(names) {}

  std::string source() const { return absl::StrCat(filename_, ":", row_.line); }
  const std::string& field(size_t i) const { return row_.fields[i]; }

  absl::Status RowError(absl::string_view message) const {
    return absl::InvalidArgumentError(OneLine(absl::StrCat(source(), ": ", message)));
  }
  absl::Status FieldError(size_t i, absl::string_view message) const {
    return absl::InvalidArgumentError(
        OneLine(absl::StrCat(source(), ": column ", i + 1, " (", names_[i], "): ", message)));
  }
  absl::Status CheckWidth(size_t min, size_t max) const {
    const size_t n = row_.fields.size();
    if (n < min || n > max) {
      return RowError(min == max
                          ? absl::StrCat("expected ", min, " columns, found ", n)
                          : absl::StrCat("expected ", min, " to ", max, " columns, found ", n));
    }
    return absl::OkStatus();
  }
  absl::Status Required(size_t i) const {
    return field(i).empty() ? FieldError(i, "must not be empty") : absl::OkStatus();
  }
  absl::StatusOr<std::optional<absl::CivilDay>> OptionalDate(size_t i) const {
    if (field(i).empty()) return std::optional<absl::CivilDay>();
    std::optional<absl::CivilDay> day = ParseOdsDate(field(i));
    if (!day) {
      return FieldError(
          i, absl::StrCat("'", field(i), "' is not a date (expected YYYYMMDD, e.g. 20230401)"));
    }
    return day;
  }

 private:
  absl::string_view filename_;
  const CsvRow& row_;
  const std::vector<std::string>& names_;
};

bool IsHeader(const CsvRow& row, absl::string_view first_name) {
  return !row.fields.empty() && absl::EqualsIgnoreCase(row.fields[0], first_name);
}

// Checks a header row against the expected names (case-insensitive), covering
// the first `names.size()` columns.
absl::Status CheckHeader(absl::string_view filename, const CsvRow& row,
                         const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string found = i < row.fields.size() ? row.fields[i] : std::string("<missing>");
    if (!absl::EqualsIgnoreCase(found, names[i])) {
      return absl::InvalidArgumentError(absl::StrCat(filename, ":", row.line, ": column ", i + 1,
                                                     ": expected header '", names[i], "', found '",
                                                     found, "'"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<CsvRow>> ReadTable(absl::string_view content, absl::string_view filename,
                                              const std::vector<std::string>& names,
                                              bool header_required) {
  absl::StatusOr<std::vector<CsvRow>> rows = ParseCsv(content, filename);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return absl::InvalidArgumentError(absl::StrCat(filename, ": the file has no rows"));
  }
  if (header_required || IsHeader(rows->front(), names[0])) {
    absl::Status header = CheckHeader(filename, rows->front(), names);
    if (!header.ok()) return header;
    rows->erase(rows->begin());
  }
  return rows;
}

const std::vector<std::string>& SicblNames() {
  static const auto* kNames = new std::vector<std::string>{
      "ICB Code", "ICB Name", "Sub ICB Location Code", "Sub ICB Location Name"};
  return *kNames;
}

const std::vector<std::string>& PcnDetailsNames() {
  static const auto* kNames = new std::vector<std::string>{
      "PCN Code",       "PCN Name",       "Current Sub ICB Loc Code", "Sub ICB Location",
      "Open Date",      "Close Date",     "Address Line 1",           "Address Line 2",
      "Address Line 3", "Address Line 4", "Address Line 5",           "Postcode"};
  return *kNames;
}

const std::vector<std::string>& CorePartnerNames() {
  static const auto* kNames =
      new std::vector<std::string>{"Partner Organisation Code",
                                   "Partner Name",
                                   "Practice Parent Sub ICB Location Code",
                                   "Practice Parent Sub ICB Location Name",
                                   "PCN Code",
                                   "PCN Name",
                                   "PCN Parent Sub ICB Location Code",
                                   "PCN Parent Sub ICB Location Name",
                                   "Practice to PCN Relationship Start Date",
                                   "Practice to PCN Relationship End Date",
                                   "Practice Sub ICB and PCN Sub ICB Match?"};
  return *kNames;
}

const std::vector<std::string>& CoverageNames() {
  static const auto* kNames =
      new std::vector<std::string>{"Postcode Sector or District", "PCN Code"};
  return *kNames;
}

const std::vector<std::string>& ReferrerNames() {
  static const auto* kNames = new std::vector<std::string>{"Organisation Code", "Organisation Name",
                                                           "Sub ICB Location Code"};
  return *kNames;
}

// An identity's organisation: 1 to 64 letters, digits, '-', '_', ':' or '.'
// (certs/README.md), such as "FA123" or "police:WYP".
bool IsOrganisationCode(absl::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  for (char c : code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != ':' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

const std::vector<std::string>& LinkWorkerNames() {
  static const auto* kNames = new std::vector<std::string>{
      "link_worker_id",      "pcn_code",          "display_name", "wte",
      "annual_caseload_cap", "open_caseload_cap", "specialisms",  "languages",
      "age_groups",          "available_from",    "available_to"};
  return *kNames;
}

bool IsLabel(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

bool IsLanguageTag(absl::string_view s) {
  std::vector<absl::string_view> parts = absl::StrSplit(s, '-');
  if (parts[0].size() < 2 || parts[0].size() > 3) return false;
  for (absl::string_view part : parts) {
    if (part.empty() || part.size() > 8) return false;
    for (char c : part) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
    }
  }
  return true;
}

std::optional<AgeRange> ParseAgeRange(absl::string_view s) {
  AgeRange range;
  if (absl::ConsumeSuffix(&s, "+")) {
    if (!absl::SimpleAtoi(s, &range.min) || range.min < 0) return std::nullopt;
    return range;
  }
  std::vector<absl::string_view> ends = absl::StrSplit(s, '-');
  int max = 0;
  if (ends.size() != 2 || !absl::SimpleAtoi(ends[0], &range.min) ||
      !absl::SimpleAtoi(ends[1], &max) || range.min < 0 || max < range.min || max > 130) {
    return std::nullopt;
  }
  range.max = max;
  return range;
}

// Optional positive integer cap; `fallback` when blank.
absl::StatusOr<int> ParseCap(const RowContext& ctx, size_t i, int fallback) {
  if (ctx.field(i).empty()) return fallback;
  int value = 0;
  if (!absl::SimpleAtoi(ctx.field(i), &value) || value <= 0) {
    return ctx.FieldError(i, absl::StrCat("'", ctx.field(i),
                                          "' is not a positive whole number (leave blank for "
                                          "the default)"));
  }
  return value;
}

}  // namespace

absl::Status ParseSubIcbLocationsCsv(absl::string_view content, absl::string_view filename,
                                     DirectoryContents* out) {
  absl::StatusOr<std::vector<CsvRow>> rows = ReadTable(content, filename, SicblNames(), true);
  if (!rows.ok()) return rows.status();
  absl::flat_hash_map<std::string, size_t> icb_index;
  for (const CsvRow& row : *rows) {
    RowContext ctx(filename, row, SicblNames());
    if (absl::Status s = ctx.CheckWidth(4, 4); !s.ok()) return s;
    for (size_t i = 0; i < 4; ++i) {
      if (absl::Status s = ctx.Required(i); !s.ok()) return s;
    }
    if (!IsIcbCode(ctx.field(0))) {
      return ctx.FieldError(
          0, absl::StrCat("'", ctx.field(0), "' is not an ICB code (Q + 2 letters or digits)"));
    }
    if (!IsSubIcbLocationCode(ctx.field(2))) {
      return ctx.FieldError(2, absl::StrCat("'", ctx.field(2),
                                            "' is not a Sub-ICB Location code (e.g. 08X or "
                                            "D4U1Y)"));
    }
    auto [it, inserted] = icb_index.emplace(ctx.field(0), out->icbs.size());
    if (inserted) {
      out->icbs.push_back(Icb{ctx.field(0), ctx.field(1), ctx.source()});
    } else if (out->icbs[it->second].name != ctx.field(1)) {
      return ctx.FieldError(
          1, absl::StrCat("ICB '", ctx.field(0), "' is named '", out->icbs[it->second].name,
                          "' at ", out->icbs[it->second].source));
    }
    out->sub_icb_locations.push_back(
        SubIcbLocation{ctx.field(2), ctx.field(3), ctx.field(0), ctx.source()});
  }
  return absl::OkStatus();
}

absl::Status ParsePcnDetailsCsv(absl::string_view content, absl::string_view filename,
                                DirectoryContents* out) {
  const std::vector<std::string> header(PcnDetailsNames().begin(), PcnDetailsNames().begin() + 6);
  absl::StatusOr<std::vector<CsvRow>> rows = ReadTable(content, filename, header, false);
  if (!rows.ok()) return rows.status();
  for (const CsvRow& row : *rows) {
    RowContext ctx(filename, row, PcnDetailsNames());
    if (absl::Status s = ctx.CheckWidth(6, 12); !s.ok()) return s;
    for (size_t i : {0, 1, 2}) {
      if (absl::Status s = ctx.Required(i); !s.ok()) return s;
    }
    if (!IsPcnCode(ctx.field(0))) {
      return ctx.FieldError(0,
                            absl::StrCat("'", ctx.field(0), "' is not a PCN code (U + 5 digits)"));
    }
    if (!IsSubIcbLocationCode(ctx.field(2))) {
      return ctx.FieldError(2, absl::StrCat("'", ctx.field(2), "' is not a Sub-ICB Location code"));
    }
    Pcn pcn{ctx.field(0), ctx.field(1), ctx.field(2), std::nullopt, std::nullopt, ctx.source()};
    absl::StatusOr<std::optional<absl::CivilDay>> open = ctx.OptionalDate(4);
    if (!open.ok()) return open.status();
    absl::StatusOr<std::optional<absl::CivilDay>> close = ctx.OptionalDate(5);
    if (!close.ok()) return close.status();
    pcn.open_date = *open;
    pcn.close_date = *close;
    out->pcns.push_back(std::move(pcn));
  }
  return absl::OkStatus();
}

absl::Status ParseCorePartnerCsv(absl::string_view content, absl::string_view filename,
                                 DirectoryContents* out) {
  absl::StatusOr<std::vector<CsvRow>> rows =
      ReadTable(content, filename, CorePartnerNames(), false);
  if (!rows.ok()) return rows.status();
  absl::flat_hash_map<std::string, size_t> practice_index;
  for (size_t p = 0; p < out->practices.size(); ++p) practice_index[out->practices[p].code] = p;
  for (const CsvRow& row : *rows) {
    RowContext ctx(filename, row, CorePartnerNames());
    if (absl::Status s = ctx.CheckWidth(11, 11); !s.ok()) return s;
    for (size_t i : {0, 2, 4, 8}) {
      if (absl::Status s = ctx.Required(i); !s.ok()) return s;
    }
    if (!IsPracticeCode(ctx.field(0))) {
      return ctx.FieldError(
          0, absl::StrCat("'", ctx.field(0), "' is not a GP practice code (e.g. A81001)"));
    }
    if (!IsSubIcbLocationCode(ctx.field(2))) {
      return ctx.FieldError(2, absl::StrCat("'", ctx.field(2), "' is not a Sub-ICB Location code"));
    }
    if (!IsPcnCode(ctx.field(4))) {
      return ctx.FieldError(4,
                            absl::StrCat("'", ctx.field(4), "' is not a PCN code (U + 5 digits)"));
    }
    absl::StatusOr<std::optional<absl::CivilDay>> start = ctx.OptionalDate(8);
    if (!start.ok()) return start.status();
    absl::StatusOr<std::optional<absl::CivilDay>> end = ctx.OptionalDate(9);
    if (!end.ok()) return end.status();
    if (*end && **end < **start) {
      return ctx.FieldError(9, absl::StrCat("end date ", FormatDay(**end),
                                            " is before the start date ", FormatDay(**start)));
    }
    auto [it, inserted] = practice_index.emplace(ctx.field(0), out->practices.size());
    if (inserted) out->practices.push_back(Practice{ctx.field(0), "", "", {}});
    Practice& practice = out->practices[it->second];
    // Name and parent SICBL come from the latest relationship row.
    const bool latest = practice.history.empty() ||
                        std::all_of(practice.history.begin(), practice.history.end(),
                                    [&](const PcnMembership& m) { return m.start <= **start; });
    if (latest) {
      practice.name = ctx.field(1);
      practice.sicbl_code = ctx.field(2);
    }
    practice.history.push_back(PcnMembership{ctx.field(4), **start, *end, ctx.source()});
  }
  return absl::OkStatus();
}

absl::Status ParsePostcodeCoverageCsv(absl::string_view content, absl::string_view filename,
                                      DirectoryContents* out) {
  absl::StatusOr<std::vector<CsvRow>> rows = ReadTable(content, filename, CoverageNames(), true);
  if (!rows.ok()) return rows.status();
  for (const CsvRow& row : *rows) {
    RowContext ctx(filename, row, CoverageNames());
    if (absl::Status s = ctx.CheckWidth(2, 2); !s.ok()) return s;
    const std::string key = absl::AsciiStrToUpper(ctx.field(0));
    if (!IsPostcodeSector(key) && !IsPostcodeDistrict(key)) {
      return ctx.FieldError(0, absl::StrCat("'", ctx.field(0),
                                            "' is not a postcode sector (e.g. \"AB1 2\") or "
                                            "district (e.g. \"AB1\")"));
    }
    if (!IsPcnCode(ctx.field(1))) {
      return ctx.FieldError(1,
                            absl::StrCat("'", ctx.field(1), "' is not a PCN code (U + 5 digits)"));
    }
    out->coverage.push_back(PostcodeCoverage{key, ctx.field(1), ctx.source()});
  }
  return absl::OkStatus();
}

absl::Status ParseReferrersCsv(absl::string_view content, absl::string_view filename,
                               DirectoryContents* out) {
  absl::StatusOr<std::vector<CsvRow>> rows = ReadTable(content, filename, ReferrerNames(), true);
  if (!rows.ok()) return rows.status();
  for (const CsvRow& row : *rows) {
    RowContext ctx(filename, row, ReferrerNames());
    if (absl::Status s = ctx.CheckWidth(3, 3); !s.ok()) return s;
    if (!IsOrganisationCode(ctx.field(0))) {
      return ctx.FieldError(0, absl::StrCat("'", ctx.field(0),
                                            "' is not an organisation code (an ODS code such as "
                                            "FA123 or a local id such as police:WYP)"));
    }
    if (absl::Status s = ctx.Required(1); !s.ok()) return s;
    if (!IsSubIcbLocationCode(ctx.field(2))) {
      return ctx.FieldError(
          2, absl::StrCat("'", ctx.field(2), "' is not a Sub-ICB Location code (e.g. 01A)"));
    }
    out->referrers.push_back(
        ReferrerOrganisation{ctx.field(0), ctx.field(1), ctx.field(2), ctx.source()});
  }
  return absl::OkStatus();
}

absl::Status ParseLinkWorkersCsv(absl::string_view content, absl::string_view filename,
                                 const ConceptPredicateCompiler& compiler, DirectoryContents* out) {
  absl::StatusOr<std::vector<CsvRow>> rows = ReadTable(content, filename, LinkWorkerNames(), true);
  if (!rows.ok()) return rows.status();
  for (const CsvRow& row : *rows) {
    RowContext ctx(filename, row, LinkWorkerNames());
    if (absl::Status s = ctx.CheckWidth(11, 11); !s.ok()) return s;
    for (size_t i : {0, 1, 3}) {
      if (absl::Status s = ctx.Required(i); !s.ok()) return s;
    }
    LinkWorker lw;
    lw.id = ctx.field(0);
    lw.pcn_code = ctx.field(1);
    lw.display_name = ctx.field(2);
    lw.source = ctx.source();
    if (!IsPcnCode(lw.pcn_code)) {
      return ctx.FieldError(1,
                            absl::StrCat("'", lw.pcn_code, "' is not a PCN code (U + 5 digits)"));
    }
    if (!absl::SimpleAtod(ctx.field(3), &lw.wte) || !(lw.wte > 0.0 && lw.wte <= 1.5)) {
      return ctx.FieldError(
          3, absl::StrCat("'", ctx.field(3), "' is not a whole-time equivalent in (0, 1.5]"));
    }
    const int default_annual =
        std::max(1, static_cast<int>(std::floor(kDefaultAnnualCapPerWte * lw.wte + 1e-9)));
    const int default_open =
        std::max(1, static_cast<int>(std::floor(kDefaultOpenCapPerWte * lw.wte + 1e-9)));
    absl::StatusOr<int> annual = ParseCap(ctx, 4, default_annual);
    if (!annual.ok()) return annual.status();
    absl::StatusOr<int> open = ParseCap(ctx, 5, default_open);
    if (!open.ok()) return open.status();
    lw.annual_cap = *annual;
    lw.open_cap = *open;
    for (absl::string_view item : absl::StrSplit(ctx.field(6), ';', absl::SkipWhitespace())) {
      const size_t eq = item.find('=');
      const absl::string_view label =
          absl::StripAsciiWhitespace(item.substr(0, std::min(eq, item.size())));
      if (eq == absl::string_view::npos || !IsLabel(label)) {
        return ctx.FieldError(6, absl::StrCat("'", absl::StripAsciiWhitespace(item),
                                              "' is not label=ECL (label: a-z, 0-9, '_', '-')"));
      }
      if (lw.FindSpecialism(label) != nullptr) {
        return ctx.FieldError(6, absl::StrCat("specialism '", label, "' is given twice"));
      }
      Specialism specialism;
      specialism.label = std::string(label);
      specialism.ecl = std::string(absl::StripAsciiWhitespace(item.substr(eq + 1)));
      absl::StatusOr<std::unique_ptr<ConceptPredicate>> predicate =
          compiler.Compile(specialism.ecl);
      if (!predicate.ok()) {
        return ctx.FieldError(
            6, absl::StrCat("specialism '", label, "': ", predicate.status().message()));
      }
      specialism.predicate = std::move(*predicate);
      lw.specialisms.push_back(std::move(specialism));
    }
    for (absl::string_view lang : absl::StrSplit(ctx.field(7), ';', absl::SkipWhitespace())) {
      lang = absl::StripAsciiWhitespace(lang);
      if (!IsLanguageTag(lang)) {
        return ctx.FieldError(
            7, absl::StrCat("'", lang, "' is not a lower-case language tag (e.g. en, pl)"));
      }
      lw.languages.emplace_back(lang);
    }
    for (absl::string_view band : absl::StrSplit(ctx.field(8), ';', absl::SkipWhitespace())) {
      band = absl::StripAsciiWhitespace(band);
      std::optional<AgeRange> range = ParseAgeRange(band);
      if (!range) {
        return ctx.FieldError(
            8, absl::StrCat("'", band, "' is not an age band (\"18-64\" or \"65+\")"));
      }
      lw.age_groups.push_back(*range);
    }
    absl::StatusOr<std::optional<absl::CivilDay>> from = ctx.OptionalDate(9);
    if (!from.ok()) return from.status();
    absl::StatusOr<std::optional<absl::CivilDay>> to = ctx.OptionalDate(10);
    if (!to.ok()) return to.status();
    lw.available_from = *from;
    lw.available_to = *to;
    out->link_workers.push_back(std::move(lw));
  }
  return absl::OkStatus();
}

}  // namespace sprout::routing
