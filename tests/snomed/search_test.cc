#include "snomed/search.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/snomed/test_release.h"

namespace sprout::snomed {
namespace {

class SearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = Terminology::LoadFromFiles(testing::TestReleaseBuilder().Build());
    ASSERT_TRUE(t.ok()) << t.status();
    t_ = *t;
  }
  std::vector<uint64_t> Ids(absl::string_view q, const SearchOptions& o = {}) {
    std::vector<uint64_t> ids;
    for (const SearchHit& h : Search(*t_, q, o)) ids.push_back(h.concept_id);
    return ids;
  }
  std::shared_ptr<const Terminology> t_;
};

TEST_F(SearchTest, EveryQueryWordMustPrefixATermWord) {
  EXPECT_THAT(Ids("soc iso"), ::testing::ElementsAre(422650009));
  EXPECT_THAT(Ids("LONEL"), ::testing::ElementsAre(267076002));
  EXPECT_TRUE(Ids("lonely zebra").empty());
  EXPECT_TRUE(Ids("  -- ").empty());
}

TEST_F(SearchTest, ExactBeforePrefixThenPreferredThenShorter) {
  // "Social problem" is an exact match; the others are prefix matches, the
  // shorter preferred term first.
  std::vector<SearchHit> hits = Search(*t_, "social problem");
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].concept_id, 161152002u);
  EXPECT_TRUE(hits[0].exact);
  EXPECT_THAT(Ids("social"),
              ::testing::ElementsAre(161152002, 422650009, 423315002, 306238000, 871731000000106));
}

TEST_F(SearchTest, SynonymHitReportsTheMatchedTermAndThePreferredTerm) {
  std::vector<SearchHit> hits = Search(*t_, "loneliness");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].term, "Loneliness");
  EXPECT_EQ(hits[0].preferred_term, "Feeling lonely");
  EXPECT_TRUE(hits[0].exact);
}

TEST_F(SearchTest, EclConstraintAndLimit) {
  auto findings = Ecl::Parse("<< 404684003");
  ASSERT_TRUE(findings.ok());
  SearchOptions o;
  o.constraint = &*findings;
  EXPECT_THAT(Ids("social", o), ::testing::ElementsAre(161152002, 422650009, 423315002));
  o.limit = 1;
  EXPECT_THAT(Ids("social", o), ::testing::ElementsAre(161152002));
}

TEST_F(SearchTest, InactiveConceptsOnlyWhenAsked) {
  EXPECT_TRUE(Ids("sedentary").empty());
  SearchOptions o;
  o.include_inactive = true;
  std::vector<SearchHit> hits = Search(*t_, "sedentary", o);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].concept_id, 415510005u);
  EXPECT_FALSE(hits[0].active);
}

TEST_F(SearchTest, InactiveDescriptionsAreNotIndexed) {
  EXPECT_TRUE(Ids("old social prescribing").empty());
}

}  // namespace
}  // namespace sprout::snomed
