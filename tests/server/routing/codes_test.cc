#include "server/routing/codes.h"

#include "gtest/gtest.h"
#include "server/routing/csv.h"

namespace sprout::routing {
namespace {

TEST(CodesTest, PracticeCodesFollowTheOdsPattern) {
  for (const char* ok : {"A81001", "Y00123", "W12345", "ALD123", "JER001"}) {
    EXPECT_TRUE(IsPracticeCode(ok)) << ok;
  }
  for (const char* bad : {"I81001", "O12345", "Z12345", "A8100", "A810011", "a81001", "GUE12"}) {
    EXPECT_FALSE(IsPracticeCode(bad)) << bad;
  }
}

TEST(CodesTest, PcnIcbAndSicblCodes) {
  EXPECT_TRUE(IsPcnCode("U12345"));
  EXPECT_FALSE(IsPcnCode("U1234"));
  EXPECT_FALSE(IsPcnCode("V12345"));
  EXPECT_TRUE(IsIcbCode("QNQ"));
  EXPECT_FALSE(IsIcbCode("RNQ"));
  EXPECT_TRUE(IsSubIcbLocationCode("08X"));
  EXPECT_TRUE(IsSubIcbLocationCode("D4U1Y"));
  EXPECT_FALSE(IsSubIcbLocationCode("8X"));
  EXPECT_FALSE(IsSubIcbLocationCode("X08"));
}

TEST(CodesTest, SplitPostcodeGivesSectorAndDistrict) {
  auto parts = SplitPostcode("AB12 3CD");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->outward, "AB12");
  EXPECT_EQ(parts->sector, "AB12 3");
  EXPECT_FALSE(parts->pseudo);
  auto nfa = SplitPostcode("ZZ99 3VZ");
  ASSERT_TRUE(nfa.has_value());
  EXPECT_TRUE(nfa->pseudo);
  EXPECT_FALSE(SplitPostcode("AB123CD").has_value());
  EXPECT_FALSE(SplitPostcode("ab1 2cd").has_value());
}

TEST(CodesTest, OdsDatesAreYyyymmddOrIso) {
  EXPECT_EQ(ParseOdsDate("20241001"), absl::CivilDay(2024, 10, 1));
  EXPECT_EQ(ParseOdsDate("2024-10-01"), absl::CivilDay(2024, 10, 1));
  EXPECT_EQ(ParseOdsDate("20240229"), absl::CivilDay(2024, 2, 29));
  EXPECT_FALSE(ParseOdsDate("20230229").has_value());
  EXPECT_FALSE(ParseOdsDate("01/10/2024").has_value());
  EXPECT_FALSE(ParseOdsDate("2024100").has_value());
}

TEST(CsvTest, QuotedFieldsKeepCommasQuotesAndNewlines) {
  auto rows = ParseCsv("a,\"b, c\",\"say \"\"hi\"\"\"\r\n\n x ,\"two\nlines\",z\n", "t.csv");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].fields, (std::vector<std::string>{"a", "b, c", "say \"hi\""}));
  EXPECT_EQ((*rows)[1].line, 3);
  EXPECT_EQ((*rows)[1].fields, (std::vector<std::string>{"x", "two\nlines", "z"}));
}

TEST(CsvTest, StrayQuoteIsAnError) {
  auto rows = ParseCsv("a,b\nc,d\"e\n", "t.csv");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().message(),
            "t.csv:2: a quote inside an unquoted field (quote the whole field)");
  auto after = ParseCsv("\"a\"b\n", "t.csv");
  EXPECT_EQ(after.status().message(), "t.csv:1: unexpected character 'b' after a closing quote");
}

}  // namespace
}  // namespace sprout::routing
