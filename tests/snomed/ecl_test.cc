#include "snomed/ecl.h"

#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/snomed/test_release.h"

namespace sprout::snomed {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using testing::kServicesRefset;
using testing::kSeverityAttribute;
using testing::kSiteAttribute;

class EclTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto t = Terminology::LoadFromFiles(testing::TestReleaseBuilder().Build());
    ASSERT_TRUE(t.ok()) << t.status();
    t_ = new std::shared_ptr<const Terminology>(*t);
  }
  static const Terminology& T() { return **t_; }

  // Evaluates, and checks that Matches() and Count() agree with the set.
  std::vector<uint64_t> Eval(const std::string& text) {
    absl::StatusOr<Ecl> e = Ecl::Parse(text);
    EXPECT_TRUE(e.ok()) << text << ": " << e.status();
    if (!e.ok()) return {};
    std::vector<uint64_t> ids = e->Evaluate(T());
    EXPECT_EQ(e->Count(T()), ids.size()) << text;
    for (uint32_t c = 0; c < T().concept_count(); ++c) {
      bool in = std::binary_search(ids.begin(), ids.end(), T().IdAt(c));
      EXPECT_EQ(e->MatchesIndex(T(), c), in) << text << " concept " << T().IdAt(c);
    }
    return ids;
  }

  static std::shared_ptr<const Terminology>* t_;
};
std::shared_ptr<const Terminology>* EclTest::t_ = nullptr;

TEST_F(EclTest, HierarchyOperators) {
  EXPECT_THAT(Eval("161152002"), ElementsAre(161152002));
  EXPECT_THAT(Eval("< 161152002"), ElementsAre(267076002, 422650009, 423315002));
  EXPECT_THAT(Eval("<< 161152002"), ElementsAre(161152002, 267076002, 422650009, 423315002));
  EXPECT_THAT(Eval("<! 161152002"), ElementsAre(267076002, 422650009));
  EXPECT_THAT(Eval("<<! 161152002"), ElementsAre(161152002, 267076002, 422650009));
  EXPECT_THAT(Eval("> 423315002"), ElementsAre(138875005, 161152002, 404684003, 422650009));
  EXPECT_THAT(Eval(">> 267076002"), ElementsAre(138875005, 161152002, 267076002, 404684003));
  EXPECT_THAT(Eval(">! 267076002"), ElementsAre(161152002, 404684003));
  EXPECT_THAT(Eval(">>! 422650009"), ElementsAre(161152002, 422650009));
  EXPECT_THAT(Eval("descendantOrSelfOf 306206005"),
              ElementsAre(306206005, 306238000, 871731000000106));
  EXPECT_THAT(Eval("<< 306206005 |Referral to service|"),
              ElementsAre(306206005, 306238000, 871731000000106));
}

TEST_F(EclTest, UnknownConceptMatchesNothing) {
  EXPECT_TRUE(Eval("<< 24700007").empty());
  auto e = Ecl::Parse("<< 24700007 OR << 404684003");
  ASSERT_TRUE(e.ok());
  EXPECT_THAT(e->UnknownConcepts(T()), ElementsAre(24700007));
}

TEST_F(EclTest, BooleanOperatorsAndNesting) {
  EXPECT_THAT(Eval("< 404684003 AND < 161152002"), ElementsAre(267076002, 422650009, 423315002));
  EXPECT_THAT(Eval("<< 422650009 OR 105529008"), ElementsAre(105529008, 422650009, 423315002));
  EXPECT_THAT(Eval("< 404684003 MINUS << 161152002"), ElementsAre(40979000, 105529008));
  EXPECT_THAT(Eval("(< 404684003 MINUS << 161152002) OR 3457005"),
              ElementsAre(3457005, 40979000, 105529008));
  EXPECT_THAT(Eval("<! (<< 3457005 MINUS 871731000000106)"),
              ElementsAre(306206005, 306238000, 871731000000106));
  EXPECT_THAT(Eval("< 161152002 , << 422650009"), ElementsAre(422650009, 423315002));
}

TEST_F(EclTest, MemberOfAndWildcard) {
  EXPECT_THAT(Eval("^ 1127531000000102"), ElementsAre(306238000, 871731000000106));
  EXPECT_THAT(Eval("<< 71388002 AND ^ 1127531000000102"), ElementsAre(306238000, 871731000000106));
  EXPECT_THAT(Eval("> (^ 1127531000000102)"), ElementsAre(3457005, 71388002, 138875005, 306206005));
  EXPECT_THAT(Eval("^ 900000000000526001"), ElementsAre(415510005));  // REPLACED BY sources
  EXPECT_EQ(Eval("*").size(), T().concept_count() - 1);               // every active concept
}

TEST_F(EclTest, AttributeRefinements) {
  std::string site = std::to_string(kSiteAttribute);
  std::string severity = std::to_string(kSeverityAttribute);
  EXPECT_THAT(Eval("<< 404684003 : " + site + " = 123037004"), ElementsAre(267076002, 422650009));
  EXPECT_THAT(Eval("<< 404684003 : " + severity + " = *"), ElementsAre(422650009, 423315002));
  EXPECT_THAT(Eval("<< 404684003 : { " + site + " = 123037004, " + severity + " = 362981000 }"),
              ElementsAre(422650009));
  // Ungrouped, the two attributes may come from different groups.
  EXPECT_THAT(Eval("<< 404684003 : " + site + " = 123037004 OR " + severity + " = 362981000"),
              ElementsAre(267076002, 422650009, 423315002));
  EXPECT_THAT(Eval("<< 404684003 : [0..0] " + site + " = *"),
              ElementsAre(40979000, 105529008, 161152002, 404684003, 423315002));
  EXPECT_THAT(Eval("<< 404684003 : " + site + " != 123037004"), ElementsAre());
  EXPECT_THAT(Eval("* : R " + site + " = << 404684003"), ElementsAre(123037004));
  EXPECT_THAT(Eval("<< 161152002 . " + site), ElementsAre(123037004));
  EXPECT_THAT(Eval("<< 404684003 : 116680003 = 161152002"), ElementsAre(267076002, 422650009));
  EXPECT_THAT(Eval("<< 404684003 : [2..2] { * = * }"), ElementsAre());
}

TEST_F(EclTest, DescriptionFilters) {
  EXPECT_THAT(Eval("<< 404684003 {{ term = \"lonel\" }}"), ElementsAre(267076002));
  EXPECT_THAT(Eval("<< 404684003 {{ term = \"soc iso\" }}"), ElementsAre(422650009));
  EXPECT_THAT(Eval("<< 404684003 {{ term = wild:\"*social*\" }}"),
              ElementsAre(161152002, 422650009, 423315002));
  EXPECT_THAT(Eval("< 404684003 {{ D term = (\"lives\" \"loneliness\"), type = syn }}"),
              ElementsAre(105529008, 267076002));
  EXPECT_THAT(Eval("<< 404684003 {{ term = \"lonely\", type = fsn }}"), ElementsAre(267076002));
  EXPECT_THAT(Eval("<< 71388002 {{ term = \"old social prescribing\" }}"), ElementsAre());
}

struct ErrorCase {
  const char* text;
  const char* message;
};

TEST_F(EclTest, SyntaxErrorsGiveColumnAndExpectation) {
  const ErrorCase cases[] = {
      {"",
       "ECL syntax error at column 1: expected a concept id, '*', '^' or '(', found the end of "
       "the expression"},
      {"<< x", "ECL syntax error at column 4: expected a concept id, '*', '^' or '(', found 'x'"},
      {"<< 404684004",
       "ECL syntax error at column 4: SCTID '404684004': check digit is wrong "
       "(Verhoeff)"},
      {"<< 404684003 AND",
       "ECL syntax error at column 17: expected a concept id, '*', '^' or "
       "'(', found the end of the expression"},
      {"(<< 404684003",
       "ECL syntax error at column 14: expected ')', found the end of the "
       "expression"},
      {"< 404684003 AND < 71388002 OR < 3457005",
       "ECL syntax error at column 28: cannot combine AND with OR without parentheses"},
      {"<< 404684003 |Clinical finding",
       "ECL syntax error at column 14: the term starting here "
       "has no closing '|'"},
      {"<< 404684003 : 116680003",
       "ECL syntax error at column 25: expected '=' or '!=' after "
       "the attribute name, found the end of the expression"},
      {"<< 404684003 : [1..] 116680003 = *",
       "ECL syntax error at column 20: expected a maximum "
       "cardinality or '*', found ']'"},
      {"<< 404684003 : 116680003 = #5",
       "ECL syntax error at column 28: concrete values (#n, "
       "\"text\", true/false) are not supported"},
      {"<< 404684003 404684003",
       "ECL syntax error at column 14: expected AND, OR, MINUS, ':' or "
       "the end of the expression, found '404684003'"},
      {"<< 100005014",
       "ECL syntax error at column 4: SCTID '100005014': partition 01 is a "
       "description id; a concept id is needed"},
      {"<< 404684003 {{ term = \"x }}",
       "ECL syntax error at column 24: the string starting here "
       "has no closing '\"'"},
  };
  for (const ErrorCase& c : cases) {
    absl::StatusOr<Ecl> e = Ecl::Parse(c.text);
    ASSERT_FALSE(e.ok()) << c.text;
    EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(e.status().message()), c.message) << c.text;
  }
}

TEST_F(EclTest, CommentsAndLongKeywordsParse) {
  EXPECT_THAT(Eval("/* reasons */ descendantOf 161152002 and childOf 161152002"),
              ElementsAre(267076002, 422650009));
}

}  // namespace
}  // namespace sprout::snomed

namespace sprout::snomed {
namespace {

// Random strings over the ECL alphabet must parse or fail cleanly, and what
// parses must evaluate consistently (Count == |Evaluate|, Matches agrees).
TEST_F(EclTest, RandomInputsNeverCrashAndStayConsistent) {
  const std::vector<std::string> tokens = {"<",
                                           "<<",
                                           "<!",
                                           "<<!",
                                           ">",
                                           ">>",
                                           ">!",
                                           ">>!",
                                           "^",
                                           "*",
                                           "(",
                                           ")",
                                           ":",
                                           ",",
                                           "=",
                                           "!=",
                                           "{",
                                           "}",
                                           "[",
                                           "]",
                                           "0..1",
                                           "1..*",
                                           "R",
                                           ".",
                                           " AND ",
                                           " OR ",
                                           " MINUS ",
                                           "404684003",
                                           "161152002",
                                           "|x|",
                                           "1127531000000102",
                                           std::to_string(testing::kSiteAttribute),
                                           "{{",
                                           "}}",
                                           "term",
                                           "\"soc\"",
                                           "type",
                                           "syn",
                                           " ",
                                           "/*c*/",
                                           "#1",
                                           "24700007",
                                           "404684004"};
  std::mt19937 rng(42);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    int n = 1 + static_cast<int>(rng() % 9);
    for (int k = 0; k < n; ++k) text += tokens[rng() % tokens.size()];
    absl::StatusOr<Ecl> e = Ecl::Parse(text);
    if (!e.ok()) {
      EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << text;
      EXPECT_NE(e.status().message().find("ECL syntax error at column "), absl::string_view::npos)
          << text;
      continue;
    }
    ++parsed;
    std::vector<uint32_t> set = e->EvaluateIndexes(T());
    EXPECT_TRUE(std::is_sorted(set.begin(), set.end())) << text;
    EXPECT_EQ(e->Count(T()), set.size()) << text;
    for (uint32_t c = 0; c < T().concept_count(); ++c) {
      EXPECT_EQ(e->MatchesIndex(T(), c), std::binary_search(set.begin(), set.end(), c))
          << text << " / " << T().IdAt(c);
    }
  }
  EXPECT_GT(parsed, 200);
}

}  // namespace
}  // namespace sprout::snomed
