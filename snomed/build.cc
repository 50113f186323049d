#include "snomed/build.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "snomed/terminology.h"

namespace sprout::snomed {

constexpr absl::string_view kIsACyclePayload = "type.sprout/snomed.IsACycle";

void SetIsACycle(const std::vector<IsACycleEdge>& edges, absl::Status* status) {
  std::string ids;
  for (const IsACycleEdge& e : edges) absl::StrAppend(&ids, e.child, " ", e.parent, " ");
  status->SetPayload(kIsACyclePayload, absl::Cord(ids));
}

std::vector<IsACycleEdge> IsACycleOf(const absl::Status& status) {
  std::vector<IsACycleEdge> edges;
  absl::optional<absl::Cord> payload = status.GetPayload(kIsACyclePayload);
  if (!payload) return edges;
  std::vector<std::string> parts = absl::StrSplit(std::string(*payload), ' ', absl::SkipEmpty());
  for (size_t k = 0; k + 1 < parts.size(); k += 2) {
    IsACycleEdge e;
    if (absl::SimpleAtoi(parts[k], &e.child) && absl::SimpleAtoi(parts[k + 1], &e.parent)) {
      edges.push_back(e);
    }
  }
  return edges;
}

namespace {

// Counting sort of `items` into a CSR keyed by key(item) in [0, rows). Items
// keep their relative order within a row.
template <typename T, typename Out, typename KeyFn, typename ValueFn>
Csr<Out> GroupBy(const std::vector<T>& items, uint32_t rows, KeyFn key, ValueFn value) {
  Csr<Out> csr;
  csr.offsets.assign(rows + 1, 0);
  for (const T& it : items) ++csr.offsets[key(it) + 1];
  for (uint32_t i = 0; i < rows; ++i) csr.offsets[i + 1] += csr.offsets[i];
  ReserveHuge(&csr.values, items.size());
  csr.values.resize(items.size());
  std::vector<uint32_t> fill(csr.offsets.begin(), csr.offsets.end() - 1);
  for (const T& it : items) csr.values[fill[key(it)]++] = value(it);
  return csr;
}

// Sorts and deduplicates each row in place, compacting the CSR.
void SortUniqueRows(Csr<uint32_t>* csr) {
  uint32_t out = 0;
  uint32_t rows = csr->offsets.empty() ? 0 : static_cast<uint32_t>(csr->offsets.size() - 1);
  uint32_t begin = 0;
  for (uint32_t r = 0; r < rows; ++r) {
    uint32_t end = csr->offsets[r + 1];
    auto first = csr->values.begin() + begin;
    auto last = csr->values.begin() + end;
    std::sort(first, last);
    last = std::unique(first, last);
    csr->offsets[r] = out;
    for (auto it = first; it != last; ++it) csr->values[out++] = *it;
    begin = end;
  }
  if (rows > 0) csr->offsets[rows] = out;
  csr->values.resize(out);
  csr->values.shrink_to_fit();
}

void BuildHierarchy(const ParsedRelease& p, TerminologyData* d, absl::Status* status) {
  const uint32_t n = static_cast<uint32_t>(d->concept_ids.size());
  uint32_t isa = kNoIndex;
  auto it = std::lower_bound(d->concept_ids.begin(), d->concept_ids.end(), kIsA);
  if (it != d->concept_ids.end() && *it == kIsA)
    isa = static_cast<uint32_t>(it - d->concept_ids.begin());
  std::vector<RelRow> edges;
  for (const RelRow& r : p.relationships) {
    if (r.type == isa && r.source != r.destination) edges.push_back(r);
  }
  d->parents = GroupBy<RelRow, uint32_t>(
      edges, n, [](const RelRow& r) { return r.source; },
      [](const RelRow& r) { return r.destination; });
  SortUniqueRows(&d->parents);
  std::vector<std::pair<uint32_t, uint32_t>> pc;
  pc.reserve(d->parents.values.size());
  for (uint32_t c = 0; c < n; ++c) {
    for (uint32_t parent : d->parents.Row(c)) pc.emplace_back(parent, c);
  }
  // Iterating children in index order keeps each row sorted.
  d->children = GroupBy<std::pair<uint32_t, uint32_t>, uint32_t>(
      pc, n, [](const auto& e) { return e.first; }, [](const auto& e) { return e.second; });
  *status = BuildClosure(d->parents, d->concept_ids, &d->ancestors, &d->descendants);
}

void BuildRelationships(const ParsedRelease& p, TerminologyData* d) {
  const uint32_t n = static_cast<uint32_t>(d->concept_ids.size());
  d->rels_out = GroupBy<RelRow, RelEdge>(
      p.relationships, n, [](const RelRow& r) { return r.source; },
      [](const RelRow& r) {
        return RelEdge{r.type, r.destination, r.group};
      });
  d->rels_in = GroupBy<RelRow, RelEdge>(
      p.relationships, n, [](const RelRow& r) { return r.destination; },
      [](const RelRow& r) {
        return RelEdge{r.type, r.source, r.group};
      });
}

// An id with the position it came from.
struct IdPos {
  uint64_t id;
  uint32_t pos;
};

// Stable LSD radix sort by id, 16 bits per pass; passes whose digit is the
// same for every element are skipped. Much faster than hashing 1.6M ids.
void RadixSortById(std::vector<IdPos>* v) {
  std::vector<IdPos> tmp(v->size());
  std::vector<uint32_t> count(1 << 16);
  for (int shift = 0; shift < 64; shift += 16) {
    std::fill(count.begin(), count.end(), 0);
    for (const IdPos& x : *v) ++count[(x.id >> shift) & 0xFFFF];
    if (!v->empty() && count[((*v)[0].id >> shift) & 0xFFFF] == v->size()) continue;
    uint32_t sum = 0;
    for (uint32_t& c : count) {
      uint32_t here = c;
      c = sum;
      sum += here;
    }
    for (const IdPos& x : *v) tmp[count[(x.id >> shift) & 0xFFFF]++] = x;
    v->swap(tmp);
  }
}

void BuildDescriptions(ParsedRelease* p, TerminologyData* d) {
  const uint32_t n = static_cast<uint32_t>(d->concept_ids.size());
  std::vector<DescriptionRecord>& in = p->descriptions;
  // A description may appear in several folders; the latest version wins.
  std::vector<IdPos> by_id(in.size());
  for (uint32_t i = 0; i < in.size(); ++i) by_id[i] = IdPos{in[i].id, i};
  RadixSortById(&by_id);
  std::vector<uint8_t> dead(in.size(), 0);
  size_t unique = 0;
  for (size_t k = 0; k < by_id.size();) {
    size_t e = k + 1;
    uint32_t best = by_id[k].pos;
    for (; e < by_id.size() && by_id[e].id == by_id[k].id; ++e) {
      uint32_t other = by_id[e].pos;
      if (in[other].effective_time >= in[best].effective_time) {
        dead[best] = 1;
        best = other;
      } else {
        dead[other] = 1;
      }
    }
    by_id[unique++] = IdPos{by_id[k].id, best};
    k = e;
  }
  by_id.resize(unique);
  // Group by concept (stable).
  d->description_offsets.assign(n + 1, 0);
  for (uint32_t i = 0; i < in.size(); ++i) {
    if (!dead[i]) ++d->description_offsets[in[i].concept + 1];
  }
  for (uint32_t c = 0; c < n; ++c) d->description_offsets[c + 1] += d->description_offsets[c];
  std::vector<uint32_t> fill(d->description_offsets.begin(), d->description_offsets.end() - 1);
  ReserveHuge(&d->descriptions, d->description_offsets[n]);
  d->descriptions.resize(d->description_offsets[n]);
  std::vector<uint32_t> final_index(in.size(), kNoIndex);
  for (uint32_t i = 0; i < in.size(); ++i) {
    if (dead[i]) continue;
    uint32_t at = fill[in[i].concept]++;
    d->descriptions[at] = in[i];
    final_index[i] = at;
  }
  std::vector<DescriptionRecord>().swap(in);
  d->terms = std::move(p->terms);
  d->module_ids = std::move(p->module_ids);

  // Language refset rows: resolve by a merge of two id-sorted lists, then keep
  // the latest row per (description, refset).
  std::vector<LangRow>& lang = p->language;
  std::vector<uint32_t> lang_desc(lang.size(), kNoIndex);
  {
    std::vector<IdPos> lang_ids(lang.size());
    for (uint32_t k = 0; k < lang.size(); ++k) lang_ids[k] = IdPos{lang[k].description_id, k};
    RadixSortById(&lang_ids);
    size_t j = 0;
    for (const IdPos& x : lang_ids) {
      while (j < by_id.size() && by_id[j].id < x.id) ++j;
      if (j < by_id.size() && by_id[j].id == x.id) lang_desc[x.pos] = final_index[by_id[j].pos];
    }
  }
  std::vector<IdPos>().swap(by_id);
  std::vector<uint64_t> refsets;
  for (const LangRow& r : lang) refsets.push_back(r.refset_id);
  std::sort(refsets.begin(), refsets.end());
  refsets.erase(std::unique(refsets.begin(), refsets.end()), refsets.end());
  d->language_refsets = refsets;
  const uint32_t nd = static_cast<uint32_t>(d->descriptions.size());
  std::vector<uint32_t> order;
  order.reserve(lang.size());
  for (uint32_t k = 0; k < lang.size(); ++k) {
    if (lang_desc[k] != kNoIndex) order.push_back(k);
  }
  Csr<uint32_t> rows = GroupBy<uint32_t, uint32_t>(
      order, nd, [&](uint32_t k) { return lang_desc[k]; }, [](uint32_t k) { return k; });
  d->language.offsets.assign(nd + 1, 0);
  d->language.values.clear();
  d->language.values.reserve(rows.values.size());
  for (uint32_t desc = 0; desc < nd; ++desc) {
    d->language.offsets[desc] = static_cast<uint32_t>(d->language.values.size());
    absl::Span<const uint32_t> ks = rows.Row(desc);
    for (size_t a = 0; a < ks.size(); ++a) {
      const LangRow& r = lang[ks[a]];
      bool latest = true;
      for (size_t b = 0; b < ks.size() && latest; ++b) {
        const LangRow& o = lang[ks[b]];
        if (b != a && o.refset_id == r.refset_id &&
            (o.effective_time > r.effective_time ||
             (o.effective_time == r.effective_time && b > a))) {
          latest = false;
        }
      }
      if (!latest || !r.active) continue;
      uint16_t slot = static_cast<uint16_t>(
          std::lower_bound(refsets.begin(), refsets.end(), r.refset_id) - refsets.begin());
      d->language.values.push_back(LanguageEntry{slot, r.preferred, 0});
    }
  }
  d->language.offsets[nd] = static_cast<uint32_t>(d->language.values.size());
  std::vector<LangRow>().swap(lang);

  // Preferred term and FSN per concept. The preferred term is the preferred
  // synonym of the first refset in this order that has one: en-GB (the NHS
  // realm refsets), GB English, US English; else the FSN.
  const uint64_t term_order[] = {kNhsRealmLanguageRefset, kNhsRealmPharmacyLanguageRefset,
                                 kGbLanguageRefset, kUsLanguageRefset};
  const PreferredTermSource source_of_rank[] = {kTermFromNhsRealm, kTermFromNhsRealm, kTermFromGb,
                                                kTermFromUs};
  // slot_rank[slot]: the rank of a language refset in term_order, or
  // kUnranked for refsets outside it.
  constexpr uint8_t kUnranked = 0xFF;
  std::vector<uint8_t> slot_rank(refsets.size(), kUnranked);
  for (uint8_t rank = 0; rank < 4; ++rank) {
    auto it = std::lower_bound(refsets.begin(), refsets.end(), term_order[rank]);
    if (it != refsets.end() && *it == term_order[rank]) slot_rank[it - refsets.begin()] = rank;
  }
  d->preferred_term.assign(n, kNoIndex);
  d->preferred_term_source.assign(n, kTermNone);
  d->fsn.assign(n, kNoIndex);
  for (uint32_t c = 0; c < n; ++c) {
    uint8_t best_rank = kUnranked;
    for (uint32_t i = d->description_offsets[c]; i < d->description_offsets[c + 1]; ++i) {
      const DescriptionRecord& r = d->descriptions[i];
      if (!r.active) continue;
      if (r.type == kFsn) {
        bool preferred = false;
        for (const LanguageEntry& e : d->language.Row(i)) preferred |= e.preferred != 0;
        if (d->fsn[c] == kNoIndex || preferred) d->fsn[c] = i;
      } else if (r.type == kSynonym) {
        for (const LanguageEntry& e : d->language.Row(i)) {
          if (e.preferred && slot_rank[e.refset_slot] < best_rank) {
            best_rank = slot_rank[e.refset_slot];
            d->preferred_term[c] = i;
          }
        }
      }
    }
    if (best_rank != kUnranked) {
      d->preferred_term_source[c] = source_of_rank[best_rank];
    } else if (d->fsn[c] != kNoIndex) {
      d->preferred_term[c] = d->fsn[c];
      d->preferred_term_source[c] = kTermFromFsn;
    }
  }
}

// Counts each module's concepts, descriptions and relationships (see
// ModuleSummary), then refuses a module whose concepts have no descriptions
// or whose descriptions have no language refset rows: the signs of a release
// folder missing a file, which would otherwise serve concepts without terms.
absl::Status SummariseModules(TerminologyData* d) {
  const uint32_t n = static_cast<uint32_t>(d->concept_ids.size());
  absl::flat_hash_map<uint64_t, ModuleSummary> by_module;
  for (uint32_t c = 0; c < n; ++c) {
    ModuleSummary& m = by_module[d->concept_modules[c]];
    m.module_id = d->concept_modules[c];
    ++m.concepts;
    if (d->concept_flags[c] & kConceptActive) ++m.active_concepts;
    const uint32_t first = d->description_offsets[c], last = d->description_offsets[c + 1];
    m.descriptions += last - first;
    bool named = false;  // text definitions alone do not name a concept
    for (uint32_t i = first; i < last; ++i) {
      const DescriptionRecord& r = d->descriptions[i];
      named |= r.active && (r.type == kFsn || r.type == kSynonym);
      if (!d->language.Row(i).empty()) ++m.descriptions_in_refset;
    }
    if (named) ++m.described_concepts;
    m.relationships += d->rels_out.Row(c).size();
  }
  d->modules.clear();
  for (const auto& [id, m] : by_module) d->modules.push_back(m);
  std::sort(
      d->modules.begin(), d->modules.end(),
      [](const ModuleSummary& a, const ModuleSummary& b) { return a.module_id < b.module_id; });
  for (const ModuleSummary& m : d->modules) {
    if (m.active_concepts == 0) continue;  // a retired module need not be described
    if (m.described_concepts == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "module ", m.module_id, " has ", m.concepts,
          " concepts but none has an active FSN or synonym: the release is missing that "
          "module's Description file "
          "(sct2_Description_*Snapshot*)"));
    }
    if (m.descriptions_in_refset == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "module ", m.module_id, " has ", m.descriptions,
          " descriptions but none is in a language reference set: the release is missing that "
          "module's language refset file (der2_cRefset_Language*Snapshot*)"));
    }
  }
  return absl::OkStatus();
}

void BuildRefsets(ParsedRelease* p, TerminologyData* d) {
  // The latest version of each (refset, concept, value); an active row wins a tie.
  std::vector<MemberRow>& rows = p->members;
  std::sort(rows.begin(), rows.end(), [](const MemberRow& a, const MemberRow& b) {
    if (a.refset_id != b.refset_id) return a.refset_id < b.refset_id;
    if (a.concept != b.concept) return a.concept < b.concept;
    if (a.value != b.value) return a.value < b.value;
    if (a.effective_time != b.effective_time) return a.effective_time < b.effective_time;
    return a.active < b.active;
  });
  std::vector<MemberRow> live;
  std::vector<MemberRow> latest;  // active or not, for member filters
  for (size_t i = 0; i < rows.size(); ++i) {
    const MemberRow& m = rows[i];
    if (i + 1 < rows.size() && rows[i + 1].refset_id == m.refset_id &&
        rows[i + 1].concept == m.concept && rows[i + 1].value == m.value) {
      continue;
    }
    latest.push_back(m);
    if (!m.active) continue;
    live.push_back(m);
    if (m.kind == MemberRow::kAssociation) {
      d->history.push_back(HistoryRecord{m.concept, 0, m.refset_id, m.value});
    } else if (m.kind == MemberRow::kAttributeValue && m.refset_id == kConceptInactivationRefset) {
      d->inactivation.push_back(InactivationRecord{m.concept, 0, m.value});
    }
  }
  std::vector<MemberRow>().swap(rows);

  std::vector<uint64_t> ids;
  for (const MemberRow& m : live) ids.push_back(m.refset_id);
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());  // live is sorted by refset
  d->refset_ids = ids;
  auto slot = [&](uint64_t id) {
    return static_cast<uint32_t>(std::lower_bound(ids.begin(), ids.end(), id) - ids.begin());
  };
  d->refset_members = GroupBy<MemberRow, uint32_t>(
      live, static_cast<uint32_t>(ids.size()),
      [&](const MemberRow& m) { return slot(m.refset_id); },
      [](const MemberRow& m) { return m.concept; });
  SortUniqueRows(&d->refset_members);
  // Member rows of the refsets that have active members (refset_ids), with
  // their module as a slot in module_ids. `latest` is sorted by (refset,
  // concept, value), so each row of the CSR is too.
  std::vector<uint64_t>& modules = d->module_ids;
  uint64_t last_module = 0;
  uint16_t last_slot = 0;
  std::vector<MemberRecord> records;
  std::vector<uint32_t> record_slots;
  for (const MemberRow& m : latest) {
    uint32_t s = slot(m.refset_id);
    if (s >= ids.size() || ids[s] != m.refset_id) continue;
    if (m.module_id != last_module || modules.empty()) {
      auto it = std::find(modules.begin(), modules.end(), m.module_id);
      if (it == modules.end()) it = modules.insert(it, m.module_id);
      last_slot = static_cast<uint16_t>(it - modules.begin());
      last_module = m.module_id;
    }
    records.push_back(
        MemberRecord{m.value, m.concept, m.effective_time, last_slot, m.active, m.kind, 0});
    record_slots.push_back(s);
  }
  std::vector<MemberRow>().swap(latest);
  std::vector<uint32_t> order(records.size());
  for (uint32_t k = 0; k < order.size(); ++k) order[k] = k;
  d->refset_rows = GroupBy<uint32_t, MemberRecord>(
      order, static_cast<uint32_t>(ids.size()), [&](uint32_t k) { return record_slots[k]; },
      [&](uint32_t k) { return records[k]; });

  std::sort(d->history.begin(), d->history.end(),
            [](const HistoryRecord& a, const HistoryRecord& b) {
              if (a.source != b.source) return a.source < b.source;
              if (a.refset_id != b.refset_id) return a.refset_id < b.refset_id;
              return a.target_id < b.target_id;
            });
  std::sort(d->inactivation.begin(), d->inactivation.end(),
            [](const InactivationRecord& a, const InactivationRecord& b) {
              return a.concept != b.concept ? a.concept < b.concept : a.reason_id < b.reason_id;
            });

  std::vector<uint64_t> map_ids;
  for (const PendingMap& m : p->maps) map_ids.push_back(m.refset_id);
  std::sort(map_ids.begin(), map_ids.end());
  map_ids.erase(std::unique(map_ids.begin(), map_ids.end()), map_ids.end());
  d->map_refsets = map_ids;
  d->maps.reserve(p->maps.size());
  for (PendingMap& m : p->maps) {
    m.record.refset_slot = static_cast<uint32_t>(
        std::lower_bound(map_ids.begin(), map_ids.end(), m.refset_id) - map_ids.begin());
    d->maps.push_back(m.record);
  }
  std::sort(d->maps.begin(), d->maps.end(), [](const MapRecord& a, const MapRecord& b) {
    if (a.concept != b.concept) return a.concept < b.concept;
    if (a.refset_slot != b.refset_slot) return a.refset_slot < b.refset_slot;
    if (a.map_group != b.map_group) return a.map_group < b.map_group;
    return a.map_priority < b.map_priority;
  });
  d->map_strings = std::move(p->map_strings);
}

// The latest version of each concrete relationship (by id) and of each
// alternate identifier (by scheme, code and concept); active ones are kept.
void BuildConcreteAndIdentifiers(ParsedRelease* p, TerminologyData* d) {
  const uint32_t n = static_cast<uint32_t>(d->concept_ids.size());
  std::vector<PendingConcrete>& rows = p->concrete;
  std::stable_sort(rows.begin(), rows.end(),
                   [](const PendingConcrete& a, const PendingConcrete& b) {
                     return a.id != b.id ? a.id < b.id : a.effective_time < b.effective_time;
                   });
  std::vector<ConcreteValue> values;
  std::vector<uint32_t> sources;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + 1 < rows.size() && rows[i + 1].id == rows[i].id) continue;
    if (!rows[i].active) continue;
    values.push_back(rows[i].value);
    sources.push_back(rows[i].source);
  }
  std::vector<PendingConcrete>().swap(rows);
  std::vector<uint32_t> order(values.size());
  for (uint32_t k = 0; k < order.size(); ++k) order[k] = k;
  // A release without concrete values (before 2021, or an extension alone)
  // leaves the CSR empty, so Row() is empty for every concept, rather than
  // allocate an offset per concept.
  if (!values.empty()) {
    d->concrete_out = GroupBy<uint32_t, ConcreteValue>(
        order, n, [&](uint32_t k) { return sources[k]; }, [&](uint32_t k) { return values[k]; });
    d->concrete_text = std::move(p->concrete_text);
  }

  std::vector<PendingAlternateId>& ids = p->alternate_ids;
  const std::string& text = p->alternate_id_text;
  auto code = [&](const AlternateIdentifier& a) {
    return absl::string_view(text.data() + a.code_offset, a.code_length);
  };
  std::stable_sort(ids.begin(), ids.end(),
                   [&](const PendingAlternateId& a, const PendingAlternateId& b) {
                     if (a.id.scheme_id != b.id.scheme_id) return a.id.scheme_id < b.id.scheme_id;
                     if (code(a.id) != code(b.id)) return code(a.id) < code(b.id);
                     if (a.id.concept != b.id.concept) return a.id.concept < b.id.concept;
                     return a.effective_time < b.effective_time;
                   });
  for (size_t i = 0; i < ids.size(); ++i) {
    const AlternateIdentifier& a = ids[i].id;
    if (i + 1 < ids.size() && ids[i + 1].id.scheme_id == a.scheme_id &&
        code(ids[i + 1].id) == code(a) && ids[i + 1].id.concept == a.concept) {
      continue;
    }
    if (!ids[i].active) continue;
    AlternateIdentifier kept = a;
    kept.code_offset = static_cast<uint32_t>(d->alternate_id_text.size());
    d->alternate_id_text.append(text.data() + a.code_offset, a.code_length);
    d->alternate_ids.push_back(kept);
  }
  std::vector<PendingAlternateId>().swap(ids);
}

}  // namespace

absl::StatusOr<TerminologyData> BuildTerminology(ParsedRelease parsed, int threads) {
  TerminologyData d;
  d.release_identity = std::move(parsed.release_identity);
  d.release_date = std::move(parsed.release_date);
  d.concept_ids = std::move(parsed.concept_ids);
  d.concept_modules = std::move(parsed.concept_modules);
  d.concept_times = std::move(parsed.concept_times);
  d.concept_flags = std::move(parsed.concept_flags);
  if (parsed.terms.size() >= 0xFFFFFFF0u || parsed.map_strings.size() >= 0xFFFFFFF0u) {
    return absl::ResourceExhaustedError("terms exceed 4 GiB");
  }
  absl::Status hierarchy_status;
  // Hierarchy + closure on one thread; terms, refsets and the search index on
  // the other. They touch disjoint members of `d`.
  auto hierarchy = [&] {
    BuildHierarchy(parsed, &d, &hierarchy_status);
    BuildRelationships(parsed, &d);
    std::vector<RelRow>().swap(parsed.relationships);  // lower the peak RSS
  };
  auto terms = [&] {
    BuildDescriptions(&parsed, &d);
    BuildRefsets(&parsed, &d);
    BuildConcreteAndIdentifiers(&parsed, &d);
    BuildSearchIndex(&d);
  };
  if (threads > 1) {
    std::thread t(hierarchy);
    terms();
    t.join();
  } else {
    hierarchy();
    terms();
  }
  if (!hierarchy_status.ok()) return hierarchy_status;
  absl::Status modules = SummariseModules(&d);
  if (!modules.ok()) return modules;
  return d;
}

}  // namespace sprout::snomed
