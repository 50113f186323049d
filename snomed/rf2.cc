// RF2 files as the loader reads them: the header, and the rows of the
// concept, description and relationship files; the refset, map, concrete
// value and identifier rows are in rf2_refsets.cc. Both read lines through
// rf2_row_reader.h.
#include "snomed/rf2.h"

#include "snomed/rf2_row_reader.h"

namespace sprout::snomed {

using namespace rf2_internal;  // NOLINT(build/namespaces): this library's own internals

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
