// A release is checked before it serves: every SCTID's check digit and
// partition, every module described and in a language refset, cycles named
// with their rows; and preferred terms fall back en-GB -> GB -> US -> FSN.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "snomed/sctid.h"
#include "snomed/terminology.h"
#include "tests/snomed/rf2_fixture.h"
#include "tests/snomed/test_release.h"

namespace sprout::snomed {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// The file of `files` whose name starts with `prefix`.
Rf2File& FileOf(std::vector<Rf2File>& files, absl::string_view prefix) {
  for (Rf2File& f : files) {
    if (absl::StartsWith(f.name, prefix)) return f;
  }
  ADD_FAILURE() << "no file " << prefix;
  return files[0];
}

void Remove(std::vector<Rf2File>& files, absl::string_view prefix) {
  files.erase(std::remove_if(files.begin(), files.end(),
                             [&](const Rf2File& f) { return absl::StartsWith(f.name, prefix); }),
              files.end());
}

// Replaces every occurrence of `from` in every file.
void ReplaceEverywhere(std::vector<Rf2File>& files, const std::string& from,
                       const std::string& to) {
  for (Rf2File& f : files) {
    for (size_t at = f.content.find(from); at != std::string::npos;
         at = f.content.find(from, at + to.size())) {
      f.content.replace(at, from.size(), to);
    }
  }
}

absl::Status LoadStatus(const std::vector<Rf2File>& files) {
  return Terminology::LoadFromFiles(files).status();
}

TEST(ReleaseValidationTest, TheTestReleaseLoadsAndSummarisesItsModule) {
  auto t = Terminology::LoadFromFiles(testing::TestReleaseBuilder().Build());
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ((*t)->modules().size(), 1u);
  const ModuleSummary& m = (*t)->modules()[0];
  EXPECT_EQ(m.module_id, 900000000000207008u);
  EXPECT_EQ(m.concepts, (*t)->concept_count());
  EXPECT_EQ(m.active_concepts, (*t)->concept_count() - 1);  // 415510005 is inactive
  EXPECT_EQ(m.descriptions, (*t)->data().descriptions.size());
  EXPECT_EQ(m.relationships, (*t)->data().rels_out.values.size());
  EXPECT_GT(m.descriptions_in_refset, 0u);
}

TEST(ReleaseValidationTest, AMissingDescriptionFileStopsTheLoadNamingTheModule) {
  std::vector<Rf2File> files = testing::TestReleaseBuilder().Build();
  Remove(files, "sct2_Description_");
  absl::Status s = LoadStatus(files);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::string(s.message()),
            "module 900000000000207008 has 20 concepts but none has an active FSN or synonym: "
            "the release is missing that module's Description file "
            "(sct2_Description_*Snapshot*)");
}

TEST(ReleaseValidationTest, AMissingLanguageRefsetStopsTheLoadNamingTheModule) {
  std::vector<Rf2File> files = testing::TestReleaseBuilder().Build();
  Remove(files, "der2_cRefset_Language");
  absl::Status s = LoadStatus(files);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()),
              StartsWith("module 900000000000207008 has 43 descriptions but none is in a "
                         "language reference set"));
}

TEST(ReleaseValidationTest, AWrongCheckDigitOnlyOnTheConceptRowIsBlamedOnThatRow) {
  std::vector<Rf2File> files = testing::TestReleaseBuilder().Build();
  // 267076002 -> 267076003 on its concept row only (the 9th row: line 10).
  Rf2File& concepts = FileOf(files, "sct2_Concept_");
  size_t at = concepts.content.find("267076002\t");
  ASSERT_NE(at, std::string::npos);
  concepts.content.replace(at, 9, "267076003");
  absl::Status s = LoadStatus(files);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "sct2_Concept_Snapshot_INT_20240410.txt:9: field 1 (id): SCTID '267076003': check "
            "digit is wrong (Verhoeff)");
}

TEST(ReleaseValidationTest, AWrongCheckDigitUsedConsistentlyAcrossFilesIsStillRefused) {
  std::vector<Rf2File> files = testing::TestReleaseBuilder().Build();
  ReplaceEverywhere(files, "267076002", "267076003");
  absl::Status s = LoadStatus(files);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "sct2_Concept_Snapshot_INT_20240410.txt:9: field 1 (id): SCTID '267076003': check "
            "digit is wrong (Verhoeff)");
}

TEST(ReleaseValidationTest, EveryIdFieldIsCheckedForItsPartition) {
  // A description id where the relationship destination (a concept) belongs.
  const uint64_t description_id = MakeSctid(7700000, 0, Partition::kDescription);
  testing::Rf2FixtureBuilder b = testing::TestReleaseBuilder();
  b.Rel(267076002, testing::kSiteAttribute, description_id, 0);
  absl::Status s = LoadStatus(b.Build());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), StartsWith("sct2_Relationship_Snapshot_INT_20240410.txt:"));
  EXPECT_THAT(std::string(s.message()),
              HasSubstr(absl::StrCat(": field 6 (destinationId): SCTID '", description_id,
                                     "': partition 01 is a description id; a concept id is "
                                     "needed")));
}

TEST(ReleaseValidationTest, ACycleIsNamedWithEachEdgesFileAndLine) {
  testing::Rf2FixtureBuilder b = testing::TestReleaseBuilder();
  b.IsA(161152002, 423315002);  // Social problem is-a Limited social contact: a cycle
  absl::Status s = LoadStatus(b.Build());
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  const std::string file = "sct2_Relationship_Snapshot_INT_20240410.txt:";
  EXPECT_THAT(std::string(s.message()), StartsWith("the inferred IS-A hierarchy has a cycle: "));
  // The three edges of the cycle, each with its row.
  EXPECT_THAT(std::string(s.message()), HasSubstr("161152002 is-a 423315002 (" + file));
  EXPECT_THAT(std::string(s.message()), HasSubstr("423315002 is-a 422650009 (" + file));
  EXPECT_THAT(std::string(s.message()), HasSubstr("422650009 is-a 161152002 (" + file));
}

TEST(ReleaseValidationTest, PreferredTermFallsBackFromEnGbToGbToUsToFsn) {
  const uint64_t nhs = 404684003, gb = 71388002, us = 123037004, fsn_only = 362981000;
  testing::Rf2FixtureBuilder b;
  b.Concept(138875005).Named(138875005, "SNOMED CT Concept", "SNOMED RT+CTV3");
  b.Concept(kIsA).IsA(kIsA, 138875005).Named(kIsA, "Is a", "attribute");
  for (uint64_t id : {nhs, gb, us, fsn_only}) b.Concept(id).IsA(id, 138875005);
  // Each concept has an FSN; the synonyms differ by which refset prefers them.
  b.Description(nhs, kFsnType, "Clinical finding (finding)", 'P', 'P', 'P');
  b.Description(nhs, kSynonymType, "Finding (NHS)", 0, 'P', 0);
  b.Description(nhs, kSynonymType, "Finding (GB)", 'P', 'A', 0);
  b.Description(gb, kFsnType, "Procedure (procedure)", 'P', 0, 'P');
  b.Description(gb, kSynonymType, "Procedure (US)", 0, 0, 'P');
  b.Description(gb, kSynonymType, "Procedure (GB)", 'P', 0, 'A');
  b.Description(us, kFsnType, "Body structure (body structure)", 'P', 0, 'P');
  b.Description(us, kSynonymType, "Body structure (US)", 'A', 0, 'P');
  b.Description(fsn_only, kFsnType, "Qualifier value (qualifier value)", 'P', 0, 'P');
  auto t = Terminology::LoadFromFiles(b.Build());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->PreferredTerm(nhs), "Finding (NHS)");
  EXPECT_EQ((*t)->PreferredTermSourceOf(nhs), kTermFromNhsRealm);
  EXPECT_EQ((*t)->PreferredTerm(gb), "Procedure (GB)");
  EXPECT_EQ((*t)->PreferredTermSourceOf(gb), kTermFromGb);
  EXPECT_EQ((*t)->PreferredTerm(us), "Body structure (US)");
  EXPECT_EQ((*t)->PreferredTermSourceOf(us), kTermFromUs);
  EXPECT_EQ((*t)->PreferredTerm(fsn_only), "Qualifier value (qualifier value)");
  EXPECT_EQ((*t)->PreferredTermSourceOf(fsn_only), kTermFromFsn);
  EXPECT_EQ((*t)->PreferredTermSourceOf(24700007), kTermNone);  // not in the release
}

}  // namespace
}  // namespace sprout::snomed
