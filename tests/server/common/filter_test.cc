#include "server/common/filter.h"

#include "gtest/gtest.h"
#include "server/common/errors.h"

namespace sprout {
namespace {

TEST(FilterTest, EmptyFilterHasNoTerms) {
  ASSERT_TRUE(ParseFilter("").ok());
  EXPECT_TRUE(ParseFilter("   ")->empty());
}

TEST(FilterTest, ParsesTermsJoinedByAnd) {
  absl::StatusOr<std::vector<FilterTerm>> terms = ParseFilter(
      "pcn = \"U00001\" AND reason << 267076002 AND decide_time>=\"2026-01-01T00:00:00Z\"");
  ASSERT_TRUE(terms.ok()) << terms.status();
  ASSERT_EQ(terms->size(), 3u);
  EXPECT_EQ((*terms)[0].field, "pcn");
  EXPECT_EQ((*terms)[0].op, "=");
  EXPECT_EQ((*terms)[0].value, "U00001");
  EXPECT_EQ((*terms)[0].column, 1);
  EXPECT_EQ((*terms)[1].op, "<<");
  EXPECT_EQ((*terms)[1].value, "267076002");
  EXPECT_EQ((*terms)[2].op, ">=");
  EXPECT_EQ((*terms)[2].value, "2026-01-01T00:00:00Z");
}

TEST(FilterTest, QuotedValuesUnescape) {
  absl::StatusOr<std::vector<FilterTerm>> terms = ParseFilter(R"(rule = "a \"b\" c")");
  ASSERT_TRUE(terms.ok());
  EXPECT_EQ((*terms)[0].value, "a \"b\" c");
}

struct BadFilter {
  std::string filter;
  std::string expected;
};

class FilterErrorTest : public ::testing::TestWithParam<BadFilter> {};

TEST_P(FilterErrorTest, NamesColumnAndExpectation) {
  absl::StatusOr<std::vector<FilterTerm>> terms = ParseFilter(GetParam().filter);
  ASSERT_FALSE(terms.ok());
  std::vector<FieldViolation> v = ViolationsOf(terms.status());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "filter");
  EXPECT_EQ(v[0].description, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, FilterErrorTest,
    ::testing::Values(
        BadFilter{"pcn", "column 4: expected an operator (=, !=, <, <=, >, >=, <<) after \"pcn\""},
        BadFilter{"= 3", "column 1: expected a field name"},
        BadFilter{"pcn =", "column 6: expected a value (a word or a \"quoted string\")"},
        BadFilter{"pcn = \"U0", "column 7: unterminated string; close it with \""},
        BadFilter{"pcn = a OR pcn = b",
                  "column 9: expected AND between terms (OR is not supported)"},
        BadFilter{std::string(2049, ' '),
                  "column 2049: the filter is longer than 2048 characters; no method needs more"},
        BadFilter{[] {
                    std::string f = "a = 1";
                    for (int i = 0; i < 16; ++i) f += " AND a = 1";
                    return f;
                  }(),
                  "column 161: more than 16 terms; no method needs more"}));

}  // namespace
}  // namespace sprout
