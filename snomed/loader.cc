// Terminology::Load and LoadFromFiles: find the RF2 Snapshot files, parse them
// on `threads` threads (concepts first, so every other file can resolve concept
// ids to indexes as it is parsed), then hand the rows to BuildTerminology.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "snomed/build.h"
#include "snomed/cache.h"
#include "snomed/release_files.h"
#include "snomed/rf2.h"
#include "snomed/terminology.h"

namespace sprout::snomed {
namespace {

struct Source {
  std::string name;
  Rf2Kind kind;
  uint64_t size;
  std::function<absl::StatusOr<std::unique_ptr<Content>>()> open;
};

// The line number of the k-th non-empty line (0-based) of `rows`, whose first
// line is line `first_line` of its file; for messages about rows that parsed
// but refer to something missing.
int LineOfRow(absl::string_view rows, int first_line, size_t k) {
  int line = first_line;
  size_t row = 0;
  size_t pos = 0;
  while (pos < rows.size()) {
    size_t nl = rows.find('\n', pos);
    size_t end = nl == absl::string_view::npos ? rows.size() : nl;
    absl::string_view l = rows.substr(pos, end - pos);
    if (!l.empty() && l != "\r") {
      if (row == k) return line;
      ++row;
    }
    if (nl == absl::string_view::npos) break;
    pos = nl + 1;
    ++line;
  }
  return line;
}

// 1 + the number of line ends before `offset`: the line number at `offset`.
int LineAt(absl::string_view content, size_t offset) {
  int line = 1;
  const char* p = content.data();
  const char* end = p + offset;
  while ((p = static_cast<const char*>(memchr(p, '\n', end - p))) != nullptr) {
    ++line;
    ++p;
  }
  return line;
}

uint8_t DescriptionTypeOf(uint64_t type_id) {
  switch (type_id) {
    case kFsnType:
      return kFsn;
    case kSynonymType:
      return kSynonym;
    case kDefinitionType:
      return kDefinition;
    default:
      return kOtherType;
  }
}

uint8_t CaseOf(uint64_t id) {
  switch (id) {
    case 900000000000020002:
      return 0;
    case 900000000000448009:
      return 1;
    case 900000000000017005:
      return 2;
    default:
      return 3;
  }
}

// A relationship row kept with its id, when several files could hold
// versions of the same relationship.
struct RelVersion {
  uint64_t id;
  RelRow row;
  uint32_t effective_time;
  bool active;
};

// What one chunk of a non-concept file contributes.
struct FileOutput {
  std::vector<DescriptionRecord> descriptions;
  std::vector<uint64_t> modules;  // this chunk's DescriptionRecord::module slots
  std::string terms;
  std::vector<LangRow> language;
  std::vector<RelRow> relationships;
  std::vector<MemberRow> members;
  std::vector<RelVersion> rel_versions;
  std::vector<PendingMap> maps;
  std::string map_strings;
  std::vector<PendingConcrete> concrete;
  std::string concrete_text;
  std::vector<PendingAlternateId> alternate_ids;
  std::string alternate_id_text;
};

class Loader {
 public:
  Loader(std::vector<Source> sources, int threads)
      : sources_(std::move(sources)), threads_(std::max(1, threads)) {}

  absl::StatusOr<TerminologyData> Run(std::string identity) {
    // Allocated before the big arrays so that, living on in the Terminology,
    // it does not sit above memory the build frees (and keep the heap from
    // shrinking). A UK Monolith has about 30 modules.
    parsed_.module_ids.reserve(64);
    std::string date;
    bool has_concepts = false;
    for (const Source& src : sources_) {
      date = std::max(date, VersionDateOf(src.name));
      has_concepts |= src.kind == Rf2Kind::kConcept;
    }
    if (!has_concepts) {
      return absl::NotFoundError("no RF2 Snapshot concept file (sct2_Concept_*Snapshot*.txt)");
    }
    versioned_relationships_ =
        std::count_if(sources_.begin(), sources_.end(),
                      [](const Source& src) { return src.kind == Rf2Kind::kRelationship; }) > 1;
    absl::Status s = OpenAll();
    if (!s.ok()) return s;
    s = LoadConcepts();
    if (!s.ok()) return s;
    std::vector<Chunk> chunks = ChunksOf(/*concepts=*/false);
    std::vector<FileOutput> outputs(chunks.size());
    s = ParallelFor(chunks.size(), threads_,
                    [&](size_t k) { return LoadChunk(chunks[k], &outputs[k]); });
    if (!s.ok()) return s;
    contents_.clear();
    Merge(&outputs);
    ResolveRelationshipVersions();
    parsed_.release_identity = std::move(identity);
    parsed_.release_date = date;
    absl::StatusOr<TerminologyData> built = BuildTerminology(std::move(parsed_), threads_);
    if (!built.ok()) {
      std::vector<IsACycleEdge> cycle = IsACycleOf(built.status());
      if (!cycle.empty()) return CycleWithRows(cycle);
    }
    return built;
  }

  // The SCTID -> index map built for parsing, handed on to the Terminology.
  absl::flat_hash_map<uint64_t, uint32_t> TakeIndex() { return std::move(index_); }

 private:
  // A run of whole lines of one file.
  struct Chunk {
    size_t source;
    size_t begin, end;  // offsets into the content
  };
  static constexpr size_t kChunkBytes = 8 << 20;
  static constexpr size_t kPrefetchAhead = 16;  // rows between prefetch and use

  absl::Status OpenAll() {
    contents_.resize(sources_.size());
    layouts_.resize(sources_.size());
    bodies_.resize(sources_.size());
    for (size_t i = 0; i < sources_.size(); ++i) {
      absl::StatusOr<std::unique_ptr<Content>> c = sources_[i].open();
      if (!c.ok()) return c.status();
      contents_[i] = std::move(*c);
      absl::StatusOr<Rf2Layout> layout =
          ReadRf2Header(sources_[i].name, contents_[i]->data(), sources_[i].kind, &bodies_[i]);
      if (!layout.ok()) return layout.status();
      layouts_[i] = *layout;
    }
    return absl::OkStatus();
  }

  // Splits the bodies of the concept files (or of all other files) into chunks
  // at line ends, biggest files first so threads finish together.
  std::vector<Chunk> ChunksOf(bool concepts) const {
    std::vector<size_t> order;
    for (size_t i = 0; i < sources_.size(); ++i) {
      if ((sources_[i].kind == Rf2Kind::kConcept) == concepts) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return sources_[a].size > sources_[b].size; });
    std::vector<Chunk> chunks;
    for (size_t i : order) {
      absl::string_view c = contents_[i]->data();
      size_t begin = bodies_[i];
      while (begin < c.size()) {
        size_t end = std::min(c.size(), begin + kChunkBytes);
        if (end < c.size()) {
          size_t nl = c.find('\n', end);
          end = nl == absl::string_view::npos ? c.size() : nl + 1;
        }
        chunks.push_back(Chunk{i, begin, end});
        begin = end;
      }
    }
    return chunks;
  }

  // Runs parse(rows, first_line) on a chunk. Line numbers are only needed for
  // an error, so a failing chunk is parsed again with its real first line.
  template <typename ParseFn>
  absl::Status ParseChunk(const Chunk& ch, ParseFn parse) {
    const Content& content = *contents_[ch.source];
    content.Prefetch(ch.begin, ch.end);
    absl::string_view rows = content.data().substr(ch.begin, ch.end - ch.begin);
    absl::Status s = parse(rows, 1);
    if (!s.ok()) s = parse(rows, LineAt(content.data(), ch.begin));
    return s;
  }

  absl::Status LoadConcepts() {
    std::vector<Chunk> chunks = ChunksOf(/*concepts=*/true);
    std::vector<std::vector<ConceptRow>> rows(chunks.size());
    absl::Status s = ParallelFor(chunks.size(), threads_, [&](size_t k) {
      const Chunk& ch = chunks[k];
      absl::Status st = ParseChunk(ch, [&](absl::string_view text, int first_line) {
        rows[k].clear();
        return ParseConceptRows(sources_[ch.source].name, text, first_line, &rows[k]);
      });
      contents_[ch.source]->Drop(ch.begin, ch.end);
      return st;
    });
    if (!s.ok()) return s;
    size_t total = 0;
    for (auto& r : rows) total += r.size();
    std::vector<ConceptRow> all;
    all.reserve(total);
    for (auto& r : rows) {
      all.insert(all.end(), r.begin(), r.end());
      std::vector<ConceptRow>().swap(r);
    }
    // A component may appear in several folders; the latest version wins.
    std::sort(all.begin(), all.end(), [](const ConceptRow& a, const ConceptRow& b) {
      return a.id != b.id ? a.id < b.id : a.effective_time < b.effective_time;
    });
    size_t n = 0;
    for (size_t i = 0; i < all.size(); ++i) {
      if (i + 1 < all.size() && all[i + 1].id == all[i].id) continue;
      all[n++] = all[i];
    }
    all.resize(n);
    parsed_.concept_ids.resize(n);
    parsed_.concept_modules.resize(n);
    parsed_.concept_times.resize(n);
    parsed_.concept_flags.resize(n);
    index_.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      parsed_.concept_ids[i] = all[i].id;
      parsed_.concept_modules[i] = all[i].module_id;
      parsed_.concept_times[i] = all[i].effective_time;
      parsed_.concept_flags[i] =
          (all[i].active ? kConceptActive : 0) |
          (all[i].definition_status_id == kFullyDefined ? kConceptFullyDefined : 0);
      index_.emplace(all[i].id, static_cast<uint32_t>(i));
    }
    return absl::OkStatus();
  }

  uint32_t Find(uint64_t id) const {
    auto it = index_.find(id);
    return it == index_.end() ? kNoIndex : it->second;
  }

  // Find() remembering the previous answer: rows come grouped by source
  // concept and use few relationship and description types.
  class CachedFind {
   public:
    explicit CachedFind(const Loader& l) : l_(l) {}
    uint32_t operator()(uint64_t id) {
      if (id != last_id_) {
        last_id_ = id;
        last_ = l_.Find(id);
      }
      return last_;
    }

   private:
    const Loader& l_;
    uint64_t last_id_ = 0;
    uint32_t last_ = kNoIndex;
  };

  absl::Status Missing(const Chunk& ch, size_t row, absl::string_view field, uint64_t id) const {
    absl::string_view content = contents_[ch.source]->data();
    int first_line = LineAt(content, ch.begin);
    int line = LineOfRow(content.substr(ch.begin, ch.end - ch.begin), first_line, row);
    return absl::FailedPreconditionError(absl::StrCat(sources_[ch.source].name, ":", line, ": ",
                                                      field, " ", id,
                                                      " is not a concept in the release"));
  }

  absl::Status LoadChunk(const Chunk& ch, FileOutput* out) {
    absl::Status s;
    switch (sources_[ch.source].kind) {
      case Rf2Kind::kDescription:
        s = Descriptions(ch, out);
        break;
      case Rf2Kind::kRelationship:
        s = Relationships(ch, out);
        break;
      case Rf2Kind::kSimpleMapRefset:
      case Rf2Kind::kExtendedMapRefset:
      case Rf2Kind::kComplexMapRefset:
        s = Maps(ch, out);
        break;
      case Rf2Kind::kConcreteRelationship:
        s = ConcreteRelationships(ch, out);
        break;
      case Rf2Kind::kIdentifier:
        s = Identifiers(ch, out);
        break;
      default:
        s = Refsets(ch, out);
        break;
    }
    contents_[ch.source]->Drop(ch.begin, ch.end);
    return s;
  }

  absl::Status Descriptions(const Chunk& ch, FileOutput* out) {
    std::vector<DescriptionRow> rows;
    const std::string& name = sources_[ch.source].name;
    absl::Status s = ParseChunk(ch, [&](absl::string_view text, int first_line) {
      rows.clear();
      return ParseDescriptionRows(name, text, first_line, &rows);
    });
    if (!s.ok()) return s;
    out->descriptions.reserve(rows.size());
    size_t bytes = 0;
    for (const DescriptionRow& r : rows) bytes += r.term.size();
    out->terms.reserve(bytes);
    CachedFind find(*this);
    uint16_t last_module = 0;
    for (size_t k = 0; k < rows.size(); ++k) {
      if (k + kPrefetchAhead < rows.size() &&
          rows[k + kPrefetchAhead].concept_id != rows[k + kPrefetchAhead - 1].concept_id) {
        index_.prefetch(rows[k + kPrefetchAhead].concept_id);
      }
      const DescriptionRow& r = rows[k];
      uint32_t c = find(r.concept_id);
      if (c == kNoIndex) return Missing(ch, k, "conceptId", r.concept_id);
      DescriptionRecord d;
      d.id = r.id;
      d.concept = c;
      d.term_offset = static_cast<uint32_t>(out->terms.size());
      d.term_length = static_cast<uint32_t>(r.term.size());
      d.effective_time = r.effective_time;
      d.type = DescriptionTypeOf(r.type_id);
      d.active = r.active;
      d.case_significance = CaseOf(r.case_significance_id);
      d.language[0] = r.language_code.size() > 0 ? r.language_code[0] : '?';
      d.language[1] = r.language_code.size() > 1 ? r.language_code[1] : '\0';
      if (out->modules.empty() || out->modules[last_module] != r.module_id) {
        auto it = std::find(out->modules.begin(), out->modules.end(), r.module_id);
        if (it == out->modules.end()) it = out->modules.insert(it, r.module_id);
        last_module = static_cast<uint16_t>(it - out->modules.begin());
      }
      d.module = last_module;
      out->terms.append(r.term.data(), r.term.size());
      out->descriptions.push_back(d);
    }
    return absl::OkStatus();
  }

  absl::Status Relationships(const Chunk& ch, FileOutput* out) {
    std::vector<RelationshipRow> rows;
    const std::string& name = sources_[ch.source].name;
    absl::Status s = ParseChunk(ch, [&](absl::string_view text, int first_line) {
      rows.clear();
      return ParseRelationshipRows(name, text, first_line, &rows);
    });
    if (!s.ok()) return s;
    out->relationships.reserve(rows.size());
    CachedFind source(*this), type(*this);
    for (size_t k = 0; k < rows.size(); ++k) {
      // Destinations are random: start fetching their hash slots early.
      if (k + kPrefetchAhead < rows.size())
        index_.prefetch(rows[k + kPrefetchAhead].destination_id);
      const RelationshipRow& r = rows[k];
      if (r.characteristic_type_id != kInferred) continue;
      if (versioned_relationships_) {
        // Every version is kept; Merge() keeps the latest per id.
        RelRow rel{source(r.source_id), Find(r.destination_id), type(r.type_id), r.group};
        if (rel.source == kNoIndex || rel.destination == kNoIndex || rel.type == kNoIndex) {
          if (!r.active) continue;
          if (rel.source == kNoIndex) return Missing(ch, k, "sourceId", r.source_id);
          if (rel.destination == kNoIndex) {
            return Missing(ch, k, "destinationId", r.destination_id);
          }
          return Missing(ch, k, "typeId", r.type_id);
        }
        out->rel_versions.push_back(RelVersion{r.id, rel, r.effective_time, r.active});
        continue;
      }
      if (!r.active) continue;
      RelRow rel{source(r.source_id), Find(r.destination_id), type(r.type_id), r.group};
      if (rel.source == kNoIndex) return Missing(ch, k, "sourceId", r.source_id);
      if (rel.destination == kNoIndex) return Missing(ch, k, "destinationId", r.destination_id);
      if (rel.type == kNoIndex) return Missing(ch, k, "typeId", r.type_id);
      out->relationships.push_back(rel);
    }
    return absl::OkStatus();
  }

  absl::Status Refsets(const Chunk& ch, FileOutput* out) {
    std::vector<RefsetRow> rows;
    const Source& src = sources_[ch.source];
    absl::Status s = ParseChunk(ch, [&](absl::string_view text, int first_line) {
      rows.clear();
      return ParseRefsetRows(src.name, text, first_line, layouts_[ch.source], &rows);
    });
    if (!s.ok()) return s;
    for (const RefsetRow& r : rows) {
      if (src.kind == Rf2Kind::kLanguageRefset) {
        out->language.push_back(LangRow{r.referenced_component_id, r.refset_id, r.effective_time,
                                        static_cast<uint8_t>(r.value == kPreferred),
                                        static_cast<uint8_t>(r.active)});
        continue;
      }
      // Members that are not concepts of this release (descriptions, or
      // concepts of an edition not loaded) do not take part in membership.
      uint32_t c = Find(r.referenced_component_id);
      if (c == kNoIndex) continue;
      MemberRow::Kind kind = src.kind == Rf2Kind::kAssociationRefset ? MemberRow::kAssociation
                             : src.kind == Rf2Kind::kAttributeValueRefset
                                 ? MemberRow::kAttributeValue
                                 : MemberRow::kSimple;
      out->members.push_back(MemberRow{r.refset_id, r.value, r.module_id, c, r.effective_time,
                                       static_cast<uint8_t>(r.active), kind});
    }
    return absl::OkStatus();
  }

  absl::Status ConcreteRelationships(const Chunk& ch, FileOutput* out) {
    std::vector<ConcreteRelationshipRow> rows;
    const std::string& name = sources_[ch.source].name;
    absl::Status s = ParseChunk(ch, [&](absl::string_view text, int first_line) {
      rows.clear();
      return ParseConcreteRelationshipRows(name, text, first_line, &rows);
    });
    if (!s.ok()) return s;
    for (size_t k = 0; k < rows.size(); ++k) {
      const ConcreteRelationshipRow& r = rows[k];
      if (r.characteristic_type_id != kInferred) continue;
      uint32_t source = Find(r.source_id), type = Find(r.type_id);
      if (source == kNoIndex || type == kNoIndex) {
        if (!r.active) continue;  // a retired row may name a retired concept
        return source == kNoIndex ? Missing(ch, k, "sourceId", r.source_id)
                                  : Missing(ch, k, "typeId", r.type_id);
      }
      PendingConcrete c{};
      c.id = r.id;
      c.source = source;
      c.effective_time = r.effective_time;
      c.active = r.active;
      c.value.type = type;
      c.value.group = r.group;
      absl::string_view text;
      bool is_text = false;
      ParseConcreteValue(r.value, &c.value.number, &text, &is_text);  // checked when parsed
      c.value.is_text = is_text;
      if (is_text) {
        c.value.text_offset = static_cast<uint32_t>(out->concrete_text.size());
        c.value.text_length = static_cast<uint32_t>(text.size());
        out->concrete_text.append(text.data(), text.size());
      }
      out->concrete.push_back(c);
    }
    return absl::OkStatus();
  }

  absl::Status Identifiers(const Chunk& ch, FileOutput* out) {
    std::vector<IdentifierRow> rows;
    const std::string& name = sources_[ch.source].name;
    absl::Status s = ParseChunk(ch, [&](absl::string_view text, int first_line) {
      rows.clear();
      return ParseIdentifierRows(name, text, first_line, &rows);
    });
    if (!s.ok()) return s;
    for (const IdentifierRow& r : rows) {
      // Identifiers of descriptions, or of concepts not loaded, are not kept.
      uint32_t c = Find(r.referenced_component_id);
      if (c == kNoIndex) continue;
      PendingAlternateId a{};
      a.id.scheme_id = r.scheme_id;
      a.id.concept = c;
      a.id.code_offset = static_cast<uint32_t>(out->alternate_id_text.size());
      a.id.code_length = static_cast<uint32_t>(r.alternate_identifier.size());
      out->alternate_id_text.append(r.alternate_identifier.data(), r.alternate_identifier.size());
      a.effective_time = r.effective_time;
      a.active = r.active;
      out->alternate_ids.push_back(a);
    }
    return absl::OkStatus();
  }

  absl::Status Maps(const Chunk& ch, FileOutput* out) {
    std::vector<MapRow> rows;
    const Source& src = sources_[ch.source];
    absl::Status s = ParseChunk(ch, [&](absl::string_view text, int first_line) {
      rows.clear();
      return ParseMapRows(src.name, text, first_line, layouts_[ch.source], &rows);
    });
    if (!s.ok()) return s;
    auto put = [&](absl::string_view v, uint32_t* off, uint32_t* len) {
      *off = static_cast<uint32_t>(out->map_strings.size());
      *len = static_cast<uint32_t>(v.size());
      out->map_strings.append(v.data(), v.size());
    };
    for (const MapRow& r : rows) {
      if (!r.active) continue;
      uint32_t c = Find(r.referenced_component_id);
      if (c == kNoIndex) continue;
      out->members.push_back(
          MemberRow{r.refset_id, 0, r.module_id, c, r.effective_time, 1, MemberRow::kMap});
      PendingMap m{};
      m.refset_id = r.refset_id;
      m.record.concept = c;
      m.record.map_group = r.map_group;
      m.record.map_priority = r.map_priority;
      m.record.correlation_id = r.correlation_id;
      m.record.map_category_id = r.map_category_id;
      put(r.map_target, &m.record.target_offset, &m.record.target_length);
      put(r.map_rule, &m.record.rule_offset, &m.record.rule_length);
      put(r.map_advice, &m.record.advice_offset, &m.record.advice_length);
      out->maps.push_back(m);
    }
    return absl::OkStatus();
  }

  // The cycle error naming, for each edge, the file and line of the active
  // inferred IS-A rows that make it. Cycles are rare, so the relationship
  // files are read again here rather than remembering every row's place.
  absl::Status CycleWithRows(const std::vector<IsACycleEdge>& cycle) {
    std::vector<std::vector<std::string>> places(cycle.size());
    for (const Source& src : sources_) {
      if (src.kind != Rf2Kind::kRelationship) continue;
      absl::StatusOr<std::unique_ptr<Content>> content = src.open();
      if (!content.ok()) return content.status();
      absl::string_view text = (*content)->data();
      size_t body = 0;
      absl::StatusOr<Rf2Layout> layout = ReadRf2Header(src.name, text, src.kind, &body);
      if (!layout.ok()) return layout.status();
      std::vector<RelationshipRow> rows;
      const int first_line = LineAt(text, body);
      absl::Status parsed = ParseRelationshipRows(src.name, text.substr(body), first_line, &rows);
      if (!parsed.ok()) return parsed;
      for (size_t k = 0; k < rows.size(); ++k) {
        const RelationshipRow& r = rows[k];
        if (!r.active || r.type_id != kIsA || r.characteristic_type_id != kInferred) continue;
        for (size_t e = 0; e < cycle.size(); ++e) {
          if (r.source_id == cycle[e].child && r.destination_id == cycle[e].parent) {
            places[e].push_back(
                absl::StrCat(src.name, ":", LineOfRow(text.substr(body), first_line, k)));
          }
        }
      }
    }
    std::string text;
    for (size_t e = 0; e < cycle.size(); ++e) {
      absl::StrAppend(&text, e == 0 ? "" : ", ", cycle[e].child, " is-a ", cycle[e].parent, " (",
                      absl::StrJoin(places[e], ", "), ")");
    }
    return absl::FailedPreconditionError(
        absl::StrCat("the inferred IS-A hierarchy has a cycle: ", text,
                     "; a concept cannot be its own ancestor, so one of these rows is wrong"));
  }

  template <typename T>
  static void Append(std::vector<T>* to, std::vector<T>* from) {
    to->insert(to->end(), from->begin(), from->end());
    std::vector<T>().swap(*from);
  }

  void Merge(std::vector<FileOutput>* outputs) {
    size_t descs = 0, terms = 0, rels = 0, lang = 0, members = 0, map_bytes = 0;
    for (const FileOutput& o : *outputs) {
      descs += o.descriptions.size();
      terms += o.terms.size();
      rels += o.relationships.size();
      lang += o.language.size();
      members += o.members.size();
      map_bytes += o.map_strings.size();
    }
    ReserveHuge(&parsed_.descriptions, descs);
    parsed_.terms.reserve(terms);
    AdviseHugePages(parsed_.terms.data(), terms);
    ReserveHuge(&parsed_.relationships, rels);
    ReserveHuge(&parsed_.language, lang);
    parsed_.members.reserve(members);
    parsed_.map_strings.reserve(map_bytes);
    // Terms and descriptions on one thread, everything else on another: the
    // two halves touch disjoint members.
    auto terms_half = [&] {
      std::vector<uint64_t>& modules = parsed_.module_ids;
      for (FileOutput& o : *outputs) {
        uint32_t base = static_cast<uint32_t>(parsed_.terms.size());
        std::vector<uint16_t> global(o.modules.size());
        for (size_t k = 0; k < o.modules.size(); ++k) {
          auto it = std::find(modules.begin(), modules.end(), o.modules[k]);
          if (it == modules.end()) it = modules.insert(it, o.modules[k]);
          global[k] = static_cast<uint16_t>(it - modules.begin());
        }
        for (DescriptionRecord& d : o.descriptions) {
          d.term_offset += base;
          d.module = global[d.module];
        }
        // Freed now: a small block left in a parsing thread's arena would keep
        // the chunk buffers around it from going back to the system.
        std::vector<uint64_t>().swap(o.modules);
        parsed_.terms += o.terms;
        std::string().swap(o.terms);
        Append(&parsed_.descriptions, &o.descriptions);
      }
    };
    auto rest_half = [&] {
      for (FileOutput& o : *outputs) {
        Append(&parsed_.relationships, &o.relationships);
        Append(&parsed_.language, &o.language);
        Append(&parsed_.members, &o.members);
        Append(&rel_versions, &o.rel_versions);
        uint32_t mbase = static_cast<uint32_t>(parsed_.map_strings.size());
        for (PendingMap& m : o.maps) {
          m.record.target_offset += mbase;
          m.record.rule_offset += mbase;
          m.record.advice_offset += mbase;
        }
        parsed_.map_strings += o.map_strings;
        std::string().swap(o.map_strings);
        Append(&parsed_.maps, &o.maps);
        uint32_t cbase = static_cast<uint32_t>(parsed_.concrete_text.size());
        for (PendingConcrete& c : o.concrete) c.value.text_offset += cbase;
        parsed_.concrete_text += o.concrete_text;
        std::string().swap(o.concrete_text);
        Append(&parsed_.concrete, &o.concrete);
        uint32_t abase = static_cast<uint32_t>(parsed_.alternate_id_text.size());
        for (PendingAlternateId& a : o.alternate_ids) a.id.code_offset += abase;
        parsed_.alternate_id_text += o.alternate_id_text;
        std::string().swap(o.alternate_id_text);
        Append(&parsed_.alternate_ids, &o.alternate_ids);
      }
    };
    if (threads_ > 1) {
      std::thread t(rest_half);
      terms_half();
      t.join();
    } else {
      terms_half();
      rest_half();
    }
  }

  // Keeps the latest version of each relationship id across files.
  void ResolveRelationshipVersions() {
    std::stable_sort(rel_versions.begin(), rel_versions.end(),
                     [](const RelVersion& a, const RelVersion& b) {
                       return a.id != b.id ? a.id < b.id : a.effective_time < b.effective_time;
                     });
    for (size_t i = 0; i < rel_versions.size(); ++i) {
      if (i + 1 < rel_versions.size() && rel_versions[i + 1].id == rel_versions[i].id) continue;
      if (rel_versions[i].active) parsed_.relationships.push_back(rel_versions[i].row);
    }
    std::vector<RelVersion>().swap(rel_versions);
  }

  std::vector<Source> sources_;
  const int threads_;
  bool versioned_relationships_ = false;  // more than one relationship file
  std::vector<RelVersion> rel_versions;
  std::vector<std::unique_ptr<Content>> contents_;
  std::vector<Rf2Layout> layouts_;
  std::vector<size_t> bodies_;
  ParsedRelease parsed_;
  absl::flat_hash_map<uint64_t, uint32_t> index_;
};

// Finds the classified RF2 files under each folder, in a stable order.
absl::Status FindSources(const std::vector<std::string>& dirs, std::vector<Source>* out,
                         std::vector<std::string>* fingerprint_lines) {
  namespace fs = std::filesystem;
  for (const std::string& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      return absl::NotFoundError(absl::StrCat("SNOMED release folder '", dir, "' does not exist"));
    }
    std::vector<std::string> paths;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) &&
          ClassifyRf2File(it->path().filename().string()) != Rf2Kind::kIgnored) {
        paths.push_back(it->path().string());
      }
    }
    if (ec) return absl::InternalError(absl::StrCat(dir, ": ", ec.message()));
    std::sort(paths.begin(), paths.end());
    bool has_concepts = false;
    for (const std::string& p : paths) {
      Rf2Kind kind = ClassifyRf2File(p);
      has_concepts |= kind == Rf2Kind::kConcept;
      struct stat st;
      if (stat(p.c_str(), &st) != 0) return absl::InternalError(absl::StrCat(p, ": stat failed"));
      out->push_back(
          Source{p, kind, static_cast<uint64_t>(st.st_size), [p] { return MapFile(p); }});
      fingerprint_lines->push_back(
          absl::StrCat(p, "\t", st.st_size, "\t", st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec));
    }
    if (!has_concepts) {
      return absl::NotFoundError(
          absl::StrCat("SNOMED release folder '", dir, "' holds no RF2 Snapshot concept file"));
    }
  }
  return absl::OkStatus();
}

std::string IdentityOf(const std::vector<std::string>& dirs) {
  std::vector<std::string> names;
  for (const std::string& d : dirs) {
    std::filesystem::path p = std::filesystem::path(d).lexically_normal();
    std::string name = p.filename().string();
    if (name.empty()) name = p.parent_path().filename().string();
    names.push_back(name);
  }
  return absl::StrJoin(names, "+");
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Terminology>> Terminology::Load(const LoadOptions& options) {
  const absl::Time start = absl::Now();
  if (options.release_dirs.empty()) {
    return absl::InvalidArgumentError("no SNOMED release folder given");
  }
  std::vector<Source> sources;
  std::vector<std::string> lines;
  absl::Status s = FindSources(options.release_dirs, &sources, &lines);
  if (!s.ok()) return s;
  std::string fingerprint = absl::StrJoin(lines, "\n");
  if (!options.cache_path.empty()) {
    absl::StatusOr<TerminologyData> cached = ReadCache(options.cache_path, fingerprint);
    if (cached.ok()) {
      auto t = std::make_shared<Terminology>(std::move(*cached), true);
      t->release_.folders = options.release_dirs;
      t->release_.load_duration = absl::Now() - start;
      return t;
    }
    // A missing, stale or corrupt cache is rebuilt from RF2, never trusted.
  }
  Loader loader(std::move(sources), options.threads);
  absl::StatusOr<TerminologyData> data = loader.Run(IdentityOf(options.release_dirs));
  if (!data.ok()) return data.status();
  if (!options.cache_path.empty()) {
    WriteCache(options.cache_path, fingerprint, *data).IgnoreError();  // best effort
  }
  auto t = std::make_shared<Terminology>(std::move(*data), loader.TakeIndex());
  t->release_.folders = options.release_dirs;
  t->release_.load_duration = absl::Now() - start;
  return t;
}

absl::StatusOr<std::shared_ptr<const Terminology>> Terminology::LoadFromFiles(
    const std::vector<Rf2File>& files, int threads) {
  const absl::Time start = absl::Now();
  std::vector<Source> sources;
  for (const Rf2File& f : files) {
    Rf2Kind kind = ClassifyRf2File(f.name);
    if (kind == Rf2Kind::kIgnored) continue;
    absl::string_view view = f.content;
    sources.push_back(Source{f.name, kind, f.content.size(), [view] {
                               return absl::StatusOr<std::unique_ptr<Content>>(
                                   std::make_unique<ViewContent>(view));
                             }});
  }
  Loader loader(std::move(sources), threads);
  absl::StatusOr<TerminologyData> data = loader.Run("in-memory");
  if (!data.ok()) return data.status();
  auto t = std::make_shared<Terminology>(std::move(*data), loader.TakeIndex());
  t->release_.load_duration = absl::Now() - start;
  return t;
}

}  // namespace sprout::snomed
