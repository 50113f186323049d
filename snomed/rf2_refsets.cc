// RF2 rows beyond the core three files: simple and map reference sets,
// concrete values and alternate identifiers.
#include <cstdlib>
#include <string>
#include <vector>

#include "snomed/rf2.h"
#include "snomed/rf2_row_reader.h"

namespace sprout::snomed {

using namespace rf2_internal;  // NOLINT(build/namespaces): this library's own internals

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

}  // namespace sprout::snomed
