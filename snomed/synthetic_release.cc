#include "snomed/synthetic_release.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

#include "absl/strings/str_cat.h"
#include "snomed/sctid.h"
#include "snomed/terminology.h"

namespace sprout::snomed {
namespace {

constexpr uint32_t kNamespace = 9999999;  // not allocated; synthetic content only
constexpr char kDate[] = "20260101";
constexpr char kModule[] = "900000000000207008";

// Top-level hierarchies (real ids) and the share of concepts generated below each.
struct TopLevel {
  uint64_t id;
  const char* name;
  const char* tag;
  double share;
};
constexpr TopLevel kTopLevels[] = {
    {404684003, "Clinical finding", "finding", 0.40},
    {71388002, "Procedure", "procedure", 0.14},
    {123037004, "Body structure", "body structure", 0.08},
    {373873005, "Pharmaceutical / biologic product", "product", 0.17},
    {410607006, "Organism", "organism", 0.05},
    {362981000, "Qualifier value", "qualifier value", 0.04},
    {363787002, "Observable entity", "observable entity", 0.03},
    {243796009, "Situation with explicit context", "situation", 0.02},
    {272379006, "Event", "event", 0.01},
    {419891008, "Record artifact", "record artifact", 0.01},
    {308916002, "Environment or geographical location", "environment", 0.01},
    {370115009, "Special concept", "special concept", 0.04},
};

// Buffered file writer with fast integer formatting.
class Writer {
 public:
  absl::Status Open(const std::string& path) {
    f_ = fopen(path.c_str(), "wb");
    if (f_ == nullptr) return absl::UnavailableError(absl::StrCat("cannot write ", path));
    path_ = path;
    return absl::OkStatus();
  }
  Writer& S(absl::string_view s) {
    buf_.append(s.data(), s.size());
    if (buf_.size() > (1 << 20)) Flush();
    return *this;
  }
  Writer& U(uint64_t v) {
    char tmp[24];
    int n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    while (n > 0) buf_.push_back(tmp[--n]);
    return *this;
  }
  Writer& T() { return S("\t"); }
  Writer& Eol() { return S("\r\n"); }
  absl::Status Close(uint64_t* bytes) {
    Flush();
    *bytes += written_;
    if (fclose(f_) != 0 || !ok_)
      return absl::UnavailableError(absl::StrCat("cannot write ", path_));
    return absl::OkStatus();
  }

 private:
  void Flush() {
    ok_ = ok_ && fwrite(buf_.data(), 1, buf_.size(), f_) == buf_.size();
    written_ += buf_.size();
    buf_.clear();
  }
  FILE* f_ = nullptr;
  std::string path_;
  std::string buf_;
  uint64_t written_ = 0;
  bool ok_ = true;
};

// Pronounceable pseudo-words, so terms tokenise like real ones.
std::vector<std::string> MakeVocabulary(std::mt19937_64& rng, size_t n) {
  static const char* kOnsets[] = {"b", "c", "d", "f",  "g",  "h",  "l",  "m",  "n",  "p",  "r",
                                  "s", "t", "v", "br", "cr", "st", "tr", "pl", "gl", "th", "ch"};
  static const char* kVowels[] = {"a", "e", "i", "o", "u", "ae", "io", "ou"};
  static const char* kCodas[] = {"", "n", "s", "l", "r", "x", "m", "t", "sis", "ic", "al", "oma"};
  std::vector<std::string> words;
  words.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string w;
    int syllables = 2 + static_cast<int>(rng() % 3);
    for (int s = 0; s < syllables; ++s) {
      w += kOnsets[rng() % (sizeof(kOnsets) / sizeof(kOnsets[0]))];
      w += kVowels[rng() % (sizeof(kVowels) / sizeof(kVowels[0]))];
    }
    w += kCodas[rng() % (sizeof(kCodas) / sizeof(kCodas[0]))];
    words.push_back(std::move(w));
  }
  return words;
}

struct Node {
  uint64_t id;
  uint32_t hierarchy;  // index into kTopLevels, or kMeta
  bool active;
};
constexpr uint32_t kMeta = 1000;

}  // namespace

absl::StatusOr<SyntheticReleaseStats> WriteSyntheticRelease(
    const SyntheticReleaseOptions& options) {
  namespace fs = std::filesystem;
  std::mt19937_64 rng(options.seed);
  SyntheticReleaseStats stats;
  const uint64_t target = std::max<uint64_t>(2000, static_cast<uint64_t>(830000 * options.scale));
  fs::path release = fs::path(options.out_dir) /
                     absl::StrCat("SnomedCT_SyntheticRF2_PRODUCTION_", kDate, "T000000Z");
  fs::path term_dir = release / "Snapshot" / "Terminology";
  fs::path refset_dir = release / "Snapshot" / "Refset";
  std::error_code ec;
  fs::create_directories(term_dir, ec);
  fs::create_directories(refset_dir / "Language", ec);
  fs::create_directories(refset_dir / "Content", ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", release.string()));
  stats.release_dir = release.string();

  uint64_t next_item = 1000;
  auto new_id = [&](Partition p) { return MakeSctid(next_item++, kNamespace, p); };

  // Concepts: root, IS-A, the top levels, attribute concepts, refsets, then
  // the generated bulk.
  std::vector<Node> nodes;
  std::vector<std::vector<uint32_t>> members(std::size(kTopLevels));
  nodes.push_back({kRootConcept, kMeta, true});
  nodes.push_back({kIsA, kMeta, true});
  for (uint32_t h = 0; h < std::size(kTopLevels); ++h) {
    members[h].push_back(static_cast<uint32_t>(nodes.size()));
    nodes.push_back({kTopLevels[h].id, h, true});
  }
  std::vector<uint64_t> attributes;
  for (int a = 0; a < 40; ++a) {
    attributes.push_back(new_id(Partition::kExtensionConcept));
    nodes.push_back({attributes.back(), kMeta, true});
  }
  std::vector<uint64_t> refsets;
  for (int r = 0; r < 8; ++r) {
    refsets.push_back(new_id(Partition::kExtensionConcept));
    nodes.push_back({refsets.back(), kMeta, true});
  }
  std::vector<double> cumulative;
  double acc = 0;
  for (const TopLevel& t : kTopLevels) cumulative.push_back(acc += t.share);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  struct Edge {
    uint32_t child, parent;
  };
  std::vector<Edge> isa;
  isa.reserve(target * 13 / 10);
  isa.push_back({1, 0});
  for (uint32_t h = 0; h < std::size(kTopLevels); ++h) isa.push_back({members[h][0], 0});
  for (size_t k = 2 + std::size(kTopLevels); k < nodes.size(); ++k) {
    isa.push_back({static_cast<uint32_t>(k), 0});
  }
  while (nodes.size() < target) {
    double u = unit(rng) * acc;
    uint32_t h = static_cast<uint32_t>(std::lower_bound(cumulative.begin(), cumulative.end(), u) -
                                       cumulative.begin());
    if (h >= std::size(kTopLevels)) h = std::size(kTopLevels) - 1;
    std::vector<uint32_t>& m = members[h];
    uint32_t self = static_cast<uint32_t>(nodes.size());
    bool active = unit(rng) >= 0.04;
    nodes.push_back({new_id(Partition::kExtensionConcept), h, active});
    if (!active) continue;  // inactive concepts keep no active IS-A
    // Uniform attachment within the hierarchy gives logarithmic depth; one
    // concept in seven gets a second parent from the same hierarchy.
    uint32_t p1 = m[rng() % m.size()];
    isa.push_back({self, p1});
    if (unit(rng) < 0.14 && m.size() > 2) {
      uint32_t p2 = m[rng() % m.size()];
      if (p2 != p1) isa.push_back({self, p2});
    }
    m.push_back(self);
  }
  stats.concepts = nodes.size();

  uint64_t bytes = 0;
  // Concept file.
  {
    Writer w;
    absl::Status s =
        w.Open((term_dir / absl::StrCat("sct2_Concept_Snapshot_INT_", kDate, ".txt")).string());
    if (!s.ok()) return s;
    w.S("id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId").Eol();
    for (const Node& n : nodes) {
      w.U(n.id)
          .T()
          .S(kDate)
          .T()
          .S(n.active ? "1" : "0")
          .T()
          .S(kModule)
          .T()
          .S(unit(rng) < 0.3 ? "900000000000073002" : "900000000000074008")
          .Eol();
      stats.active_concepts += n.active;
    }
    s = w.Close(&bytes);
    if (!s.ok()) return s;
  }
  // Descriptions + GB language refset.
  {
    std::vector<std::string> vocab = MakeVocabulary(rng, 6000);
    Writer d, l;
    absl::Status s = d.Open(
        (term_dir / absl::StrCat("sct2_Description_Snapshot-en_INT_", kDate, ".txt")).string());
    if (s.ok()) {
      s = l.Open((refset_dir / "Language" /
                  absl::StrCat("der2_cRefset_LanguageSnapshot-en_INT_", kDate, ".txt"))
                     .string());
    }
    if (!s.ok()) return s;
    d.S("id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
        "caseSignificanceId")
        .Eol();
    l.S("id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tacceptabilityId")
        .Eol();
    uint64_t uuid = 0;
    std::string term;
    auto lang = [&](uint64_t desc_id) {
      char u[40];
      snprintf(u, sizeof(u), "%08llx-0000-4000-8000-%012llx",
               static_cast<unsigned long long>(options.seed & 0xffffffff),
               static_cast<unsigned long long>(++uuid));
      l.S(u)
          .T()
          .S(kDate)
          .T()
          .S("1")
          .T()
          .S(kModule)
          .T()
          .U(kGbLanguageRefset)
          .T()
          .U(desc_id)
          .T()
          .U(kPreferred)
          .Eol();
      ++stats.language_rows;
    };
    for (size_t k = 0; k < nodes.size(); ++k) {
      const Node& n = nodes[k];
      term.clear();
      if (n.hierarchy < std::size(kTopLevels) && members[n.hierarchy][0] == k) {
        term = kTopLevels[n.hierarchy].name;
      } else if (n.id == kRootConcept) {
        term = "SNOMED CT Concept";
      } else if (n.id == kIsA) {
        term = "Is a";
      } else {
        int words = 2 + static_cast<int>(rng() % 4);
        for (int i = 0; i < words; ++i) {
          // Zipf-like: low word numbers are much more common.
          double z = unit(rng);
          size_t idx = static_cast<size_t>(z * z * z * vocab.size());
          if (i > 0) term += ' ';
          term += vocab[idx];
        }
        term[0] = static_cast<char>(term[0] - 32);
      }
      const char* tag = n.hierarchy < std::size(kTopLevels) ? kTopLevels[n.hierarchy].tag
                                                            : "foundation metadata concept";
      uint64_t fsn = new_id(Partition::kExtensionDescription);
      d.U(fsn)
          .T()
          .S(kDate)
          .T()
          .S("1")
          .T()
          .S(kModule)
          .T()
          .U(n.id)
          .T()
          .S("en")
          .T()
          .U(kFsnType)
          .T()
          .S(term)
          .S(" (")
          .S(tag)
          .S(")")
          .T()
          .S("900000000000448009")
          .Eol();
      lang(fsn);
      uint64_t pt = new_id(Partition::kExtensionDescription);
      d.U(pt)
          .T()
          .S(kDate)
          .T()
          .S("1")
          .T()
          .S(kModule)
          .T()
          .U(n.id)
          .T()
          .S("en")
          .T()
          .U(kSynonymType)
          .T()
          .S(term)
          .T()
          .S("900000000000448009")
          .Eol();
      lang(pt);
      stats.descriptions += 2;
    }
    s = d.Close(&bytes);
    if (s.ok()) s = l.Close(&bytes);
    if (!s.ok()) return s;
  }
  // Relationships: IS-A, attributes in groups, some inactive rows.
  {
    Writer w;
    absl::Status s = w.Open(
        (term_dir / absl::StrCat("sct2_Relationship_Snapshot_INT_", kDate, ".txt")).string());
    if (!s.ok()) return s;
    w.S("id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\t"
        "typeId\tcharacteristicTypeId\tmodifierId")
        .Eol();
    auto row = [&](uint64_t src, uint64_t dst, uint32_t group, uint64_t type, bool active) {
      w.U(new_id(Partition::kExtensionRelationship))
          .T()
          .S(kDate)
          .T()
          .S(active ? "1" : "0")
          .T()
          .S(kModule)
          .T()
          .U(src)
          .T()
          .U(dst)
          .T()
          .U(group)
          .T()
          .U(type)
          .T()
          .U(kInferred)
          .T()
          .S("900000000000451002")
          .Eol();
      ++stats.relationships;
    };
    for (const Edge& e : isa) row(nodes[e.child].id, nodes[e.parent].id, 0, kIsA, true);
    // Attribute values come from body structure, qualifier, organism and product.
    const std::vector<uint32_t>* value_pools[] = {&members[2], &members[5], &members[4],
                                                  &members[3]};
    const uint64_t target_rels = static_cast<uint64_t>(3000000 * options.scale);
    for (size_t k = 0; k < nodes.size() && stats.relationships < target_rels; ++k) {
      const Node& n = nodes[k];
      if (n.hierarchy != 0 && n.hierarchy != 1 && n.hierarchy != 3) continue;
      int groups = 1 + static_cast<int>(rng() % 3);
      for (int g = 1; g <= groups; ++g) {
        int attrs = 1 + static_cast<int>(rng() % 3);
        for (int a = 0; a < attrs; ++a) {
          const std::vector<uint32_t>& pool = *value_pools[rng() % 4];
          uint32_t value = pool[rng() % pool.size()];
          bool active = n.active && unit(rng) >= 0.1;
          row(n.id, nodes[value].id, static_cast<uint32_t>(g),
              attributes[rng() % attributes.size()], active);
        }
      }
    }
    s = w.Close(&bytes);
    if (!s.ok()) return s;
  }
  // History, inactivation reasons and simple refsets.
  {
    Writer assoc, attr, simple;
    absl::Status s =
        assoc.Open((refset_dir / "Content" /
                    absl::StrCat("der2_cRefset_AssociationSnapshot_INT_", kDate, ".txt"))
                       .string());
    if (s.ok()) {
      s = attr.Open((refset_dir / "Content" /
                     absl::StrCat("der2_cRefset_AttributeValueSnapshot_INT_", kDate, ".txt"))
                        .string());
    }
    if (s.ok()) {
      s = simple.Open(
          (refset_dir / "Content" / absl::StrCat("der2_Refset_SimpleSnapshot_INT_", kDate, ".txt"))
              .string());
    }
    if (!s.ok()) return s;
    const char* header = "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId";
    assoc.S(header).S("\ttargetComponentId").Eol();
    attr.S(header).S("\tvalueId").Eol();
    simple.S(header).Eol();
    uint64_t uuid = 0;
    auto uuid_of = [&](Writer& w) {
      char u[40];
      snprintf(u, sizeof(u), "%08llx-0001-4000-8000-%012llx",
               static_cast<unsigned long long>(options.seed & 0xffffffff),
               static_cast<unsigned long long>(++uuid));
      w.S(u);
    };
    for (size_t k = 0; k < nodes.size(); ++k) {
      const Node& n = nodes[k];
      if (!n.active && n.hierarchy < std::size(kTopLevels)) {
        const std::vector<uint32_t>& m = members[n.hierarchy];
        uint32_t target_node = m[rng() % m.size()];
        uuid_of(assoc);
        assoc.T()
            .S(kDate)
            .T()
            .S("1")
            .T()
            .S(kModule)
            .T()
            .U(unit(rng) < 0.7 ? kReplacedByRefset : kSameAsRefset)
            .T()
            .U(n.id)
            .T()
            .U(nodes[target_node].id)
            .Eol();
        uuid_of(attr);
        attr.T()
            .S(kDate)
            .T()
            .S("1")
            .T()
            .S(kModule)
            .T()
            .U(kConceptInactivationRefset)
            .T()
            .U(n.id)
            .T()
            .U(attributes[0])
            .Eol();
      } else if (n.active && rng() % 100 < 2) {
        uuid_of(simple);
        simple.T()
            .S(kDate)
            .T()
            .S("1")
            .T()
            .S(kModule)
            .T()
            .U(refsets[rng() % refsets.size()])
            .T()
            .U(n.id)
            .Eol();
      }
    }
    s = assoc.Close(&bytes);
    if (s.ok()) s = attr.Close(&bytes);
    if (s.ok()) s = simple.Close(&bytes);
    if (!s.ok()) return s;
  }
  stats.bytes = bytes;
  return stats;
}

}  // namespace sprout::snomed
