// File: snomed/terminology_data.h
//
// The flat, index-based representation behind a Terminology. Internal to the
// snomed library (loader, cache, ECL, search); other components use
// snomed/terminology.h. Every member is a contiguous array of trivially
// copyable values so the binary cache can write and restore it as blobs.
//
// Concepts are numbered by dense uint32 indexes in increasing SCTID order, so
// a sorted list of indexes is also a sorted list of SCTIDs.
#ifndef SPROUT_SNOMED_TERMINOLOGY_DATA_H_
#define SPROUT_SNOMED_TERMINOLOGY_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/types/span.h"

namespace sprout::snomed {

constexpr uint32_t kNoIndex = 0xFFFFFFFFu;

// Compressed sparse rows: row i is values[offsets[i] .. offsets[i+1]).
template <typename T>
struct Csr {
  std::vector<uint32_t> offsets;  // rows + 1 entries (empty when there are no rows)
  std::vector<T> values;
  absl::Span<const T> Row(uint32_t i) const {
    if (static_cast<size_t>(i) + 1 >= offsets.size()) return {};
    return absl::Span<const T>(values.data() + offsets[i], offsets[i + 1] - offsets[i]);
  }
};

// Concept flags.
constexpr uint8_t kConceptActive = 1;
constexpr uint8_t kConceptFullyDefined = 2;

// Description type codes.
enum DescriptionType : uint8_t { kFsn = 0, kSynonym = 1, kDefinition = 2, kOtherType = 3 };

struct DescriptionRecord {
  uint64_t id;
  uint32_t concept;      // concept index
  uint32_t term_offset;  // into TerminologyData::terms
  uint32_t term_length;
  uint32_t effective_time;
  uint8_t type;  // DescriptionType
  uint8_t active;
  uint8_t case_significance;  // 0 initial insensitive, 1 insensitive, 2 sensitive, 3 other
  char language[2];           // e.g. "en"
  uint16_t module;            // slot in TerminologyData::module_ids (fits the padding)
};

// Language refset entry for a description: language-refset slot and acceptability.
struct LanguageEntry {
  uint16_t refset_slot;  // index into TerminologyData::language_refsets
  uint8_t preferred;     // 1 preferred, 0 acceptable
  uint8_t pad;
};

// An active inferred relationship, seen from one end.
struct RelEdge {
  uint32_t type;   // concept index of the attribute
  uint32_t other;  // destination (in rels_out) or source (in rels_in) concept index
  uint32_t group;
};

// A historical association from an inactive concept.
struct HistoryRecord {
  uint32_t source;  // concept index
  uint32_t pad;
  uint64_t refset_id;  // e.g. 900000000000526001 REPLACED BY
  uint64_t target_id;  // the target SCTID (may lie outside the release)
};

// One refset member row (the latest version, active or not) whose referenced
// component is a concept of the release: what ECL member filters and field
// selection read. `value` is the additional concept-valued column:
// targetComponentId (association), valueId (attribute value), 0 for simple
// and map refsets (map targets are strings, kept in MapRecord).
struct MemberRecord {
  uint64_t value;
  uint32_t concept;  // referencedComponentId, as a concept index
  uint32_t effective_time;
  uint16_t module;  // slot in TerminologyData::module_ids
  uint8_t active;
  uint8_t kind;  // 0 simple, 1 association, 2 attribute value, 3 map
  uint32_t pad;
};

// An active inferred relationship with a concrete value, from its source.
struct ConcreteValue {
  double number;  // when !is_text
  uint32_t type;  // concept index of the attribute
  uint32_t group;
  uint32_t text_offset, text_length;  // into TerminologyData::concrete_text, when is_text
  uint8_t is_text;
  uint8_t pad[7];
};

// An active alternate identifier: `code` in `scheme_id` names `concept`.
struct AlternateIdentifier {
  uint64_t scheme_id;
  uint32_t concept;
  uint32_t code_offset, code_length;  // into TerminologyData::alternate_id_text
  uint32_t pad;
};

struct InactivationRecord {
  uint32_t concept;
  uint32_t pad;
  uint64_t reason_id;
};

struct MapRecord {
  uint32_t concept;
  uint32_t refset_slot;  // index into map_refsets
  uint32_t map_group;
  uint32_t map_priority;
  uint64_t correlation_id;
  uint64_t map_category_id;
  uint32_t target_offset, target_length;  // into map_strings
  uint32_t rule_offset, rule_length;
  uint32_t advice_offset, advice_length;
};

// Where a concept's preferred term came from (TerminologyData::
// preferred_term_source): the first of these that has an active preferred
// synonym, else the FSN.
enum PreferredTermSource : uint8_t {
  kTermFromNhsRealm = 0,  // en-GB: the NHS realm language refsets
  kTermFromGb = 1,        // 900000000000508004 GB English
  kTermFromUs = 2,        // 900000000000509007 US English
  kTermFromFsn = 3,       // no preferred synonym in any of those: the FSN
  kTermNone = 4,          // no active FSN or synonym at all
};

// What one module contributes, counted by the concepts it owns: its concepts,
// the descriptions of those concepts, the active inferred relationships from
// them, and how many of those descriptions carry an active language refset
// row. The loader refuses a release whose module has concepts but no
// described concepts, or descriptions but no language refset rows.
struct ModuleSummary {
  uint64_t module_id;
  uint64_t concepts;
  uint64_t active_concepts;
  uint64_t descriptions;
  uint64_t relationships;
  uint64_t described_concepts;      // concepts with an active FSN or synonym
  uint64_t descriptions_in_refset;  // descriptions with an active language refset row
};

struct TerminologyData {
  // Release identity.
  std::string release_identity;
  std::string release_date;  // YYYYMMDD

  // Concepts, in SCTID order.
  std::vector<uint64_t> concept_ids;
  std::vector<uint64_t> concept_modules;
  std::vector<uint32_t> concept_times;
  std::vector<uint8_t> concept_flags;

  // Hierarchy over active inferred IS-A between concepts.
  Csr<uint32_t> parents;
  Csr<uint32_t> children;
  Csr<uint32_t> ancestors;    // transitive closure, sorted, excluding self
  Csr<uint32_t> descendants;  // transpose of ancestors, sorted, excluding self

  // Active inferred relationships (IS-A included).
  Csr<RelEdge> rels_out;  // by source
  Csr<RelEdge> rels_in;   // by destination

  // Active inferred concrete-valued relationships, by source.
  Csr<ConcreteValue> concrete_out;
  std::string concrete_text;

  // Alternate identifiers of concepts, sorted by (scheme, code).
  std::vector<AlternateIdentifier> alternate_ids;
  std::string alternate_id_text;

  // Descriptions grouped by concept (CSR offsets per concept), terms in one arena.
  std::vector<uint32_t> description_offsets;  // concepts + 1
  std::vector<DescriptionRecord> descriptions;
  std::string terms;
  std::vector<uint64_t> language_refsets;      // slot -> refset SCTID
  Csr<LanguageEntry> language;                 // per description
  std::vector<uint32_t> preferred_term;        // per concept, en-GB default; kNoIndex if none
  std::vector<uint8_t> preferred_term_source;  // per concept, a PreferredTermSource
  std::vector<uint32_t> fsn;                   // per concept; kNoIndex if none

  // Per module, by module id.
  std::vector<ModuleSummary> modules;
  // Module ids of descriptions and refset members, by slot (unsorted).
  std::vector<uint64_t> module_ids;

  // Refset membership (concept members of simple, association, attribute-value
  // and map refsets), refsets in SCTID order.
  std::vector<uint64_t> refset_ids;
  Csr<uint32_t> refset_members;  // sorted concept indexes
  // Every member row per refset slot (active and inactive), by (concept, value).
  Csr<MemberRecord> refset_rows;

  // History.
  std::vector<HistoryRecord> history;            // sorted by source
  std::vector<InactivationRecord> inactivation;  // sorted by concept

  // Maps.
  std::vector<uint64_t> map_refsets;  // slot -> refset SCTID
  std::vector<MapRecord> maps;        // sorted by (concept, refset slot, group, priority)
  std::string map_strings;

  // Search index: sorted distinct lower-case words and their postings
  // (description indexes, ascending).
  std::vector<uint32_t> word_offsets;  // words + 1, into word_text
  std::string word_text;
  Csr<uint32_t> postings;
};

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_TERMINOLOGY_DATA_H_
