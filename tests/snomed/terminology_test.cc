#include "snomed/terminology.h"

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snomed/terminology_holder.h"
#include "tests/snomed/test_release.h"

namespace sprout::snomed {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kIcdMapRefset;
using testing::kReasonOutdated;
using testing::kServicesRefset;
using testing::TestReleaseBuilder;

class TerminologyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto t = Terminology::LoadFromFiles(TestReleaseBuilder().Build());
    ASSERT_TRUE(t.ok()) << t.status();
    t_ = *t;
  }
  std::shared_ptr<const Terminology> t_;
};

TEST_F(TerminologyTest, KnowsWhichConceptsExistAndAreActive) {
  EXPECT_TRUE(t_->Exists(267076002));
  EXPECT_TRUE(t_->IsActive(267076002));
  EXPECT_TRUE(t_->Exists(415510005));
  EXPECT_FALSE(t_->IsActive(415510005));
  EXPECT_FALSE(t_->Exists(24700007));
  std::optional<Concept> c = t_->GetConcept(404684003);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->module_id, 900000000000207008u);
  EXPECT_FALSE(c->fully_defined);
}

TEST_F(TerminologyTest, SubsumptionFollowsInferredIsAOnly) {
  EXPECT_TRUE(t_->Subsumes(404684003, 404684003));
  EXPECT_TRUE(t_->Subsumes(404684003, 423315002));  // via 422650009 and 161152002
  EXPECT_TRUE(t_->Subsumes(161152002, 267076002));
  EXPECT_TRUE(t_->Subsumes(138875005, 871731000000106));
  EXPECT_FALSE(t_->Subsumes(423315002, 404684003));
  EXPECT_FALSE(t_->Subsumes(71388002, 105529008));   // only a stated IS-A says so
  EXPECT_FALSE(t_->Subsumes(404684003, 415510005));  // inactive IS-A row
  EXPECT_FALSE(t_->Subsumes(404684003, 24700007));   // unknown
}

TEST_F(TerminologyTest, NavigatesTheHierarchyInIdOrder) {
  EXPECT_THAT(t_->Parents(267076002), ElementsAre(161152002, 404684003));
  EXPECT_THAT(t_->Children(161152002), ElementsAre(267076002, 422650009));
  EXPECT_THAT(t_->Ancestors(423315002), ElementsAre(138875005, 161152002, 404684003, 422650009));
  EXPECT_THAT(t_->Descendants(306206005), ElementsAre(306238000, 871731000000106));
  EXPECT_EQ(t_->DescendantCount(404684003), 6u);
  EXPECT_TRUE(t_->Parents(415510005).empty());
}

TEST_F(TerminologyTest, PreferredTermIsEnGbNhsRealmFirst) {
  EXPECT_EQ(t_->PreferredTerm(267076002), "Feeling lonely");
  EXPECT_EQ(t_->PreferredTerm(871731000000106), "Social prescribing referral");
  const uint64_t gb_only[] = {kGbLanguageRefset};
  EXPECT_EQ(t_->PreferredTerm(871731000000106, gb_only), "Referral to social prescribing service");
  const uint64_t us[] = {kUsLanguageRefset};
  EXPECT_EQ(t_->PreferredTerm(267076002, us), "Feeling lonely");
  EXPECT_EQ(t_->PreferredTerm(24700007), std::nullopt);
}

TEST_F(TerminologyTest, FsnAndSynonyms) {
  EXPECT_EQ(t_->Fsn(267076002), "Feeling lonely (finding)");
  EXPECT_THAT(t_->Synonyms(267076002), ElementsAre("Feeling lonely", "Loneliness"));
  // The inactive synonym is left out.
  EXPECT_THAT(t_->Synonyms(871731000000106),
              ElementsAre("Social prescribing referral", "Referral to social prescribing service"));
  std::vector<Description> all = t_->Descriptions(871731000000106);
  EXPECT_EQ(all.size(), 4u);
}

TEST_F(TerminologyTest, ReleaseIdentityCarriesTheVersionDate) {
  EXPECT_EQ(t_->release().effective_date, "20240410");
  EXPECT_EQ(t_->release().identity, "in-memory");
  EXPECT_FALSE(t_->release().from_cache);
}

// What an operator sees about a release: counted from the test release
// (test_release.h): 20 concepts, one inactive; 43 descriptions, one
// inactive; 19 active inferred IS-A rows plus 4 attribute rows (the stated
// one does not count); 4 refsets with active concept members (services,
// REPLACED BY, the inactivation indicator and the ICD-10 map).
TEST_F(TerminologyTest, ReleaseInfoCountsWhatWasLoaded) {
  const ReleaseInfo& r = t_->release();
  EXPECT_EQ(r.concepts, 20u);
  EXPECT_EQ(r.active_concepts, 19u);
  EXPECT_EQ(r.active_descriptions, 42u);
  EXPECT_EQ(r.active_inferred_relationships, 23u);
  EXPECT_EQ(r.refsets, 4u);
  EXPECT_FALSE(r.from_cache);
  EXPECT_TRUE(r.folders.empty());  // loaded from memory
  EXPECT_GT(r.load_duration, absl::ZeroDuration());
  EXPECT_LT(r.load_duration, absl::Seconds(30));
}

TEST_F(TerminologyTest, RefsetMembershipCountsActiveRowsOnly) {
  EXPECT_TRUE(t_->IsMember(kServicesRefset, 871731000000106));
  EXPECT_FALSE(t_->IsMember(kServicesRefset, 3457005));
  EXPECT_THAT(t_->RefsetMembers(kServicesRefset), ElementsAre(306238000, 871731000000106));
  EXPECT_THAT(t_->RefsetsOf(306238000), ElementsAre(kServicesRefset));
}

TEST_F(TerminologyTest, InactiveConceptResolvesThroughHistory) {
  std::optional<History> h = t_->GetHistory(415510005);
  ASSERT_TRUE(h.has_value());
  EXPECT_FALSE(h->active);
  EXPECT_EQ(h->inactivation_reason_id, kReasonOutdated);
  ASSERT_EQ(h->associations.size(), 1u);
  EXPECT_EQ(h->associations[0].refset_id, kReplacedByRefset);
  EXPECT_EQ(h->associations[0].type, "REPLACED BY");
  EXPECT_EQ(h->associations[0].target_id, 40979000u);
  EXPECT_THAT(t_->ActiveReplacements(415510005), ElementsAre(40979000));
  EXPECT_THAT(t_->ActiveReplacements(267076002), ElementsAre(267076002));
}

TEST_F(TerminologyTest, MapsAreReturnedByRefset) {
  std::vector<MapTarget> maps = t_->Maps(267076002);
  ASSERT_EQ(maps.size(), 1u);
  EXPECT_EQ(maps[0].refset_id, kIcdMapRefset);
  EXPECT_EQ(maps[0].map_target, "Z60.2");
  EXPECT_TRUE(t_->Maps(267076002, kServicesRefset).empty());
}

TEST(TerminologyLoadTest, CrlfReleaseLoadsTheSame) {
  auto t = Terminology::LoadFromFiles(TestReleaseBuilder().Build(/*crlf=*/true), 2);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->PreferredTerm(267076002), "Feeling lonely");
  EXPECT_TRUE((*t)->Subsumes(404684003, 423315002));
}

TEST(TerminologyLoadTest, DescriptionOfUnknownConceptStopsTheLoadWithItsLine) {
  auto b = TestReleaseBuilder();
  b.Description(24700007, kSynonymType, "Orphan", 'P');
  auto t = Terminology::LoadFromFiles(b.Build());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(t.status().message(), HasSubstr("sct2_Description_Snapshot-en_INT_20240410.txt:"));
  EXPECT_THAT(t.status().message(),
              HasSubstr(": conceptId 24700007 is not a concept in the release"));
}

TEST(TerminologyLoadTest, BadRowStopsTheLoadWithFileAndLine) {
  std::vector<Rf2File> files = TestReleaseBuilder().Build();
  files[0].content += "404684003\t20200101\t2\t900000000000207008\t900000000000074008\n";
  auto t = Terminology::LoadFromFiles(files);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(std::string(t.status().message()),
            "sct2_Concept_Snapshot_INT_20240410.txt:22: field 3 (active) is '2'; expected 0 or 1");
}

TEST(TerminologyLoadTest, IsACycleIsReported) {
  auto b = TestReleaseBuilder();
  b.IsA(404684003, 423315002);
  auto t = Terminology::LoadFromFiles(b.Build());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(t.status().message(), HasSubstr("cycle"));
}

TEST(TerminologyLoadTest, LatestVersionOfAConceptWins) {
  std::vector<Rf2File> files = TestReleaseBuilder().Build();
  // A second folder's file inactivates 105529008 later.
  files.push_back({"sct2_Concept_UKCLSnapshot_GB1000000_20240410.txt",
                   "id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId\n"
                   "105529008\t20230101\t0\t900000000000207008\t900000000000074008\n"});
  auto t = Terminology::LoadFromFiles(files);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE((*t)->IsActive(105529008));
}

TEST(TerminologyHolderTest, ReadersKeepTheirSnapshotAcrossASwap) {
  auto first = Terminology::LoadFromFiles(TestReleaseBuilder().Build());
  ASSERT_TRUE(first.ok());
  TerminologyHolder holder(*first);
  std::shared_ptr<const Terminology> reader = holder.Get();
  auto b = TestReleaseBuilder();
  b.Concept(24700007).IsA(24700007, 404684003);
  auto second = Terminology::LoadFromFiles(b.Build());
  ASSERT_TRUE(second.ok()) << second.status();
  std::thread writer([&] { holder.Set(*second); });
  writer.join();
  EXPECT_FALSE(reader->Exists(24700007));
  EXPECT_TRUE(holder.Get()->Exists(24700007));
}

}  // namespace
}  // namespace sprout::snomed

namespace sprout::snomed {
namespace {

TEST(TerminologyLoadTest, LineNumbersStayExactInFilesParsedInPieces) {
  // Big enough to be split into several chunks and parsed in parallel.
  std::vector<Rf2File> files = testing::TestReleaseBuilder().Build();
  std::string& concepts = files[0].content;
  const int extra = 200000;
  for (int i = 0; i < extra; ++i) {
    concepts += std::to_string(MakeSctid(20000000 + i, 0, Partition::kConcept)) +
                "\t20200101\t1\t900000000000207008\t900000000000074008\n";
  }
  concepts += "138875005\t2020x101\t1\t900000000000207008\t900000000000074008\n";
  ASSERT_GT(concepts.size(), 9u << 20);
  auto t = Terminology::LoadFromFiles(files, 2);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(std::string(t.status().message()),
            "sct2_Concept_Snapshot_INT_20240410.txt:" + std::to_string(22 + extra) +
                ": field 2 (effectiveTime) is '2020x101'; expected a date YYYYMMDD");
}

}  // namespace
}  // namespace sprout::snomed

namespace sprout::snomed {
namespace {

using ::testing::ElementsAre;

TEST(TerminologyLoadTest, LatestVersionOfADescriptionWins) {
  auto b = testing::TestReleaseBuilder();
  uint64_t id = b.Description(105529008, kSynonymType, "Lives on own", 'A');
  std::vector<Rf2File> files = b.Build();
  // A later folder rewords it; its language row still refers to the same id.
  files.push_back({"sct2_Description_UKCLSnapshot-en_GB1000000_20240410.txt",
                   "id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\t"
                   "caseSignificanceId\n" +
                       std::to_string(id) +
                       "\t20230101\t1\t999000011000000103\t105529008\ten\t900000000000013009\t"
                       "Lives by self\t900000000000448009\n"});
  auto t = Terminology::LoadFromFiles(files);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT((*t)->Synonyms(105529008), ElementsAre("Lives alone", "Lives by self"));
  EXPECT_EQ((*t)->Descriptions(105529008).size(), 3u);
}

}  // namespace
}  // namespace sprout::snomed

namespace sprout::snomed {
namespace {

constexpr char kRelHeader[] =
    "id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId\trelationshipGroup\ttypeId\t"
    "characteristicTypeId\tmodifierId\n";
constexpr char kRefsetHeader[] =
    "id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\n";

TEST(TerminologyLoadTest, LaterFolderCanRetireARelationshipAndAMember) {
  std::vector<Rf2File> files = testing::TestReleaseBuilder().Build();
  // Find the id of the inferred row 105529008 IS-A 404684003 in the first file.
  std::string rel_id;
  for (absl::string_view line : absl::StrSplit(files[2].content, '\n')) {
    if (absl::StrContains(line, "\t105529008\t404684003\t0\t116680003\t900000000000011006")) {
      rel_id = std::string(line.substr(0, line.find('\t')));
    }
  }
  ASSERT_FALSE(rel_id.empty());
  files.push_back({"sct2_Relationship_UKCLSnapshot_GB1000000_20240410.txt",
                   std::string(kRelHeader) + rel_id +
                       "\t20240101\t0\t900000000000207008\t105529008\t404684003\t0\t116680003\t"
                       "900000000000011006\t900000000000451002\n" +
                       std::to_string(MakeSctid(77777, 0, Partition::kRelationship)) +
                       "\t20240101\t1\t900000000000207008\t105529008\t161152002\t0\t116680003\t"
                       "900000000000011006\t900000000000451002\n"});
  files.push_back({"der2_Refset_SimpleUKCLSnapshot_GB1000000_20240410.txt",
                   std::string(kRefsetHeader) + "any-uuid\t20240101\t0\t999000011000000103\t" +
                       std::to_string(testing::kServicesRefset) + "\t306238000\n"});
  auto t = Terminology::LoadFromFiles(files);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT((*t)->Parents(105529008), ElementsAre(161152002));
  EXPECT_TRUE((*t)->Subsumes(161152002, 105529008));
  EXPECT_THAT((*t)->RefsetMembers(testing::kServicesRefset), ElementsAre(871731000000106));
}

}  // namespace
}  // namespace sprout::snomed
