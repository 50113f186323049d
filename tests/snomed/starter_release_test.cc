// The engine over the bundled starter release (snomed/data/starter), including
// the ECL conformance cases in tests/snomed/ecl_conformance.txt.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snomed/ecl.h"
#include "snomed/search.h"
#include "snomed/terminology.h"

namespace sprout::snomed {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

std::string SourceDir() {
  const char* dir = std::getenv("SPROUT_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

class StarterReleaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    LoadOptions options;
    for (const auto& e : fs::directory_iterator(SourceDir() + "/snomed/data/starter")) {
      if (e.is_directory()) options.release_dirs.push_back(e.path().string());
    }
    std::sort(options.release_dirs.begin(), options.release_dirs.end());
    auto t = Terminology::Load(options);
    ASSERT_TRUE(t.ok()) << t.status();
    t_ = new std::shared_ptr<const Terminology>(*t);
  }
  static const Terminology& T() { return **t_; }
  static std::shared_ptr<const Terminology>* t_;
};
std::shared_ptr<const Terminology>* StarterReleaseTest::t_ = nullptr;

TEST_F(StarterReleaseTest, IdentityNamesBothFoldersAndTheLatestDate) {
  EXPECT_EQ(T().release().identity,
            "SnomedCT_InternationalRF2_PRODUCTION_20250701T120000Z+"
            "SnomedCT_UKClinicalRF2_PRODUCTION_20251001T000001Z");
  EXPECT_EQ(T().release().effective_date, "20251001");
}

TEST_F(StarterReleaseTest, UkConceptsResolveAcrossFolders) {
  EXPECT_TRUE(T().IsActive(871731000000106));
  EXPECT_TRUE(T().Subsumes(71388002, 871731000000106));
  EXPECT_TRUE(T().Subsumes(138875005, 871731000000106));
  EXPECT_EQ(T().PreferredTerm(871731000000106), "Referral to social prescribing service");
  EXPECT_EQ(T().Fsn(871731000000106), "Referral to social prescribing service (procedure)");
  EXPECT_TRUE(T().Subsumes(404684003, 267076002));
  EXPECT_FALSE(T().Subsumes(404684003, 871731000000106));
}

TEST_F(StarterReleaseTest, DialectChoosesTheSpelling) {
  EXPECT_EQ(T().PreferredTerm(390893007), "Referral to physical activity programme");
  const uint64_t us[] = {kUsLanguageRefset};
  EXPECT_EQ(T().PreferredTerm(390893007, us), "Referral to physical activity program");
  EXPECT_EQ(T().PreferredTerm(224486001), "Cares for a neighbour");
}

TEST_F(StarterReleaseTest, LongTextDefinitionIsKeptWhole) {
  bool found = false;
  for (const Description& d : T().Descriptions(871731000000106)) {
    if (d.type_id == kDefinitionType) {
      found = true;
      EXPECT_GT(d.term.size(), 255u);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(StarterReleaseTest, HistoryResolvesInactiveConcepts) {
  std::optional<History> h = T().GetHistory(235998001);
  ASSERT_TRUE(h.has_value());
  EXPECT_FALSE(h->active);
  ASSERT_EQ(h->associations.size(), 1u);
  EXPECT_EQ(h->associations[0].type, "SAME AS");
  EXPECT_THAT(T().ActiveReplacements(235998001), ElementsAre(80640009));
  EXPECT_THAT(T().ActiveReplacements(114457004), ElementsAre(416832000));
  h = T().GetHistory(69878008);
  ASSERT_EQ(h->associations.size(), 2u);
  EXPECT_EQ(h->associations[0].type, "POSSIBLY EQUIVALENT TO");
  EXPECT_TRUE(T().ActiveReplacements(69878008).empty());  // ambiguous: no automatic substitute
  h = T().GetHistory(305924006);
  EXPECT_FALSE(h->active);
  EXPECT_NE(h->inactivation_reason_id, 0u);
  EXPECT_TRUE(h->associations.empty());
}

TEST_F(StarterReleaseTest, SearchFindsReasonsWithinTheBinding) {
  auto binding = Ecl::Parse("<< 404684003");
  ASSERT_TRUE(binding.ok());
  SearchOptions o;
  o.constraint = &*binding;
  std::vector<SearchHit> hits = Search(T(), "lonely", o);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].concept_id, 267076002u);  // shorter before longer
  EXPECT_EQ(hits[1].concept_id, 1230392000u);
}

TEST_F(StarterReleaseTest, EclConformanceCases) {
  std::ifstream in(SourceDir() + "/tests/snomed/ecl_conformance.txt");
  ASSERT_TRUE(in.good());
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts = absl::StrSplit(line, " => ");
    ASSERT_EQ(parts.size(), 2u) << line;
    std::vector<uint64_t> expected;
    if (parts[1] != "(none)") {
      for (absl::string_view id : absl::StrSplit(parts[1], ' ')) {
        expected.push_back(std::stoull(std::string(id)));
      }
    }
    absl::StatusOr<Ecl> e = Ecl::Parse(parts[0]);
    ASSERT_TRUE(e.ok()) << parts[0] << ": " << e.status();
    EXPECT_EQ(e->Evaluate(T()), expected) << parts[0];
    EXPECT_EQ(e->Count(T()), expected.size()) << parts[0];
    for (uint32_t c = 0; c < T().concept_count(); ++c) {
      bool in_set = std::binary_search(expected.begin(), expected.end(), T().IdAt(c));
      EXPECT_EQ(e->MatchesIndex(T(), c), in_set) << parts[0] << " / " << T().IdAt(c);
    }
    ++cases;
  }
  EXPECT_GE(cases, 25);
}

}  // namespace
}  // namespace sprout::snomed
