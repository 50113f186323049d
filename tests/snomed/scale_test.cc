// The engine over a scaled-down synthetic UK-Monolith release (scale 0.05,
// about 41k concepts): structural invariants of the closure, ECL, search and
// the cache at a size where mistakes in chunking or parallel parsing show.
#include <filesystem>
#include <random>
#include <set>

#include "gtest/gtest.h"
#include "snomed/cache.h"
#include "snomed/ecl.h"
#include "snomed/search.h"
#include "snomed/synthetic_release.h"
#include "snomed/terminology.h"

namespace sprout::snomed {
namespace {

namespace fs = std::filesystem;

class ScaleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::path(::testing::TempDir()) /
                        ("snomed_scale_test_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    SyntheticReleaseOptions o;
    o.out_dir = dir_->string();
    o.scale = 0.05;
    absl::StatusOr<SyntheticReleaseStats> stats = WriteSyntheticRelease(o);
    ASSERT_TRUE(stats.ok()) << stats.status();
    stats_ = new SyntheticReleaseStats(*stats);
    LoadOptions options;
    options.release_dirs = {stats->release_dir};
    options.cache_path = (*dir_ / "snomed.cache").string();
    auto t = Terminology::Load(options);
    ASSERT_TRUE(t.ok()) << t.status();
    t_ = new std::shared_ptr<const Terminology>(*t);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete t_;
    delete stats_;
    delete dir_;
  }
  static const Terminology& T() { return **t_; }

  static fs::path* dir_;
  static SyntheticReleaseStats* stats_;
  static std::shared_ptr<const Terminology>* t_;
};
fs::path* ScaleTest::dir_ = nullptr;
SyntheticReleaseStats* ScaleTest::stats_ = nullptr;
std::shared_ptr<const Terminology>* ScaleTest::t_ = nullptr;

TEST_F(ScaleTest, EveryRowWasLoaded) {
  EXPECT_EQ(T().concept_count(), stats_->concepts);
  EXPECT_EQ(T().data().descriptions.size(), stats_->descriptions);
  EXPECT_GT(stats_->concepts, 40000u);
  size_t active = 0;
  for (uint32_t c = 0; c < T().concept_count(); ++c) active += T().ActiveAt(c);
  EXPECT_EQ(active, stats_->active_concepts);
}

TEST_F(ScaleTest, ClosureEqualsAWalkOverParents) {
  const TerminologyData& d = T().data();
  std::mt19937 rng(1);
  for (int i = 0; i < 2000; ++i) {
    uint32_t c = rng() % T().concept_count();
    std::set<uint32_t> walk;
    std::vector<uint32_t> stack(d.parents.Row(c).begin(), d.parents.Row(c).end());
    while (!stack.empty()) {
      uint32_t x = stack.back();
      stack.pop_back();
      if (!walk.insert(x).second) continue;
      for (uint32_t p : d.parents.Row(x)) stack.push_back(p);
    }
    absl::Span<const uint32_t> anc = d.ancestors.Row(c);
    ASSERT_EQ(std::vector<uint32_t>(anc.begin(), anc.end()),
              std::vector<uint32_t>(walk.begin(), walk.end()))
        << T().IdAt(c);
    for (uint32_t a : anc) {
      ASSERT_TRUE(std::binary_search(d.descendants.Row(a).begin(), d.descendants.Row(a).end(), c));
    }
    if (T().ActiveAt(c) && T().IdAt(c) != kRootConcept) {
      EXPECT_TRUE(T().Subsumes(kRootConcept, T().IdAt(c)));
      EXPECT_TRUE(T().PreferredTerm(T().IdAt(c)).has_value());
    }
  }
  EXPECT_EQ(d.ancestors.values.size(), d.descendants.values.size());
}

TEST_F(ScaleTest, EclCountEvaluateAndMatchesAgree) {
  auto e = Ecl::Parse("<< 404684003 |Clinical finding|");
  ASSERT_TRUE(e.ok());
  std::vector<uint32_t> set = e->EvaluateIndexes(T());
  EXPECT_EQ(e->Count(T()), set.size());
  EXPECT_EQ(set.size(), T().DescendantCount(404684003) + 1);
  EXPECT_GT(set.size(), T().concept_count() / 4);
  std::mt19937 rng(2);
  for (int i = 0; i < 5000; ++i) {
    uint32_t c = rng() % T().concept_count();
    EXPECT_EQ(e->MatchesIndex(T(), c), std::binary_search(set.begin(), set.end(), c));
  }
  auto refined = Ecl::Parse("<< 404684003 : * = << 123037004");
  ASSERT_TRUE(refined.ok());
  std::vector<uint32_t> r = refined->EvaluateIndexes(T());
  EXPECT_FALSE(r.empty());
  EXPECT_LT(r.size(), set.size());
  for (size_t i = 0; i < r.size(); i += 97) EXPECT_TRUE(refined->MatchesIndex(T(), r[i]));
}

TEST_F(ScaleTest, SearchFindsAPreferredTerm) {
  const TerminologyData& d = T().data();
  uint32_t c = T().concept_count() / 2;
  while (!T().ActiveAt(c)) ++c;
  std::string pt(T().TermAt(d.preferred_term[c]));
  SearchOptions o;
  o.limit = 5;
  std::vector<SearchHit> hits = Search(T(), pt, o);
  ASSERT_FALSE(hits.empty());
  EXPECT_TRUE(hits[0].exact);
  EXPECT_EQ(hits[0].term.size(), pt.size());
}

TEST_F(ScaleTest, CacheRestoresTheSameArrays) {
  LoadOptions options;
  options.release_dirs = {stats_->release_dir};
  options.cache_path = (*dir_ / "snomed.cache").string();
  auto restored = Terminology::Load(options);
  ASSERT_TRUE(restored.ok()) << restored.status();
  ASSERT_TRUE((*restored)->release().from_cache);
  const TerminologyData& a = T().data();
  const TerminologyData& b = (*restored)->data();
  EXPECT_EQ(a.concept_ids, b.concept_ids);
  EXPECT_EQ(a.ancestors.values, b.ancestors.values);
  EXPECT_EQ(a.descendants.offsets, b.descendants.offsets);
  EXPECT_EQ(a.terms, b.terms);
  EXPECT_EQ(a.preferred_term, b.preferred_term);
  EXPECT_EQ(a.postings.values, b.postings.values);
}

}  // namespace
}  // namespace sprout::snomed
