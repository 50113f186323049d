#include "snomed/sctid.h"

#include "gtest/gtest.h"

namespace sprout::snomed {
namespace {

TEST(SctidTest, DomainVectorsPassVerhoeff) {
  for (const char* id : {"138875005", "116680003", "404684003", "71388002", "243796009",
                         "871731000000106", "871711000000103", "24700007"}) {
    EXPECT_TRUE(VerhoeffValid(id)) << id;
    EXPECT_TRUE(IsValidSctid(id, kConceptPartitions)) << id;
  }
  EXPECT_FALSE(VerhoeffValid("24700008"));
}

TEST(SctidTest, CheckDigitGeneration) {
  EXPECT_EQ(VerhoeffCheckDigit("2470000"), '7');
  EXPECT_EQ(VerhoeffCheckDigit("31122019000"), '6');
  EXPECT_EQ(VerhoeffCheckDigit("87173100000010"), '6');
}

TEST(SctidTest, ParsesValidConceptIds) {
  EXPECT_EQ(ParseSctid("138875005").value(), 138875005u);
  EXPECT_EQ(ParseSctid("871731000000106").value(), 871731000000106u);
  EXPECT_EQ(ParseSctid("999001261000000100", kAnyPartition).value(), 999001261000000100u);
}

struct BadCase {
  const char* input;
  PartitionSet allowed;
  const char* message;
};

TEST(SctidTest, ErrorsNameTheFirstRuleBroken) {
  const BadCase cases[] = {
      {"", kConceptPartitions, "SCTID '': it is empty"},
      {"12a45", kConceptPartitions, "SCTID '12a45': character 3 is 'a'; only digits are allowed"},
      {" 138875005", kConceptPartitions,
       "SCTID ' 138875005': character 1 is ' '; only digits are allowed"},
      {"12345", kConceptPartitions, "SCTID '12345': it has 5 digits; an SCTID has 6 to 18"},
      {"1234567890123456789", kConceptPartitions,
       "SCTID '1234567890123456789': it has 19 digits; an SCTID has 6 to 18"},
      {"0138875005", kConceptPartitions, "SCTID '0138875005': it starts with 0"},
      {"1234567890", kConceptPartitions, "SCTID '1234567890': partition 89 does not exist"},
      {"138875004", kConceptPartitions, "SCTID '138875004': check digit is wrong (Verhoeff)"},
      {"24700008", kConceptPartitions, "SCTID '24700008': check digit is wrong (Verhoeff)"},
  };
  for (const BadCase& c : cases) {
    absl::StatusOr<uint64_t> got = ParseSctid(c.input, c.allowed);
    ASSERT_FALSE(got.ok()) << c.input;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(got.status().message(), c.message);
    EXPECT_FALSE(IsValidSctid(c.input, c.allowed)) << c.input;
  }
}

TEST(SctidTest, WrongPartitionSaysWhatIsNeeded) {
  uint64_t description_id = MakeSctid(1234, 0, Partition::kDescription);
  std::string text = std::to_string(description_id);
  absl::StatusOr<uint64_t> got = ParseSctid(text, kConceptPartitions);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(),
            "SCTID '" + text + "': partition 01 is a description id; a concept id is needed");
  EXPECT_TRUE(ParseSctid(text, kDescriptionPartitions).ok());
}

TEST(SctidTest, PartitionAndNamespace) {
  EXPECT_EQ(PartitionOf(138875005), Partition::kConcept);
  EXPECT_EQ(PartitionOf(871731000000106), Partition::kExtensionConcept);
  EXPECT_EQ(NamespaceOf(871731000000106), 1000000u);
  EXPECT_EQ(NamespaceOf(999004691000230108), 1000230u);
  EXPECT_EQ(NamespaceOf(404684003), 0u);
  EXPECT_EQ(PartitionOf(1234567890), std::nullopt);
}

TEST(SctidTest, MakeSctidRoundTrips) {
  EXPECT_EQ(MakeSctid(138875, 0, Partition::kConcept), 138875005u);
  EXPECT_EQ(MakeSctid(87173, 1000000, Partition::kExtensionConcept), 871731000000106u);
  for (uint64_t item = 100; item < 2000; item += 7) {
    for (Partition p : {Partition::kConcept, Partition::kDescription, Partition::kRelationship}) {
      uint64_t id = MakeSctid(item, 0, p);
      EXPECT_TRUE(IsValidSctid(id)) << id;
      EXPECT_EQ(PartitionOf(id), p);
    }
  }
}

TEST(SctidTest, EverySingleDigitErrorIsCaught) {
  const std::string good = "871731000000106";
  for (size_t i = 0; i < good.size(); ++i) {
    for (char d = '0'; d <= '9'; ++d) {
      if (d == good[i]) continue;
      std::string bad = good;
      bad[i] = d;
      EXPECT_FALSE(VerhoeffValid(bad)) << bad;
    }
  }
}

}  // namespace
}  // namespace sprout::snomed
