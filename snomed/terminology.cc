#include "snomed/terminology.h"

#include <algorithm>

namespace sprout::snomed {
namespace {

std::vector<uint64_t> ToIds(const TerminologyData& d, absl::Span<const uint32_t> indexes) {
  std::vector<uint64_t> ids;
  ids.reserve(indexes.size());
  for (uint32_t i : indexes) ids.push_back(d.concept_ids[i]);
  return ids;  // indexes are sorted, and index order is SCTID order
}

int AssociationRank(uint64_t refset_id) {
  switch (refset_id) {
    case kReplacedByRefset:
      return 0;
    case kSameAsRefset:
      return 1;
    case kPossiblyEquivalentToRefset:
      return 2;
    case kAlternativeRefset:
      return 3;
    case kMovedToRefset:
      return 4;
    case kWasARefset:
      return 5;
    default:
      return 6;
  }
}

absl::string_view AssociationName(uint64_t refset_id) {
  switch (refset_id) {
    case kReplacedByRefset:
      return "REPLACED BY";
    case kSameAsRefset:
      return "SAME AS";
    case kPossiblyEquivalentToRefset:
      return "POSSIBLY EQUIVALENT TO";
    case kAlternativeRefset:
      return "ALTERNATIVE";
    case kMovedToRefset:
      return "MOVED TO";
    case kWasARefset:
      return "WAS A";
    default:
      return "OTHER";
  }
}

}  // namespace

Terminology::Terminology(TerminologyData data, absl::flat_hash_map<uint64_t, uint32_t> index)
    : data_(std::move(data)), index_(std::move(index)) {
  if (index_.size() != data_.concept_ids.size()) {  // not the map for this data: rebuild
    index_.clear();
    for (uint32_t i = 0; i < data_.concept_ids.size(); ++i) index_.emplace(data_.concept_ids[i], i);
  }
  CountRelease();
}

Terminology::Terminology(TerminologyData data, bool from_cache) : data_(std::move(data)) {
  index_.reserve(data_.concept_ids.size());
  for (uint32_t i = 0; i < data_.concept_ids.size(); ++i) index_.emplace(data_.concept_ids[i], i);
  CountRelease();
  release_.from_cache = from_cache;
}

void Terminology::CountRelease() {
  release_.identity = data_.release_identity;
  release_.effective_date = data_.release_date;
  release_.concepts = data_.concept_ids.size();
  release_.active_concepts = 0;
  for (uint8_t f : data_.concept_flags) release_.active_concepts += (f & kConceptActive) != 0;
  release_.active_descriptions = 0;
  for (const DescriptionRecord& d : data_.descriptions) release_.active_descriptions += d.active;
  release_.active_inferred_relationships = data_.rels_out.values.size();
  release_.refsets = data_.refset_ids.size();
}

bool Terminology::IsActive(uint64_t id) const {
  uint32_t i = IndexOf(id);
  return i != kNoIndex && ActiveAt(i);
}

std::optional<Concept> Terminology::GetConcept(uint64_t id) const {
  uint32_t i = IndexOf(id);
  if (i == kNoIndex) return std::nullopt;
  return Concept{id, data_.concept_modules[i], data_.concept_times[i], ActiveAt(i),
                 (data_.concept_flags[i] & kConceptFullyDefined) != 0};
}

bool Terminology::SubsumesAt(uint32_t ancestor, uint32_t descendant) const {
  if (ancestor == descendant) return true;
  absl::Span<const uint32_t> a = data_.ancestors.Row(descendant);
  return std::binary_search(a.begin(), a.end(), ancestor);
}

bool Terminology::Subsumes(uint64_t ancestor, uint64_t descendant) const {
  uint32_t a = IndexOf(ancestor);
  uint32_t d = IndexOf(descendant);
  return a != kNoIndex && d != kNoIndex && SubsumesAt(a, d);
}

std::vector<uint64_t> Terminology::Parents(uint64_t id) const {
  uint32_t i = IndexOf(id);
  return i == kNoIndex ? std::vector<uint64_t>{} : ToIds(data_, data_.parents.Row(i));
}
std::vector<uint64_t> Terminology::Children(uint64_t id) const {
  uint32_t i = IndexOf(id);
  return i == kNoIndex ? std::vector<uint64_t>{} : ToIds(data_, data_.children.Row(i));
}
std::vector<uint64_t> Terminology::Ancestors(uint64_t id) const {
  uint32_t i = IndexOf(id);
  return i == kNoIndex ? std::vector<uint64_t>{} : ToIds(data_, data_.ancestors.Row(i));
}
std::vector<uint64_t> Terminology::Descendants(uint64_t id) const {
  uint32_t i = IndexOf(id);
  return i == kNoIndex ? std::vector<uint64_t>{} : ToIds(data_, data_.descendants.Row(i));
}
size_t Terminology::DescendantCount(uint64_t id) const {
  uint32_t i = IndexOf(id);
  return i == kNoIndex ? 0 : data_.descendants.Row(i).size();
}

namespace {

// Acceptability of description `d` in the first refset of `dialect` that has a row.
Acceptability AcceptabilityIn(const TerminologyData& data, uint32_t d,
                              absl::Span<const uint64_t> dialect) {
  absl::Span<const LanguageEntry> entries = data.language.Row(d);
  for (uint64_t refset : dialect) {
    for (const LanguageEntry& e : entries) {
      if (data.language_refsets[e.refset_slot] == refset) {
        return e.preferred ? Acceptability::kPreferred : Acceptability::kAcceptable;
      }
    }
  }
  return Acceptability::kNone;
}

}  // namespace

std::optional<absl::string_view> Terminology::PreferredTerm(uint64_t id) const {
  uint32_t i = IndexOf(id);
  if (i == kNoIndex || data_.preferred_term[i] == kNoIndex) return std::nullopt;
  return TermAt(data_.preferred_term[i]);
}

PreferredTermSource Terminology::PreferredTermSourceOf(uint64_t id) const {
  uint32_t i = IndexOf(id);
  if (i == kNoIndex) return kTermNone;
  return static_cast<PreferredTermSource>(data_.preferred_term_source[i]);
}

std::optional<absl::string_view> Terminology::PreferredTerm(
    uint64_t id, absl::Span<const uint64_t> dialect) const {
  uint32_t i = IndexOf(id);
  if (i == kNoIndex) return std::nullopt;
  for (uint64_t refset : dialect) {
    for (uint32_t d = data_.description_offsets[i]; d < data_.description_offsets[i + 1]; ++d) {
      const DescriptionRecord& r = data_.descriptions[d];
      if (!r.active || r.type != kSynonym) continue;
      for (const LanguageEntry& e : data_.language.Row(d)) {
        if (e.preferred && data_.language_refsets[e.refset_slot] == refset) return TermAt(d);
      }
    }
  }
  return std::nullopt;
}

std::optional<absl::string_view> Terminology::Fsn(uint64_t id) const {
  uint32_t i = IndexOf(id);
  if (i == kNoIndex || data_.fsn[i] == kNoIndex) return std::nullopt;
  return TermAt(data_.fsn[i]);
}

std::vector<absl::string_view> Terminology::Synonyms(uint64_t id) const {
  return Synonyms(id, kEnGbDialect);
}

std::vector<absl::string_view> Terminology::Synonyms(uint64_t id,
                                                     absl::Span<const uint64_t> dialect) const {
  std::vector<absl::string_view> out;
  uint32_t i = IndexOf(id);
  if (i == kNoIndex) return out;
  std::optional<absl::string_view> pt = PreferredTerm(id, dialect);
  for (uint32_t d = data_.description_offsets[i]; d < data_.description_offsets[i + 1]; ++d) {
    const DescriptionRecord& r = data_.descriptions[d];
    if (!r.active || r.type != kSynonym) continue;
    if (AcceptabilityIn(data_, d, dialect) == Acceptability::kNone) continue;
    if (pt && TermAt(d) == *pt) continue;
    out.push_back(TermAt(d));
  }
  std::sort(out.begin(), out.end());
  if (pt) out.insert(out.begin(), *pt);
  return out;
}

std::vector<Description> Terminology::Descriptions(uint64_t id,
                                                   absl::Span<const uint64_t> dialect) const {
  std::vector<Description> out;
  uint32_t i = IndexOf(id);
  if (i == kNoIndex) return out;
  for (uint32_t d = data_.description_offsets[i]; d < data_.description_offsets[i + 1]; ++d) {
    const DescriptionRecord& r = data_.descriptions[d];
    uint64_t type = r.type == kFsn          ? kFsnType
                    : r.type == kSynonym    ? kSynonymType
                    : r.type == kDefinition ? kDefinitionType
                                            : 0;
    out.push_back(Description{r.id, id, type, TermAt(d),
                              std::string(r.language, r.language[1] ? 2 : 1), r.active != 0,
                              AcceptabilityIn(data_, d, dialect)});
  }
  return out;
}

uint32_t Terminology::RefsetSlot(uint64_t refset_id) const {
  auto it = std::lower_bound(data_.refset_ids.begin(), data_.refset_ids.end(), refset_id);
  if (it == data_.refset_ids.end() || *it != refset_id) return kNoIndex;
  return static_cast<uint32_t>(it - data_.refset_ids.begin());
}

bool Terminology::IsMember(uint64_t refset_id, uint64_t concept_id) const {
  uint32_t slot = RefsetSlot(refset_id);
  uint32_t c = IndexOf(concept_id);
  if (slot == kNoIndex || c == kNoIndex) return false;
  absl::Span<const uint32_t> m = data_.refset_members.Row(slot);
  return std::binary_search(m.begin(), m.end(), c);
}

std::vector<uint64_t> Terminology::RefsetMembers(uint64_t refset_id) const {
  uint32_t slot = RefsetSlot(refset_id);
  if (slot == kNoIndex) return {};
  return ToIds(data_, data_.refset_members.Row(slot));
}

std::vector<uint64_t> Terminology::RefsetsOf(uint64_t concept_id) const {
  std::vector<uint64_t> out;
  uint32_t c = IndexOf(concept_id);
  if (c == kNoIndex) return out;
  for (uint32_t slot = 0; slot < data_.refset_ids.size(); ++slot) {
    absl::Span<const uint32_t> m = data_.refset_members.Row(slot);
    if (std::binary_search(m.begin(), m.end(), c)) out.push_back(data_.refset_ids[slot]);
  }
  return out;
}

std::optional<History> Terminology::GetHistory(uint64_t id) const {
  uint32_t i = IndexOf(id);
  if (i == kNoIndex) return std::nullopt;
  History h{id, ActiveAt(i), 0, {}};
  auto inact =
      std::lower_bound(data_.inactivation.begin(), data_.inactivation.end(), i,
                       [](const InactivationRecord& r, uint32_t c) { return r.concept < c; });
  if (inact != data_.inactivation.end() && inact->concept == i)
    h.inactivation_reason_id = inact->reason_id;
  auto it = std::lower_bound(data_.history.begin(), data_.history.end(), i,
                             [](const HistoryRecord& r, uint32_t c) { return r.source < c; });
  for (; it != data_.history.end() && it->source == i; ++it) {
    h.associations.push_back({it->refset_id, AssociationName(it->refset_id), it->target_id});
  }
  std::stable_sort(h.associations.begin(), h.associations.end(),
                   [](const HistoricalAssociation& a, const HistoricalAssociation& b) {
                     int ra = AssociationRank(a.refset_id), rb = AssociationRank(b.refset_id);
                     return ra != rb ? ra < rb : a.target_id < b.target_id;
                   });
  return h;
}

std::vector<uint64_t> Terminology::ActiveReplacements(uint64_t id) const {
  std::vector<uint64_t> frontier = {id};
  std::vector<uint64_t> out;
  for (int step = 0; step < 8 && !frontier.empty(); ++step) {
    std::vector<uint64_t> next;
    for (uint64_t c : frontier) {
      if (IsActive(c)) {
        out.push_back(c);
        continue;
      }
      std::optional<History> h = GetHistory(c);
      if (!h) continue;
      for (const HistoricalAssociation& a : h->associations) {
        if (a.refset_id == kReplacedByRefset || a.refset_id == kSameAsRefset) {
          next.push_back(a.target_id);
        }
      }
    }
    frontier.swap(next);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<MapTarget> Terminology::Maps(uint64_t concept_id, uint64_t refset_id) const {
  std::vector<MapTarget> out;
  uint32_t c = IndexOf(concept_id);
  if (c == kNoIndex) return out;
  auto it = std::lower_bound(data_.maps.begin(), data_.maps.end(), c,
                             [](const MapRecord& r, uint32_t x) { return r.concept < x; });
  auto str = [&](uint32_t off, uint32_t len) { return data_.map_strings.substr(off, len); };
  for (; it != data_.maps.end() && it->concept == c; ++it) {
    uint64_t refset = data_.map_refsets[it->refset_slot];
    if (refset_id != 0 && refset != refset_id) continue;
    out.push_back(MapTarget{
        refset, it->map_group, it->map_priority, str(it->rule_offset, it->rule_length),
        str(it->advice_offset, it->advice_length), str(it->target_offset, it->target_length),
        it->correlation_id, it->map_category_id});
  }
  return out;
}

}  // namespace sprout::snomed
