#include "snomed/cache.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "snomed/ecl.h"
#include "snomed/search.h"
#include "tests/snomed/ecl22_release.h"
#include "tests/snomed/test_release.h"

namespace sprout::snomed {
namespace {

namespace fs = std::filesystem;

// Writes the test release as files in a fresh folder.
class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("snomed_cache_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "release");
    for (const Rf2File& f : testing::TestReleaseBuilder().Build()) {
      std::ofstream(dir_ / "release" / f.name, std::ios::binary) << f.content;
    }
    options_.release_dirs = {(dir_ / "release").string()};
    options_.cache_path = (dir_ / "snomed.cache").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  LoadOptions options_;
};

TEST_F(CacheTest, SecondLoadRestoresAnIdenticalTerminology) {
  auto first = Terminology::Load(options_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE((*first)->release().from_cache);
  ASSERT_TRUE(fs::exists(options_.cache_path));
  auto second = Terminology::Load(options_);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE((*second)->release().from_cache);
  const Terminology& t = **second;
  EXPECT_EQ(t.release().identity, "release");
  EXPECT_EQ(t.release().effective_date, "20240410");
  EXPECT_TRUE(t.Subsumes(404684003, 423315002));
  EXPECT_EQ(t.PreferredTerm(871731000000106), "Social prescribing referral");
  EXPECT_EQ(t.GetHistory(415510005)->associations.size(), 1u);
  EXPECT_EQ(Ecl::Parse("<< 161152002")->Evaluate(t), Ecl::Parse("<< 161152002")->Evaluate(**first));
  EXPECT_EQ(Search(t, "lonel").size(), 1u);
  // What ECL 2.2 filters read survives the round trip: member rows (with
  // inactive ones), description modules and times, language rows.
  for (const char* text :
       {"^ 1127531000000102 {{ M active = 0 }}", "^ [targetComponentId] 900000000000526001",
        "<< 138875005 {{ D moduleId = 900000000000207008, dialect = en-nhs-clinical "
        "(prefer) }}",
        "<< 404684003 {{ C moduleId = 900000000000207008 }} {{ +HISTORY }}",
        "<< 71388002 {{ D active = 0, effectiveTime = \"20200101\" }}"}) {
    EXPECT_EQ(Ecl::Parse(text)->Evaluate(t), Ecl::Parse(text)->Evaluate(**first)) << text;
  }
  EXPECT_EQ(Ecl::Parse("^ 1127531000000102 {{ M active = 0 }}")->Evaluate(t),
            std::vector<uint64_t>{3457005});
  EXPECT_EQ(Ecl::Parse("^ [targetComponentId] 900000000000526001")->Evaluate(t),
            std::vector<uint64_t>{40979000});
  EXPECT_EQ(t.data().refset_rows.values.size(), (*first)->data().refset_rows.values.size());
  EXPECT_EQ(t.data().module_ids, (*first)->data().module_ids);
  // The release info is recomputed from the restored data.
  EXPECT_EQ(t.release().active_concepts, (*first)->release().active_concepts);
  EXPECT_EQ(t.release().active_descriptions, (*first)->release().active_descriptions);
  EXPECT_EQ(t.release().folders, options_.release_dirs);
  EXPECT_EQ((*first)->release().folders, options_.release_dirs);
}

// The ECL 2.2 fixture (concrete values, alternate identifiers, member rows
// of several modules and times) gives the same answers from the cache.
TEST_F(CacheTest, Ecl22DataRoundTrips) {
  fs::remove_all(dir_ / "release");
  fs::create_directories(dir_ / "release");
  for (const Rf2File& f : testing::Ecl22ReleaseBuilder().Build()) {
    std::ofstream(dir_ / "release" / f.name, std::ios::binary) << f.content;
  }
  auto first = Terminology::Load(options_);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Terminology::Load(options_);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE((*second)->release().from_cache);
  const std::string strength = std::to_string(testing::kStrength);
  const std::string schedule = std::to_string(testing::kScheduleText);
  const std::vector<std::string> texts = {
      "< 71388002 : " + strength + " >= #2.5",
      "< 71388002 : " + schedule + " = \"weekly\"",
      "SPROUT#SP-1 OR SPROUT#SP-2",
      "^ 900000000000527005 {{ M moduleId = 999000011000000103 }}",
      "<< 404684003 {{ D moduleId = 999000011000000103 }}",
      "<< 161152002 {{ +HISTORY-MOD }}",
      "<< 3457005 {{ C effectiveTime > \"20230101\" }}"};
  for (const std::string& text : texts) {
    std::vector<uint64_t> cached = Ecl::Parse(text)->Evaluate(**second);
    EXPECT_FALSE(cached.empty()) << text;
    EXPECT_EQ(cached, Ecl::Parse(text)->Evaluate(**first)) << text;
  }
  EXPECT_EQ((*second)->data().concrete_text, (*first)->data().concrete_text);
  EXPECT_EQ((*second)->data().alternate_ids.size(), 2u);
}

TEST_F(CacheTest, CorruptCacheIsRebuiltFromRf2) {
  ASSERT_TRUE(Terminology::Load(options_).ok());
  {
    std::fstream f(options_.cache_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\x5a');
  }
  TerminologyData ignored;
  absl::StatusOr<TerminologyData> read = ReadCache(options_.cache_path, "whatever");
  EXPECT_FALSE(read.ok());
  auto t = Terminology::Load(options_);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE((*t)->release().from_cache);
  EXPECT_TRUE((*t)->Subsumes(404684003, 423315002));
}

TEST_F(CacheTest, FlippedPayloadByteFailsTheChecksum) {
  TerminologyData d;
  d.concept_ids = {138875005, 404684003};
  d.release_identity = "x";
  ASSERT_TRUE(WriteCache(options_.cache_path, "fp", d).ok());
  ASSERT_TRUE(ReadCache(options_.cache_path, "fp").ok());
  EXPECT_EQ(ReadCache(options_.cache_path, "other").status().code(),
            absl::StatusCode::kFailedPrecondition);
  {
    std::fstream f(options_.cache_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(60);
    char c;
    f.seekg(60);
    f.get(c);
    f.seekp(60);
    f.put(static_cast<char>(c ^ 1));
  }
  EXPECT_EQ(ReadCache(options_.cache_path, "fp").status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(CacheTest, TruncatedCacheIsDataLoss) {
  TerminologyData d;
  d.concept_ids = {138875005, 404684003};
  ASSERT_TRUE(WriteCache(options_.cache_path, "fp", d).ok());
  fs::resize_file(options_.cache_path, fs::file_size(options_.cache_path) - 3);
  EXPECT_EQ(ReadCache(options_.cache_path, "fp").status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(CacheTest, ChangedReleaseFileMakesTheCacheStale) {
  ASSERT_TRUE(Terminology::Load(options_).ok());
  // Append a concept to the release: size and mtime change.
  std::vector<Rf2File> files = testing::TestReleaseBuilder().Build();
  std::ofstream(dir_ / "release" / files[0].name, std::ios::app)
      << "24700007\t20240101\t1\t900000000000207008\t900000000000074008\n";
  auto t = Terminology::Load(options_);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE((*t)->release().from_cache);
  EXPECT_TRUE((*t)->Exists(24700007));
}

TEST_F(CacheTest, MissingFolderIsNotFound) {
  options_.release_dirs = {(dir_ / "nope").string()};
  auto t = Terminology::Load(options_);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace sprout::snomed
