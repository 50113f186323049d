// File: snomed/rf2.h
//
// RF2 Snapshot file parsing: file-name classification, header checks and row
// parsing into compact row structs. This layer knows nothing of indexes or
// hierarchies; snomed/loader.cc assembles the rows into a Terminology.
//
// Every entry point takes the file's name (for classification and messages)
// and its whole content as a string, so tests are tables of tiny inputs
// (STYLE.md T3). Every error names file, line and what was wrong:
//   "sct2_Concept_Snapshot_INT_20240101.txt:17: field 3 (active) is 'x'; expected 0 or 1"
//
// Files are UTF-8, tab-separated, LF or CRLF line ends, a header row first.
// Terms are not length-capped. All functions are thread-compatible.
#ifndef SPROUT_SNOMED_RF2_H_
#define SPROUT_SNOMED_RF2_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout::snomed {

// What an RF2 file holds, from its name. Only Snapshot files are classified;
// Full and Delta files, and file types the engine does not use (stated
// relationships, OWL, MRCM, module dependency ...), are kIgnored.
enum class Rf2Kind {
  kIgnored,
  kConcept,
  kDescription,   // also sct2_TextDefinition_*
  kRelationship,  // inferred relationships only
  kSimpleRefset,
  kLanguageRefset,
  kAssociationRefset,
  kAttributeValueRefset,
  kSimpleMapRefset,
  kExtendedMapRefset,  // International extended map, UK ICD-10 map (iisssci)
  kComplexMapRefset,
  kConcreteRelationship,  // sct2_RelationshipConcreteValues_*: inferred rows only
  kIdentifier,            // sct2_Identifier_*: alternate identifiers
};

// ClassifyRf2File()
//
// Classifies a file by its base name (a directory part is ignored), accepting
// International names (sct2_Concept_Snapshot_INT_20240101.txt), the UK
// UKCL/UKCR/UKED names (sct2_Concept_UKCLSnapshot_GB1000000_20240410.txt,
// der2_cRefset_LanguageUKCRSnapshot-en_GB1000000_...) and the older UK layout.
// Only *.txt files are classified.
Rf2Kind ClassifyRf2File(absl::string_view file_name);

// VersionDateOf()
//
// The trailing YYYYMMDD of an RF2 file name ("..._20240410.txt"), or "" if none.
std::string VersionDateOf(absl::string_view file_name);

// Rows. Ids are SCTIDs; effective_time is YYYYMMDD as an integer (0 if blank).
struct ConceptRow {
  uint64_t id;
  uint64_t module_id;
  uint64_t definition_status_id;
  uint32_t effective_time;
  bool active;
};

struct DescriptionRow {
  uint64_t id;
  uint64_t module_id;
  uint64_t concept_id;
  uint64_t type_id;
  uint64_t case_significance_id;
  absl::string_view language_code;  // points into the file content
  absl::string_view term;           // points into the file content
  uint32_t effective_time;
  bool active;
};

struct RelationshipRow {
  uint64_t id;
  uint64_t module_id;
  uint64_t source_id;
  uint64_t destination_id;
  uint64_t type_id;
  uint64_t characteristic_type_id;
  uint32_t group;
  uint32_t effective_time;
  bool active;
};

// A relationship with a concrete value. `value` is the RF2 text: #500,
// #0.5, #-2 or "text" (checked when parsed; points into the file content).
struct ConcreteRelationshipRow {
  uint64_t id;
  uint64_t module_id;
  uint64_t source_id;
  uint64_t type_id;
  uint64_t characteristic_type_id;
  absl::string_view value;
  uint32_t group;
  uint32_t effective_time;
  bool active;
};

// An alternate identifier: `alternate_identifier` (the code, pointing into
// the file content) in the scheme `scheme_id` names `referenced_component_id`.
struct IdentifierRow {
  absl::string_view alternate_identifier;
  uint64_t module_id;
  uint64_t scheme_id;
  uint64_t referenced_component_id;
  uint32_t effective_time;
  bool active;
};

// Simple, language, association and attribute-value refset rows. `value` is
// acceptabilityId, targetComponentId or valueId (0 for a simple refset).
// The member UUID is not kept.
struct RefsetRow {
  uint64_t refset_id;
  uint64_t referenced_component_id;
  uint64_t value;
  uint64_t module_id;
  uint32_t effective_time;
  bool active;
};

// Simple, extended and complex map rows. Strings point into the file content.
struct MapRow {
  uint64_t refset_id;
  uint64_t module_id;
  uint64_t referenced_component_id;
  uint64_t correlation_id;   // 0 if the file has no such column
  uint64_t map_category_id;  // 0 if the file has no such column
  absl::string_view map_target;
  absl::string_view map_rule;
  absl::string_view map_advice;
  uint32_t map_group;
  uint32_t map_priority;
  uint32_t effective_time;
  bool active;
};

// The columns of a file, from its header row.
struct Rf2Layout {
  Rf2Kind kind = Rf2Kind::kIgnored;
  size_t columns = 0;
  // Map files only: column positions (-1 if absent).
  int map_target = -1, map_group = -1, map_priority = -1, map_rule = -1, map_advice = -1,
      correlation = -1, map_category = -1;
};

// ReadRf2Header()
//
// Checks the header row of `content` for `kind`. Returns the layout and sets
// *body to the offset of the first data line; INVALID_ARGUMENT "file:1: ..."
// for a missing or wrong header.
absl::StatusOr<Rf2Layout> ReadRf2Header(absl::string_view file_name, absl::string_view content,
                                        Rf2Kind kind, size_t* body);

// Parse*Rows()
//
// Parse `rows`, a run of whole lines from a file body whose first line is line
// `first_line` of the file (so a big file can be parsed in pieces, in
// parallel). Errors as for Parse*File below.
absl::Status ParseConceptRows(absl::string_view file_name, absl::string_view rows, int first_line,
                              std::vector<ConceptRow>* out);
absl::Status ParseDescriptionRows(absl::string_view file_name, absl::string_view rows,
                                  int first_line, std::vector<DescriptionRow>* out);
absl::Status ParseRelationshipRows(absl::string_view file_name, absl::string_view rows,
                                   int first_line, std::vector<RelationshipRow>* out);
absl::Status ParseRefsetRows(absl::string_view file_name, absl::string_view rows, int first_line,
                             const Rf2Layout& layout, std::vector<RefsetRow>* out);
absl::Status ParseMapRows(absl::string_view file_name, absl::string_view rows, int first_line,
                          const Rf2Layout& layout, std::vector<MapRow>* out);
absl::Status ParseConcreteRelationshipRows(absl::string_view file_name, absl::string_view rows,
                                           int first_line,
                                           std::vector<ConcreteRelationshipRow>* out);
absl::Status ParseIdentifierRows(absl::string_view file_name, absl::string_view rows,
                                 int first_line, std::vector<IdentifierRow>* out);

// ParseConcreteValue()
//
// Parses an RF2 concrete value: "#" then a decimal number (sets *number,
// *is_text = false) or a double-quoted string (sets *text to what is
// inside the quotes, *is_text = true). False if malformed.
bool ParseConcreteValue(absl::string_view value, double* number, absl::string_view* text,
                        bool* is_text);

// Parse*File()
//
// Parse the whole content of one file of the given kind, appending rows to
// *out. `file_name` is used only in messages. Returns OK, or
// INVALID_ARGUMENT "file:line: what" for the first bad line (a wrong header,
// a wrong field count, a malformed id, effectiveTime, active flag or integer).
// Every SCTID is checked in full (check digit and the partition its field
// needs: a description id in a description's id field, a concept id in
// conceptId ...), e.g.
//   "sct2_Concept_Snapshot_INT_20240101.txt:17: field 1 (id): SCTID '138875004':
//    check digit is wrong (Verhoeff)"
// An empty file (not even a header) is an error; a header alone is fine.
// REQUIRES: `content` outlives the string_views in the appended rows.
absl::Status ParseConceptFile(absl::string_view file_name, absl::string_view content,
                              std::vector<ConceptRow>* out);
absl::Status ParseDescriptionFile(absl::string_view file_name, absl::string_view content,
                                  std::vector<DescriptionRow>* out);
absl::Status ParseRelationshipFile(absl::string_view file_name, absl::string_view content,
                                   std::vector<RelationshipRow>* out);
// kind must be kSimpleRefset, kLanguageRefset, kAssociationRefset or kAttributeValueRefset.
absl::Status ParseRefsetFile(absl::string_view file_name, absl::string_view content, Rf2Kind kind,
                             std::vector<RefsetRow>* out);
// kind must be kSimpleMapRefset, kExtendedMapRefset or kComplexMapRefset.
absl::Status ParseMapFile(absl::string_view file_name, absl::string_view content, Rf2Kind kind,
                          std::vector<MapRow>* out);

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_RF2_H_
