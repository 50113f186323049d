// File: snomed/build.h
//
// Internal to the snomed library: turns index-resolved RF2 rows into the final
// TerminologyData (hierarchy, closure, term tables, refsets, history, maps,
// search index). The loader (snomed/loader.cc) fills a ParsedRelease.
#ifndef SPROUT_SNOMED_BUILD_H_
#define SPROUT_SNOMED_BUILD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "snomed/terminology_data.h"

namespace sprout::snomed {

struct LangRow {
  uint64_t description_id;
  uint64_t refset_id;
  uint32_t effective_time;
  uint8_t preferred;
  uint8_t active;
};

struct RelRow {
  uint32_t source;
  uint32_t destination;
  uint32_t type;
  uint32_t group;
};

// One version of a refset member whose referenced component is a concept.
// Several folders may carry versions of the same member; per (refset,
// concept, value) the latest wins (an active row wins a tie).
struct MemberRow {
  enum Kind : uint8_t { kSimple, kAssociation, kAttributeValue, kMap };
  uint64_t refset_id;
  uint64_t value;  // targetComponentId / valueId; 0 otherwise
  uint64_t module_id;
  uint32_t concept;
  uint32_t effective_time;
  uint8_t active;
  uint8_t kind;
};

// One version of a concrete-valued relationship (inferred).
struct PendingConcrete {
  uint64_t id;
  uint32_t source;
  uint32_t effective_time;
  uint8_t active;
  ConcreteValue value;  // text offsets into ParsedRelease::concrete_text
};

// One version of an alternate identifier of a concept.
struct PendingAlternateId {
  AlternateIdentifier id;  // code offsets into ParsedRelease::alternate_id_text
  uint32_t effective_time;
  uint8_t active;
};

struct PendingMap {
  MapRecord record;  // refset_slot unused until built
  uint64_t refset_id;
};

// Rows from every file, with concept ids already resolved to indexes.
struct ParsedRelease {
  // Final concept table (sorted by id, deduplicated).
  std::vector<uint64_t> concept_ids;
  std::vector<uint64_t> concept_modules;
  std::vector<uint32_t> concept_times;
  std::vector<uint8_t> concept_flags;

  std::vector<DescriptionRecord> descriptions;  // any order; term offsets into terms
  std::vector<uint64_t> module_ids;             // DescriptionRecord::module slots
  std::string terms;
  std::vector<LangRow> language;
  std::vector<RelRow> relationships;  // active inferred only
  std::vector<MemberRow> members;
  std::vector<PendingMap> maps;
  std::string map_strings;
  std::vector<PendingConcrete> concrete;
  std::string concrete_text;
  std::vector<PendingAlternateId> alternate_ids;
  std::string alternate_id_text;

  std::string release_identity;
  std::string release_date;
};

// AdviseHugePages()
//
// Asks for transparent huge pages over the 2 MB-aligned part of [p, p + n),
// which must not have been touched yet; a no-op for small ranges, and at
// present a no-op altogether (see kUseHugePages in closure.cc for why).
void AdviseHugePages(const void* p, size_t n);

// Reserves `n` elements in an empty vector, advising huge pages for it.
template <typename T>
void ReserveHuge(std::vector<T>* v, size_t n) {
  v->reserve(n);
  if (n * sizeof(T) >= (8u << 20)) AdviseHugePages(v->data(), n * sizeof(T));
}

// One IS-A edge of a cycle: `child` is-a `parent` (SCTIDs).
struct IsACycleEdge {
  uint64_t child;
  uint64_t parent;
};

// A cycle error carries its edges as a payload, so the loader, which knows
// the files, can name the rows that make the cycle.
void SetIsACycle(const std::vector<IsACycleEdge>& edges, absl::Status* status);
std::vector<IsACycleEdge> IsACycleOf(const absl::Status& status);  // empty if none

// BuildTerminology()
//
// Builds everything. Consumes `parsed`. Returns FAILED_PRECONDITION if the
// IS-A hierarchy has a cycle (naming its edges, also as IsACycleOf), or if
// a module's concepts have no descriptions, or its descriptions no language
// refset rows (see ModuleSummary).
absl::StatusOr<TerminologyData> BuildTerminology(ParsedRelease parsed, int threads);

// BuildClosure()
//
// From `parents` (per concept, sorted), computes the ancestors (sorted,
// excluding self) and descendants CSRs. Returns FAILED_PRECONDITION on a
// cycle, as BuildTerminology.
absl::Status BuildClosure(const Csr<uint32_t>& parents, const std::vector<uint64_t>& ids,
                          Csr<uint32_t>* ancestors, Csr<uint32_t>* descendants);

// BuildSearchIndex()
//
// Fills data->word_offsets, word_text and postings from the active descriptions.
void BuildSearchIndex(TerminologyData* data);

// Lower-cases and splits `text` into words (runs of ASCII letters and digits,
// and bytes >= 0x80 so UTF-8 letters stay inside words), as used by the index
// and by queries.
void SplitWords(absl::string_view text, std::vector<std::string>* words);

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_BUILD_H_
