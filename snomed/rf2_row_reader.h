// File: snomed/rf2_row_reader.h
//
// Internal to the RF2 parsers (rf2.cc, rf2_refsets.cc): reading an RF2 file
// line by line, splitting and checking its fields, and naming the file, line
// and column of what is wrong. Not part of the snomed library's interface.
#ifndef SPROUT_SNOMED_RF2_ROW_READER_H_
#define SPROUT_SNOMED_RF2_ROW_READER_H_

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "snomed/rf2.h"
#include "snomed/sctid.h"

namespace sprout::snomed::rf2_internal {

// Splits `line` on tabs into `fields`; returns the number of fields found
// (which may exceed `max`, in which case only `max` are stored).
inline size_t SplitTabs(absl::string_view line, absl::string_view* fields, size_t max) {
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
inline bool ValidUtf8(absl::string_view s) {
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

}  // namespace sprout::snomed::rf2_internal

#endif  // SPROUT_SNOMED_RF2_ROW_READER_H_
