// File: snomed/terminology.h
//
// An immutable, loaded SNOMED CT release: concepts, the IS-A hierarchy and its
// transitive closure, descriptions and preferred terms by dialect, inferred
// attribute relationships and concrete values, refset membership and member
// rows, history, maps and alternate identifiers.
//
// A Terminology never changes after Load(). It is shared as
// std::shared_ptr<const Terminology>; every const method is thread-safe and
// lock-free. To reload, build a new one and swap it into a TerminologyHolder
// (snomed/terminology_holder.h); readers holding the old pointer keep a
// consistent view until they drop it.
//
//   LoadOptions options;
//   options.release_dirs = {"snomed/data"};
//   SPROUT_ASSIGN_OR_RETURN(std::shared_ptr<const Terminology> t, Terminology::Load(options));
//   if (t->Subsumes(404684003, 267076002)) { ... }       // Clinical finding >> Feeling lonely
//   std::optional<absl::string_view> pt = t->PreferredTerm(267076002);  // en-GB
//
// Queries take SCTIDs (uint64_t). An id that is not in the release is simply
// "not found" (false, nullopt or an empty list), never an error.
#ifndef SPROUT_SNOMED_TERMINOLOGY_H_
#define SPROUT_SNOMED_TERMINOLOGY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "snomed/terminology_data.h"

namespace sprout::snomed {

// Well-known ids (DOMAIN.md §2.7).
inline constexpr uint64_t kRootConcept = 138875005;
inline constexpr uint64_t kIsA = 116680003;
inline constexpr uint64_t kFsnType = 900000000000003001;
inline constexpr uint64_t kSynonymType = 900000000000013009;
inline constexpr uint64_t kDefinitionType = 900000000000550004;
inline constexpr uint64_t kPreferred = 900000000000548007;
inline constexpr uint64_t kAcceptable = 900000000000549004;
inline constexpr uint64_t kFullyDefined = 900000000000073002;
inline constexpr uint64_t kInferred = 900000000000011006;
inline constexpr uint64_t kGbLanguageRefset = 900000000000508004;
inline constexpr uint64_t kUsLanguageRefset = 900000000000509007;
inline constexpr uint64_t kNhsRealmLanguageRefset = 999001261000000100;
inline constexpr uint64_t kNhsRealmPharmacyLanguageRefset = 999000691000001104;
inline constexpr uint64_t kConceptInactivationRefset = 900000000000489007;
inline constexpr uint64_t kReplacedByRefset = 900000000000526001;
inline constexpr uint64_t kSameAsRefset = 900000000000527005;
inline constexpr uint64_t kPossiblyEquivalentToRefset = 900000000000523009;
inline constexpr uint64_t kWasARefset = 900000000000528000;
inline constexpr uint64_t kMovedToRefset = 900000000000524003;
inline constexpr uint64_t kAlternativeRefset = 900000000000530003;

// The default dialect, en-GB: the NHS realm language refset (clinical part,
// then pharmacy part for dm+d content), then GB English.
inline constexpr uint64_t kEnGbDialect[] = {kNhsRealmLanguageRefset,
                                            kNhsRealmPharmacyLanguageRefset, kGbLanguageRefset};

// An in-memory RF2 file: its name (used for classification and in messages)
// and its whole content.
struct Rf2File {
  std::string name;
  std::string content;
};

// How to load a release.
struct LoadOptions {
  // Release folders (each searched recursively for RF2 *Snapshot* files),
  // e.g. the International and the UK Clinical edition. Required.
  std::vector<std::string> release_dirs;
  // If set, a binary cache file: restored when it matches the release files
  // (names, sizes, modification times) and its checksum; otherwise the release
  // is parsed from RF2 and the cache (re)written. A cache that cannot be
  // written does not fail the load. Default: no cache.
  std::string cache_path;
  // Threads used to parse and build. Default 2 (the deployment has 2 cores).
  int threads = 2;
};

// What was loaded; recorded on every routing decision, and what an operator
// wants to see about a release.
struct ReleaseInfo {
  std::string identity;        // e.g. "SnomedCT_UKClinicalRF2_PRODUCTION_20240410T000001Z+..."
  std::string effective_date;  // YYYYMMDD: the latest version date among the files
  bool from_cache = false;     // restored from the binary cache rather than RF2
  // LoadOptions::release_dirs as given (empty for LoadFromFiles).
  std::vector<std::string> folders;
  // Wall time of Load() / LoadFromFiles(), cache read or RF2 parse and build.
  absl::Duration load_duration;
  uint64_t concepts = 0;                       // all, active and inactive
  uint64_t active_concepts = 0;                //
  uint64_t active_descriptions = 0;            // of every type
  uint64_t active_inferred_relationships = 0;  // IS-A included
  uint64_t refsets = 0;                        // refsets with active concept members
};

struct Concept {
  uint64_t id;
  uint64_t module_id;
  uint32_t effective_time;
  bool active;
  bool fully_defined;
};

enum class Acceptability { kNone, kAcceptable, kPreferred };

struct Description {
  uint64_t id;
  uint64_t concept_id;
  uint64_t type_id;        // kFsnType, kSynonymType, kDefinitionType (or another)
  absl::string_view term;  // valid while the Terminology lives
  std::string language_code;
  bool active;
  // In the dialect asked for (kNone if no dialect given or no active row).
  Acceptability acceptability;
};

// One historical association from an inactive concept.
struct HistoricalAssociation {
  uint64_t refset_id;      // kReplacedByRefset, kSameAsRefset, ...
  absl::string_view type;  // "REPLACED BY", "SAME AS", "POSSIBLY EQUIVALENT TO", ...
  uint64_t target_id;
};

struct History {
  uint64_t concept_id;
  bool active;
  uint64_t inactivation_reason_id;  // 0 if none recorded
  // Active associations, ordered REPLACED BY, SAME AS, POSSIBLY EQUIVALENT TO,
  // ALTERNATIVE, MOVED TO, WAS A, others; then by target id.
  std::vector<HistoricalAssociation> associations;
};

struct MapTarget {
  uint64_t refset_id;
  uint32_t map_group;
  uint32_t map_priority;
  std::string map_rule;
  std::string map_advice;
  std::string map_target;
  uint64_t correlation_id;
  uint64_t map_category_id;
};

class Terminology {
 public:
  // Load()
  //
  // Loads the RF2 Snapshot files under options.release_dirs (or restores the
  // cache, see LoadOptions::cache_path). Returns INVALID_ARGUMENT
  // "file:line: what" for the first malformed row, NOT_FOUND if a folder is
  // missing or holds no concept Snapshot file, FAILED_PRECONDITION for an
  // IS-A cycle or a component that refers to a concept not in the release.
  static absl::StatusOr<std::shared_ptr<const Terminology>> Load(const LoadOptions& options);

  // LoadFromFiles()
  //
  // As Load(), from in-memory files (names classified as on disk). For tests.
  static absl::StatusOr<std::shared_ptr<const Terminology>> LoadFromFiles(
      const std::vector<Rf2File>& files, int threads = 1);

  // Wraps fully built data (used by the loader and the cache). The second
  // form takes the SCTID -> index map already built for `data`.
  explicit Terminology(TerminologyData data, bool from_cache = false);
  Terminology(TerminologyData data, absl::flat_hash_map<uint64_t, uint32_t> index);
  Terminology(const Terminology&) = delete;
  Terminology& operator=(const Terminology&) = delete;

  const ReleaseInfo& release() const { return release_; }
  // Per module (by module id): concepts, descriptions and relationships, as
  // counted by ModuleSummary.
  absl::Span<const ModuleSummary> modules() const { return data_.modules; }

  // Concepts.
  size_t concept_count() const { return data_.concept_ids.size(); }
  bool Exists(uint64_t id) const { return IndexOf(id) != kNoIndex; }
  bool IsActive(uint64_t id) const;
  std::optional<Concept> GetConcept(uint64_t id) const;

  // Hierarchy (active inferred IS-A). Subsumes(a, b) is true iff b is a or a
  // descendant of a (ECL b << a). Lists are in ascending SCTID order.
  bool Subsumes(uint64_t ancestor, uint64_t descendant) const;
  bool IsA(uint64_t descendant, uint64_t ancestor) const { return Subsumes(ancestor, descendant); }
  std::vector<uint64_t> Parents(uint64_t id) const;
  std::vector<uint64_t> Children(uint64_t id) const;
  std::vector<uint64_t> Ancestors(uint64_t id) const;    // excluding self
  std::vector<uint64_t> Descendants(uint64_t id) const;  // excluding self
  size_t DescendantCount(uint64_t id) const;

  // Terms. PreferredTerm() without a dialect is the preferred synonym in
  // en-GB (kEnGbDialect), else in GB English, else in US English, else the
  // FSN (PreferredTermSourceOf says which); nullopt only if the concept is
  // unknown or has no active FSN or synonym. With a dialect, the first refset
  // in `dialect` that has an active preferred synonym wins, and nullopt if
  // none has.
  std::optional<absl::string_view> PreferredTerm(uint64_t id) const;
  // Where PreferredTerm(id) came from; kTermNone for an unknown concept.
  PreferredTermSource PreferredTermSourceOf(uint64_t id) const;
  std::optional<absl::string_view> PreferredTerm(uint64_t id,
                                                 absl::Span<const uint64_t> dialect) const;
  std::optional<absl::string_view> Fsn(uint64_t id) const;
  // Active synonyms acceptable or preferred in the dialect (en-GB by default),
  // preferred term first, then alphabetical.
  std::vector<absl::string_view> Synonyms(uint64_t id) const;
  std::vector<absl::string_view> Synonyms(uint64_t id, absl::Span<const uint64_t> dialect) const;
  // Every description of the concept (active and inactive, all types), with
  // acceptability in `dialect` (the first refset that has a row).
  std::vector<Description> Descriptions(uint64_t id,
                                        absl::Span<const uint64_t> dialect = kEnGbDialect) const;

  // Refsets (simple, association, attribute-value and map refsets; concept
  // members only, active rows only).
  bool IsMember(uint64_t refset_id, uint64_t concept_id) const;
  std::vector<uint64_t> RefsetMembers(uint64_t refset_id) const;
  std::vector<uint64_t> RefsetsOf(uint64_t concept_id) const;
  std::vector<uint64_t> RefsetIds() const { return data_.refset_ids; }

  // History. For any known concept: its status, inactivation reason and
  // active historical associations. nullopt if unknown.
  std::optional<History> GetHistory(uint64_t id) const;
  // The concepts an inactive concept should be replaced by, following REPLACED
  // BY and SAME AS (transitively, up to 8 steps) to active concepts. An active
  // concept returns itself; an unknown or unresolvable one, an empty list.
  std::vector<uint64_t> ActiveReplacements(uint64_t id) const;

  // Maps from a concept (all map refsets when refset_id is 0), ordered by
  // refset, group, priority.
  std::vector<MapTarget> Maps(uint64_t concept_id, uint64_t refset_id = 0) const;

  // Index-level access for the ECL evaluator, search and benchmarks.
  // Concept indexes are dense, 0..concept_count()-1, in SCTID order.
  uint32_t IndexOf(uint64_t id) const {
    auto it = index_.find(id);
    return it == index_.end() ? kNoIndex : it->second;
  }
  uint64_t IdAt(uint32_t index) const { return data_.concept_ids[index]; }
  bool ActiveAt(uint32_t index) const { return data_.concept_flags[index] & kConceptActive; }
  bool SubsumesAt(uint32_t ancestor, uint32_t descendant) const;
  absl::string_view TermAt(uint32_t description_index) const {
    const DescriptionRecord& d = data_.descriptions[description_index];
    return absl::string_view(data_.terms.data() + d.term_offset, d.term_length);
  }
  uint32_t RefsetSlot(uint64_t refset_id) const;  // kNoIndex if unknown
  const TerminologyData& data() const { return data_; }

 private:
  void CountRelease();  // fills release_ from data_

  TerminologyData data_;
  absl::flat_hash_map<uint64_t, uint32_t> index_;  // SCTID -> concept index
  ReleaseInfo release_;
};

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_TERMINOLOGY_H_
