#include "snomed/rf2.h"

#include <cstdlib>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "snomed/sctid.h"

namespace sprout::snomed {
namespace {

// Splits `line` on tabs into `fields`; returns the number of fields found
// (which may exceed `max`, in which case only `max` are stored).
size_t SplitTabs(absl::string_view line, absl::string_view* fields, size_t max) {
  size_t n = 0;
  const char* p = line.data();
  const char* end = p + line.size();
  while (true) {
    const char* tab = static_cast<const char*>(memchr(p, '\t', end - p));
    const char* stop = tab ? tab : end;
    if (n < max) fields[n] = absl::string_view(p, stop - p);
    ++n;
    if (!tab) break;
    p = tab + 1;
  }
  return n;
}

// True iff `s` is well-formed UTF-8 (no overlong forms, surrogates or code
// points above U+10FFFF). ASCII runs are skipped eight bytes at a time.
bool ValidUtf8(absl::string_view s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* end = p + s.size();
  while (p < end) {
    if (end - p >= 8) {
      uint64_t w;
      memcpy(&w, p, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int k = 1; k <= n; ++k) {
      if ((p[k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[k] & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    p += n + 1;
  }
  return true;
}

// Iterates the lines of a file (or of a run of whole lines in it), stripping a
// trailing CR; a leading BOM is skipped when reading from the file start.
class LineReader {
 public:
  LineReader(absl::string_view content, int first_line)
      : p_(content.data()), end_(p_ + content.size()), line_number_(first_line - 1) {
    if (first_line == 1 && content.size() >= 3 && memcmp(p_, "\xEF\xBB\xBF", 3) == 0) p_ += 3;
  }
  bool Next(absl::string_view* line) {
    if (p_ >= end_) return false;
    const char* nl = static_cast<const char*>(memchr(p_, '\n', end_ - p_));
    const char* stop = nl ? nl : end_;
    const char* e = stop;
    if (e > p_ && e[-1] == '\r') --e;
    *line = absl::string_view(p_, e - p_);
    p_ = nl ? nl + 1 : end_;
    ++line_number_;
    return true;
  }
  int line_number() const { return line_number_; }
  size_t consumed(absl::string_view content) const { return p_ - content.data(); }

 private:
  const char* p_;
  const char* end_;
  int line_number_;
};

// Context for one file: produces "file:line: ..." errors.
class FileContext {
 public:
  FileContext(absl::string_view file_name, absl::string_view content, int first_line = 1)
      : file_name_(file_name), reader_(content, first_line) {}

  LineReader& reader() { return reader_; }

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name_, ":", reader_.line_number(), ": ", what));
  }

  // Reads and checks the header row; fills *columns with the names.
  absl::Status ReadHeader(std::vector<absl::string_view>* columns) {
    absl::string_view line;
    if (!reader_.Next(&line)) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name_, ":1: file is empty; expected a header row"));
    }
    *columns = absl::StrSplit(line, '\t');
    return absl::OkStatus();
  }

  absl::Status ExpectHeader(absl::Span<const char* const> expected,
                            std::vector<absl::string_view>* columns) {
    absl::Status s = ReadHeader(columns);
    if (!s.ok()) return s;
    bool ok = columns->size() == expected.size();
    for (size_t i = 0; ok && i < expected.size(); ++i) ok = (*columns)[i] == expected[i];
    if (!ok) {
      return Error(absl::StrCat("header is '", absl::StrJoin(*columns, "\\t"), "'; expected '",
                                absl::StrJoin(expected, "\\t"), "'"));
    }
    return absl::OkStatus();
  }

  absl::Status FieldCount(size_t got, size_t want) const {
    return Error(absl::StrCat("has ", got, " fields; expected ", want));
  }

  bool Id(absl::string_view f, size_t index, absl::string_view name, uint64_t* out,
          absl::Status* status) const {
    if (f.empty() || f.size() > 19 || f[0] == '0') return BadId(f, index, name, status);
    uint64_t v = 0;
    for (char c : f) {
      unsigned d = static_cast<unsigned char>(c) - '0';
      if (d > 9) return BadId(f, index, name, status);
      v = v * 10 + d;
    }
    *out = v;
    return true;
  }

  bool Uint(absl::string_view f, size_t index, absl::string_view name, uint32_t* out,
            absl::Status* status) const {
    if (f.empty() || f.size() > 9) return Bad(f, index, name, "an integer", status);
    uint32_t v = 0;
    for (char c : f) {
      unsigned d = static_cast<unsigned char>(c) - '0';
      if (d > 9) return Bad(f, index, name, "an integer", status);
      v = v * 10 + d;
    }
    *out = v;
    return true;
  }

  bool Time(absl::string_view f, size_t index, uint32_t* out, absl::Status* status) const {
    if (f.empty()) {  // Seen in demo and authoring data; treated as the epoch.
      *out = 0;
      return true;
    }
    if (f.size() != 8) return Bad(f, index, "effectiveTime", "a date YYYYMMDD", status);
    uint32_t v = 0;
    for (char c : f) {
      unsigned d = static_cast<unsigned char>(c) - '0';
      if (d > 9) return Bad(f, index, "effectiveTime", "a date YYYYMMDD", status);
      v = v * 10 + d;
    }
    *out = v;
    return true;
  }

  bool Active(absl::string_view f, size_t index, bool* out, absl::Status* status) const {
    if (f.size() == 1 && (f[0] == '0' || f[0] == '1')) {
      *out = f[0] == '1';
      return true;
    }
    return Bad(f, index, "active", "0 or 1", status);
  }

 private:
  bool BadId(absl::string_view f, size_t index, absl::string_view name,
             absl::Status* status) const {
    return Bad(f, index, name, "an SCTID", status);
  }
  bool Bad(absl::string_view f, size_t index, absl::string_view name, absl::string_view expected,
           absl::Status* status) const {
    absl::string_view shown = f.size() > 40 ? f.substr(0, 40) : f;
    *status = Error(absl::StrCat("field ", index + 1, " (", name, ") is '", shown,
                                 f.size() > 40 ? "...'" : "'", "; expected ", expected));
    return false;
  }

  absl::string_view file_name_;
  LineReader reader_;
};

// Checks the SCTIDs of parsed rows (Verhoeff check digit and partition), so
// a release with a mistyped id stops loading at the row that carries it rather
// than serving an id that GetConcept and ValidateCode would call malformed.
// The last valid value of each field is remembered: module, type,
// characteristic and refset ids repeat on almost every row, so only the ids
// that change (a row's own id, its concept, a relationship's destination)
// cost a check digit computation.
class IdChecker {
 public:
  // True if `id`, field `index` (0-based) named `name`, is an SCTID in one of
  // the `allowed` partitions; otherwise sets *status to
  // "file:line: field N (name): SCTID '...': <the rule broken>".
  bool Check(const FileContext& ctx, size_t index, absl::string_view name, uint64_t id,
             PartitionSet allowed, absl::Status* status) {
    if (index < kFields && id == last_[index] && id != 0) return true;
    if (IsValidSctid(id, allowed)) {
      if (index < kFields) last_[index] = id;
      return true;
    }
    absl::StatusOr<uint64_t> parsed = ParseSctid(absl::StrCat(id), allowed);
    *status =
        ctx.Error(absl::StrCat("field ", index + 1, " (", name, "): ", parsed.status().message()));
    return false;
  }

 private:
  static constexpr size_t kFields = 16;
  uint64_t last_[kFields] = {};
};

// Ids that a refset's referencedComponentId, or an association's target, may
// be: any component.
constexpr PartitionSet kComponentPartitions =
    kConceptPartitions | kDescriptionPartitions | kRelationshipPartitions;

// The fused fast path: one pass over a line, parsing numbers as it finds the
// tabs. On anything unexpected it returns false and the caller parses the line
// again field by field, which produces the exact error message.
enum FieldKind : uint8_t { kFId, kFTime, kFActive, kFUint, kFNonEmpty, kFText };

template <size_t N>
bool FastRow(absl::string_view line, const FieldKind (&kinds)[N], uint64_t* vals,
             absl::string_view* texts) {
  const char* p = line.data();
  const char* end = p + line.size();
  for (size_t i = 0; i < N; ++i) {
    const char* s = p;
    FieldKind k = kinds[i];
    if (k == kFNonEmpty || k == kFText) {
      const char* t = static_cast<const char*>(memchr(p, '\t', end - p));
      p = t != nullptr ? t : end;
      if (k == kFNonEmpty && p == s) return false;
      texts[i] = absl::string_view(s, p - s);
    } else {
      uint64_t v = 0;
      while (p < end) {
        unsigned d = static_cast<unsigned char>(*p) - '0';
        if (d > 9) break;
        v = v * 10 + d;
        ++p;
      }
      size_t len = p - s;
      bool ok = k == kFId       ? (len >= 1 && len <= 19 && *s != '0')
                : k == kFTime   ? (len == 0 || len == 8)
                : k == kFActive ? (len == 1 && v <= 1)
                                : (len >= 1 && len <= 9);
      if (!ok) return false;
      vals[i] = v;
    }
    if (i + 1 < N) {
      if (p >= end || *p != '\t') return false;
      ++p;
    } else if (p != end) {
      return false;
    }
  }
  return true;
}

constexpr FieldKind kConceptKinds[] = {kFId, kFTime, kFActive, kFId, kFId};
constexpr FieldKind kDescriptionKinds[] = {kFId,   kFTime, kFActive,   kFId, kFId,
                                           kFText, kFId,   kFNonEmpty, kFId};
constexpr FieldKind kRelationshipKinds[] = {kFId, kFTime, kFActive, kFId, kFId,
                                            kFId, kFUint, kFId,     kFId, kFId};
constexpr FieldKind kRefsetKinds[] = {kFNonEmpty, kFTime, kFActive, kFId, kFId, kFId};
constexpr FieldKind kRefsetValueKinds[] = {kFNonEmpty, kFTime, kFActive, kFId, kFId, kFId, kFId};

constexpr const char* kConceptHeader[] = {"id", "effectiveTime", "active", "moduleId",
                                          "definitionStatusId"};
constexpr const char* kDescriptionHeader[] = {"id",       "effectiveTime", "active",
                                              "moduleId", "conceptId",     "languageCode",
                                              "typeId",   "term",          "caseSignificanceId"};
constexpr const char* kRelationshipHeader[] = {"id",
                                               "effectiveTime",
                                               "active",
                                               "moduleId",
                                               "sourceId",
                                               "destinationId",
                                               "relationshipGroup",
                                               "typeId",
                                               "characteristicTypeId",
                                               "modifierId"};
constexpr const char* kConcreteHeader[] = {"id",
                                           "effectiveTime",
                                           "active",
                                           "moduleId",
                                           "sourceId",
                                           "value",
                                           "relationshipGroup",
                                           "typeId",
                                           "characteristicTypeId",
                                           "modifierId"};
constexpr const char* kIdentifierHeader[] = {
    "alternateIdentifier", "effectiveTime",        "active", "moduleId",
    "identifierSchemeId",  "referencedComponentId"};
constexpr const char* kRefsetPrefix[] = {"id",       "effectiveTime", "active",
                                         "moduleId", "refsetId",      "referencedComponentId"};

}  // namespace

absl::StatusOr<Rf2Layout> ReadRf2Header(absl::string_view file_name, absl::string_view content,
                                        Rf2Kind kind, size_t* body) {
  FileContext ctx(file_name, content);
  std::vector<absl::string_view> columns;
  Rf2Layout layout;
  layout.kind = kind;
  absl::Status s;
  switch (kind) {
    case Rf2Kind::kConcept:
      s = ctx.ExpectHeader(kConceptHeader, &columns);
      break;
    case Rf2Kind::kDescription:
      s = ctx.ExpectHeader(kDescriptionHeader, &columns);
      break;
    case Rf2Kind::kRelationship:
      s = ctx.ExpectHeader(kRelationshipHeader, &columns);
      break;
    case Rf2Kind::kConcreteRelationship:
      s = ctx.ExpectHeader(kConcreteHeader, &columns);
      break;
    case Rf2Kind::kIdentifier:
      s = ctx.ExpectHeader(kIdentifierHeader, &columns);
      break;
    case Rf2Kind::kSimpleRefset:
    case Rf2Kind::kLanguageRefset:
    case Rf2Kind::kAssociationRefset:
    case Rf2Kind::kAttributeValueRefset: {
      std::vector<const char*> expected(std::begin(kRefsetPrefix), std::end(kRefsetPrefix));
      if (kind == Rf2Kind::kLanguageRefset) expected.push_back("acceptabilityId");
      if (kind == Rf2Kind::kAssociationRefset) expected.push_back("targetComponentId");
      if (kind == Rf2Kind::kAttributeValueRefset) expected.push_back("valueId");
      s = ctx.ExpectHeader(expected, &columns);
      break;
    }
    case Rf2Kind::kSimpleMapRefset:
    case Rf2Kind::kExtendedMapRefset:
    case Rf2Kind::kComplexMapRefset: {
      s = ctx.ReadHeader(&columns);
      if (!s.ok()) return s;
      bool prefix_ok = columns.size() >= 7;
      for (size_t i = 0; prefix_ok && i < 6; ++i) prefix_ok = columns[i] == kRefsetPrefix[i];
      // Columns after the standard six are found by name, so the International
      // (iissscc), UK ICD-10 (iisssci, with mapBlock) and simple map layouts all work.
      for (size_t i = 6; i < columns.size(); ++i) {
        absl::string_view c = columns[i];
        int at = static_cast<int>(i);
        if (c == "mapTarget")
          layout.map_target = at;
        else if (c == "mapGroup")
          layout.map_group = at;
        else if (c == "mapPriority")
          layout.map_priority = at;
        else if (c == "mapRule")
          layout.map_rule = at;
        else if (c == "mapAdvice")
          layout.map_advice = at;
        else if (c == "correlationId")
          layout.correlation = at;
        else if (c == "mapCategoryId")
          layout.map_category = at;
      }
      bool complex = kind != Rf2Kind::kSimpleMapRefset;
      if (!prefix_ok || layout.map_target < 0 ||
          (complex && (layout.map_group < 0 || layout.map_priority < 0 || layout.map_rule < 0 ||
                       layout.map_advice < 0 || layout.correlation < 0))) {
        return ctx.Error(absl::StrCat(
            "header is '", absl::StrJoin(columns, "\\t"),
            "'; expected the six refset columns then ",
            complex ? "mapGroup, mapPriority, mapRule, mapAdvice, mapTarget, correlationId"
                    : "mapTarget"));
      }
      break;
    }
    case Rf2Kind::kIgnored:
      return absl::InternalError("ReadRf2Header: an ignored file kind");
  }
  if (!s.ok()) return s;
  layout.columns = columns.size();
  *body = ctx.reader().consumed(content);
  return layout;
}

absl::Status ParseConceptRows(absl::string_view file_name, absl::string_view rows, int first_line,
                              std::vector<ConceptRow>* out) {
  FileContext ctx(file_name, rows, first_line);
  IdChecker ids;
  absl::Status s;
  absl::string_view line;
  absl::string_view f[5];
  uint64_t v[5];
  while (ctx.reader().Next(&line)) {
    if (line.empty()) continue;
    ConceptRow r;
    if (FastRow(line, kConceptKinds, v, f)) {
      r = ConceptRow{v[0], v[3], v[4], static_cast<uint32_t>(v[1]), v[2] == 1};
    } else {
      size_t n = SplitTabs(line, f, 5);
      if (n != 5) return ctx.FieldCount(n, 5);
      if (!ctx.Id(f[0], 0, "id", &r.id, &s) || !ctx.Time(f[1], 1, &r.effective_time, &s) ||
          !ctx.Active(f[2], 2, &r.active, &s) || !ctx.Id(f[3], 3, "moduleId", &r.module_id, &s) ||
          !ctx.Id(f[4], 4, "definitionStatusId", &r.definition_status_id, &s)) {
        return s;
      }
    }
    if (!ids.Check(ctx, 0, "id", r.id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 3, "moduleId", r.module_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 4, "definitionStatusId", r.definition_status_id, kConceptPartitions, &s)) {
      return s;
    }
    out->push_back(r);
  }
  return absl::OkStatus();
}

absl::Status ParseDescriptionRows(absl::string_view file_name, absl::string_view rows,
                                  int first_line, std::vector<DescriptionRow>* out) {
  FileContext ctx(file_name, rows, first_line);
  IdChecker ids;
  absl::Status s;
  absl::string_view line;
  absl::string_view f[9];
  uint64_t v[9];
  while (ctx.reader().Next(&line)) {
    if (line.empty()) continue;
    DescriptionRow r;
    if (FastRow(line, kDescriptionKinds, v, f) && ValidUtf8(f[7])) {
      r.id = v[0];
      r.effective_time = static_cast<uint32_t>(v[1]);
      r.active = v[2] == 1;
      r.module_id = v[3];
      r.concept_id = v[4];
      r.language_code = f[5];
      r.type_id = v[6];
      r.term = f[7];
      r.case_significance_id = v[8];
    } else {
      size_t n = SplitTabs(line, f, 9);
      if (n != 9) return ctx.FieldCount(n, 9);
      if (!ctx.Id(f[0], 0, "id", &r.id, &s) || !ctx.Time(f[1], 1, &r.effective_time, &s) ||
          !ctx.Active(f[2], 2, &r.active, &s) || !ctx.Id(f[3], 3, "moduleId", &r.module_id, &s) ||
          !ctx.Id(f[4], 4, "conceptId", &r.concept_id, &s) ||
          !ctx.Id(f[6], 6, "typeId", &r.type_id, &s) ||
          !ctx.Id(f[8], 8, "caseSignificanceId", &r.case_significance_id, &s)) {
        return s;
      }
      if (f[7].empty()) return ctx.Error("field 8 (term) is empty");
      if (!ValidUtf8(f[7])) return ctx.Error("field 8 (term) is not valid UTF-8");
      r.language_code = f[5];
      r.term = f[7];
    }
    if (!ids.Check(ctx, 0, "id", r.id, kDescriptionPartitions, &s) ||
        !ids.Check(ctx, 3, "moduleId", r.module_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 4, "conceptId", r.concept_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 6, "typeId", r.type_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 8, "caseSignificanceId", r.case_significance_id, kConceptPartitions, &s)) {
      return s;
    }
    out->push_back(r);
  }
  return absl::OkStatus();
}

absl::Status ParseRelationshipRows(absl::string_view file_name, absl::string_view rows,
                                   int first_line, std::vector<RelationshipRow>* out) {
  FileContext ctx(file_name, rows, first_line);
  absl::Status s;
  absl::string_view line;
  absl::string_view f[10];
  uint64_t v[10];
  IdChecker ids;
  while (ctx.reader().Next(&line)) {
    if (line.empty()) continue;
    RelationshipRow r;
    uint64_t modifier_id;
    if (FastRow(line, kRelationshipKinds, v, f)) {
      r.id = v[0];
      r.effective_time = static_cast<uint32_t>(v[1]);
      r.active = v[2] == 1;
      r.module_id = v[3];
      r.source_id = v[4];
      r.destination_id = v[5];
      r.group = static_cast<uint32_t>(v[6]);
      r.type_id = v[7];
      r.characteristic_type_id = v[8];
      modifier_id = v[9];
    } else {
      size_t n = SplitTabs(line, f, 10);
      if (n != 10) return ctx.FieldCount(n, 10);
      if (!ctx.Id(f[0], 0, "id", &r.id, &s) || !ctx.Time(f[1], 1, &r.effective_time, &s) ||
          !ctx.Active(f[2], 2, &r.active, &s) || !ctx.Id(f[3], 3, "moduleId", &r.module_id, &s) ||
          !ctx.Id(f[4], 4, "sourceId", &r.source_id, &s) ||
          !ctx.Id(f[5], 5, "destinationId", &r.destination_id, &s) ||
          !ctx.Uint(f[6], 6, "relationshipGroup", &r.group, &s) ||
          !ctx.Id(f[7], 7, "typeId", &r.type_id, &s) ||
          !ctx.Id(f[8], 8, "characteristicTypeId", &r.characteristic_type_id, &s) ||
          !ctx.Id(f[9], 9, "modifierId", &modifier_id, &s)) {
        return s;
      }
    }
    if (!ids.Check(ctx, 0, "id", r.id, kRelationshipPartitions, &s) ||
        !ids.Check(ctx, 3, "moduleId", r.module_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 4, "sourceId", r.source_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 5, "destinationId", r.destination_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 7, "typeId", r.type_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 8, "characteristicTypeId", r.characteristic_type_id, kConceptPartitions,
                   &s) ||
        !ids.Check(ctx, 9, "modifierId", modifier_id, kConceptPartitions, &s)) {
      return s;
    }
    out->push_back(r);
  }
  return absl::OkStatus();
}

absl::Status ParseRefsetRows(absl::string_view file_name, absl::string_view rows, int first_line,
                             const Rf2Layout& layout, std::vector<RefsetRow>* out) {
  FileContext ctx(file_name, rows, first_line);
  const char* extra = layout.kind == Rf2Kind::kLanguageRefset         ? "acceptabilityId"
                      : layout.kind == Rf2Kind::kAssociationRefset    ? "targetComponentId"
                      : layout.kind == Rf2Kind::kAttributeValueRefset ? "valueId"
                                                                      : nullptr;
  const size_t want = extra != nullptr ? 7 : 6;
  absl::Status s;
  absl::string_view line;
  absl::string_view f[7];
  uint64_t v[7];
  IdChecker ids;
  // acceptabilityId and valueId are concepts; an association's target may be
  // a concept or a description.
  const PartitionSet value_partitions =
      layout.kind == Rf2Kind::kAssociationRefset ? kComponentPartitions : kConceptPartitions;
  while (ctx.reader().Next(&line)) {
    if (line.empty()) continue;
    RefsetRow r;
    if (extra != nullptr ? FastRow(line, kRefsetValueKinds, v, f)
                         : FastRow(line, kRefsetKinds, v, f)) {
      r = RefsetRow{v[4],     v[5], extra != nullptr ? v[6] : 0, v[3], static_cast<uint32_t>(v[1]),
                    v[2] == 1};
    } else {
      size_t n = SplitTabs(line, f, 7);
      if (n != want) return ctx.FieldCount(n, want);
      r.value = 0;
      if (f[0].empty()) return ctx.Error("field 1 (id) is empty; expected a UUID");
      if (!ctx.Time(f[1], 1, &r.effective_time, &s) || !ctx.Active(f[2], 2, &r.active, &s) ||
          !ctx.Id(f[3], 3, "moduleId", &r.module_id, &s) ||
          !ctx.Id(f[4], 4, "refsetId", &r.refset_id, &s) ||
          !ctx.Id(f[5], 5, "referencedComponentId", &r.referenced_component_id, &s) ||
          (extra != nullptr && !ctx.Id(f[6], 6, extra, &r.value, &s))) {
        return s;
      }
    }
    if (!ids.Check(ctx, 3, "moduleId", r.module_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 4, "refsetId", r.refset_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 5, "referencedComponentId", r.referenced_component_id, kComponentPartitions,
                   &s) ||
        (extra != nullptr && !ids.Check(ctx, 6, extra, r.value, value_partitions, &s))) {
      return s;
    }
    out->push_back(r);
  }
  return absl::OkStatus();
}

absl::Status ParseMapRows(absl::string_view file_name, absl::string_view rows, int first_line,
                          const Rf2Layout& layout, std::vector<MapRow>* out) {
  FileContext ctx(file_name, rows, first_line);
  const bool complex = layout.kind != Rf2Kind::kSimpleMapRefset;
  const size_t want = layout.columns;
  std::vector<absl::string_view> f(want);
  absl::Status s;
  IdChecker ids;
  absl::string_view line;
  while (ctx.reader().Next(&line)) {
    if (line.empty()) continue;
    size_t n = SplitTabs(line, f.data(), want);
    if (n != want) return ctx.FieldCount(n, want);
    MapRow r{};
    if (f[0].empty()) return ctx.Error("field 1 (id) is empty; expected a UUID");
    if (!ctx.Time(f[1], 1, &r.effective_time, &s) || !ctx.Active(f[2], 2, &r.active, &s) ||
        !ctx.Id(f[3], 3, "moduleId", &r.module_id, &s) ||
        !ctx.Id(f[4], 4, "refsetId", &r.refset_id, &s) ||
        !ctx.Id(f[5], 5, "referencedComponentId", &r.referenced_component_id, &s) ||
        !ids.Check(ctx, 3, "moduleId", r.module_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 4, "refsetId", r.refset_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 5, "referencedComponentId", r.referenced_component_id, kComponentPartitions,
                   &s)) {
      return s;
    }
    r.map_target = f[layout.map_target];
    if (complex) {
      if (!ctx.Uint(f[layout.map_group], layout.map_group, "mapGroup", &r.map_group, &s) ||
          !ctx.Uint(f[layout.map_priority], layout.map_priority, "mapPriority", &r.map_priority,
                    &s) ||
          !ctx.Id(f[layout.correlation], layout.correlation, "correlationId", &r.correlation_id,
                  &s) ||
          !ids.Check(ctx, layout.correlation, "correlationId", r.correlation_id, kConceptPartitions,
                     &s) ||
          (layout.map_category >= 0 && (!ctx.Id(f[layout.map_category], layout.map_category,
                                                "mapCategoryId", &r.map_category_id, &s) ||
                                        !ids.Check(ctx, layout.map_category, "mapCategoryId",
                                                   r.map_category_id, kConceptPartitions, &s)))) {
        return s;
      }
      r.map_rule = f[layout.map_rule];
      r.map_advice = f[layout.map_advice];
    }
    out->push_back(r);
  }
  return absl::OkStatus();
}

bool ParseConcreteValue(absl::string_view value, double* number, absl::string_view* text,
                        bool* is_text) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    *text = value.substr(1, value.size() - 2);
    *is_text = true;
    return true;
  }
  if (value.size() < 2 || value[0] != '#') return false;
  absl::string_view digits = value.substr(1);
  size_t k = 0;
  if (k < digits.size() && (digits[k] == '-' || digits[k] == '+')) ++k;
  size_t int_digits = 0, frac_digits = 0;
  while (k < digits.size() && isdigit(static_cast<unsigned char>(digits[k]))) ++k, ++int_digits;
  if (k < digits.size() && digits[k] == '.') {
    ++k;
    while (k < digits.size() && isdigit(static_cast<unsigned char>(digits[k]))) ++k, ++frac_digits;
  }
  if (k != digits.size() || int_digits == 0 || int_digits + frac_digits > 30) return false;
  *number = std::strtod(std::string(digits).c_str(), nullptr);
  *is_text = false;
  return true;
}

absl::Status ParseConcreteRelationshipRows(absl::string_view file_name, absl::string_view rows,
                                           int first_line,
                                           std::vector<ConcreteRelationshipRow>* out) {
  FileContext ctx(file_name, rows, first_line);
  absl::Status s;
  absl::string_view line;
  absl::string_view f[10];
  IdChecker ids;
  while (ctx.reader().Next(&line)) {
    if (line.empty()) continue;
    ConcreteRelationshipRow r;
    uint64_t modifier_id;
    size_t n = SplitTabs(line, f, 10);
    if (n != 10) return ctx.FieldCount(n, 10);
    if (!ctx.Id(f[0], 0, "id", &r.id, &s) || !ctx.Time(f[1], 1, &r.effective_time, &s) ||
        !ctx.Active(f[2], 2, &r.active, &s) || !ctx.Id(f[3], 3, "moduleId", &r.module_id, &s) ||
        !ctx.Id(f[4], 4, "sourceId", &r.source_id, &s) ||
        !ctx.Uint(f[6], 6, "relationshipGroup", &r.group, &s) ||
        !ctx.Id(f[7], 7, "typeId", &r.type_id, &s) ||
        !ctx.Id(f[8], 8, "characteristicTypeId", &r.characteristic_type_id, &s) ||
        !ctx.Id(f[9], 9, "modifierId", &modifier_id, &s)) {
      return s;
    }
    double number;
    absl::string_view text;
    bool is_text;
    if (!ParseConcreteValue(f[5], &number, &text, &is_text)) {
      absl::string_view shown = f[5].size() > 40 ? f[5].substr(0, 40) : f[5];
      return ctx.Error(absl::StrCat("field 6 (value) is '", shown,
                                    "'; expected #number (e.g. #500, #0.5) or \"text\""));
    }
    r.value = f[5];
    if (!ids.Check(ctx, 0, "id", r.id, kRelationshipPartitions, &s) ||
        !ids.Check(ctx, 3, "moduleId", r.module_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 4, "sourceId", r.source_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 7, "typeId", r.type_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 8, "characteristicTypeId", r.characteristic_type_id, kConceptPartitions,
                   &s) ||
        !ids.Check(ctx, 9, "modifierId", modifier_id, kConceptPartitions, &s)) {
      return s;
    }
    out->push_back(r);
  }
  return absl::OkStatus();
}

absl::Status ParseIdentifierRows(absl::string_view file_name, absl::string_view rows,
                                 int first_line, std::vector<IdentifierRow>* out) {
  FileContext ctx(file_name, rows, first_line);
  absl::Status s;
  absl::string_view line;
  absl::string_view f[6];
  IdChecker ids;
  while (ctx.reader().Next(&line)) {
    if (line.empty()) continue;
    IdentifierRow r;
    size_t n = SplitTabs(line, f, 6);
    if (n != 6) return ctx.FieldCount(n, 6);
    if (f[0].empty()) return ctx.Error("field 1 (alternateIdentifier) is empty");
    if (!ctx.Time(f[1], 1, &r.effective_time, &s) || !ctx.Active(f[2], 2, &r.active, &s) ||
        !ctx.Id(f[3], 3, "moduleId", &r.module_id, &s) ||
        !ctx.Id(f[4], 4, "identifierSchemeId", &r.scheme_id, &s) ||
        !ctx.Id(f[5], 5, "referencedComponentId", &r.referenced_component_id, &s) ||
        !ids.Check(ctx, 3, "moduleId", r.module_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 4, "identifierSchemeId", r.scheme_id, kConceptPartitions, &s) ||
        !ids.Check(ctx, 5, "referencedComponentId", r.referenced_component_id, kComponentPartitions,
                   &s)) {
      return s;
    }
    r.alternate_identifier = f[0];
    out->push_back(r);
  }
  return absl::OkStatus();
}

namespace {

template <typename Row, typename ParseFn>
absl::Status ParseWholeFile(absl::string_view file_name, absl::string_view content, Rf2Kind kind,
                            ParseFn parse, std::vector<Row>* out) {
  size_t body = 0;
  absl::StatusOr<Rf2Layout> layout = ReadRf2Header(file_name, content, kind, &body);
  if (!layout.ok()) return layout.status();
  return parse(content.substr(body), *layout, out);
}

}  // namespace

absl::Status ParseConceptFile(absl::string_view file_name, absl::string_view content,
                              std::vector<ConceptRow>* out) {
  return ParseWholeFile(
      file_name, content, Rf2Kind::kConcept,
      [&](absl::string_view rows, const Rf2Layout&, std::vector<ConceptRow>* o) {
        return ParseConceptRows(file_name, rows, 2, o);
      },
      out);
}

absl::Status ParseDescriptionFile(absl::string_view file_name, absl::string_view content,
                                  std::vector<DescriptionRow>* out) {
  return ParseWholeFile(
      file_name, content, Rf2Kind::kDescription,
      [&](absl::string_view rows, const Rf2Layout&, std::vector<DescriptionRow>* o) {
        return ParseDescriptionRows(file_name, rows, 2, o);
      },
      out);
}

absl::Status ParseRelationshipFile(absl::string_view file_name, absl::string_view content,
                                   std::vector<RelationshipRow>* out) {
  return ParseWholeFile(
      file_name, content, Rf2Kind::kRelationship,
      [&](absl::string_view rows, const Rf2Layout&, std::vector<RelationshipRow>* o) {
        return ParseRelationshipRows(file_name, rows, 2, o);
      },
      out);
}

absl::Status ParseRefsetFile(absl::string_view file_name, absl::string_view content, Rf2Kind kind,
                             std::vector<RefsetRow>* out) {
  if (kind != Rf2Kind::kSimpleRefset && kind != Rf2Kind::kLanguageRefset &&
      kind != Rf2Kind::kAssociationRefset && kind != Rf2Kind::kAttributeValueRefset) {
    return absl::InternalError("ParseRefsetFile: not a refset kind");
  }
  return ParseWholeFile(
      file_name, content, kind,
      [&](absl::string_view rows, const Rf2Layout& l, std::vector<RefsetRow>* o) {
        return ParseRefsetRows(file_name, rows, 2, l, o);
      },
      out);
}

absl::Status ParseMapFile(absl::string_view file_name, absl::string_view content, Rf2Kind kind,
                          std::vector<MapRow>* out) {
  return ParseWholeFile(
      file_name, content, kind,
      [&](absl::string_view rows, const Rf2Layout& l, std::vector<MapRow>* o) {
        return ParseMapRows(file_name, rows, 2, l, o);
      },
      out);
}

}  // namespace sprout::snomed
