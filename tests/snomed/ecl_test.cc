#include "snomed/ecl.h"

#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/snomed/ecl22_release.h"
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
      {"<< 404684003 : 116680003 = #x",
       "ECL syntax error at column 29: expected a number after '#', e.g. #500 or #0.5, found "
       "'x'"},
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

// 20,000 nested parentheses once overflowed the parser's stack and killed
// the server; every limit is now refused at the column where it is passed.
TEST_F(EclTest, DeepNestingIsRefusedAtTheColumnWhereItPassesTheLimit) {
  const std::string deep = std::string(20000, '(') + "<< 404684003" + std::string(20000, ')');
  absl::StatusOr<Ecl> e = Ecl::Parse(deep, EclLimits{.max_length = 1 << 20});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(e.status().message(),
            "ECL limit exceeded at column 65: nesting deeper than 64 levels (max_depth); "
            "flatten the expression");
  // At the limit it parses and evaluates.
  const std::string ok = std::string(63, '(') + "<< 161152002" + std::string(63, ')');
  EXPECT_THAT(Eval(ok), ElementsAre(161152002, 267076002, 422650009, 423315002));
}

TEST_F(EclTest, EveryRecursivePathCountsTowardsTheDepthLimit) {
  EclLimits limits;
  limits.max_depth = 4;
  struct Case {
    std::string text;
    bool ok;
  } cases[] = {
      {"((( 161152002 )))", true},
      {"(((( 161152002 ))))", false},
      {"^ (^ (^ 1127531000000102))", true},
      {"^ (^ (^ (^ (^ 1127531000000102))))", false},
      {"<< 404684003 : 363698007 = (<< 404684003 : 363698007 = (<< 404684003 : 363698007 = *))",
       false},
      {"<< 404684003 : { { { 363698007 = * } } }", false},
      {"<< 404684003 . 363698007 . 363698007 . 363698007 . 363698007", false},
      {"<< 404684003 . 363698007 . 363698007", true},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Ecl> e = Ecl::Parse(c.text, limits);
    EXPECT_EQ(e.ok(), c.ok) << c.text << ": " << e.status();
    if (!c.ok && !e.ok()) {
      EXPECT_THAT(std::string(e.status().message()),
                  ::testing::HasSubstr("nesting deeper than 4 levels (max_depth)"))
          << c.text;
    }
  }
}

TEST_F(EclTest, LengthAndOperandLimits) {
  EclLimits limits;
  limits.max_length = 40;
  limits.max_operands = 3;
  absl::StatusOr<Ecl> e = Ecl::Parse(std::string(41, ' ') + "*", limits);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(std::string(e.status().message()),
            "ECL limit exceeded at column 41: the expression is longer than 40 bytes "
            "(max_length); use a reference set for long value sets");
  EXPECT_TRUE(Ecl::Parse("161152002 OR 267076002 OR 422650009", EclLimits{.max_operands = 3}).ok());
  e = Ecl::Parse("161152002 OR 267076002 OR 422650009 OR 423315002", EclLimits{.max_operands = 3});
  ASSERT_FALSE(e.ok());
  // The fourth operand starts at column 40.
  EXPECT_EQ(std::string(e.status().message()),
            "ECL limit exceeded at column 40: more than 3 operands (max_operands); use a "
            "reference set for long value sets");
}

TEST_F(EclTest, EvaluationCostIsBoundedAndNamesTheConstraint) {
  EclLimits limits;
  limits.max_cost = 200;
  // '* : * = > (*)' tests every relationship's value against the ancestors
  // of every concept: quadratic in the release.
  absl::StatusOr<Ecl> e = Ecl::Parse("* : * = > (*)", limits);
  ASSERT_TRUE(e.ok()) << e.status();
  absl::StatusOr<std::vector<uint64_t>> ids = e->EvaluateBounded(T());
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(ids.status().message()),
              ::testing::StartsWith("ECL limit exceeded at column "));
  EXPECT_THAT(std::string(ids.status().message()),
              ::testing::HasSubstr("takes more than 200 steps (max_cost)"));
  // Testing one concept is charged too.
  absl::StatusOr<Ecl> tiny = Ecl::Parse("* : * = > (*)", EclLimits{.max_cost = 3});
  ASSERT_TRUE(tiny.ok());
  absl::StatusOr<bool> m = tiny->MatchesBounded(T(), 267076002);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(std::string(m.status().message()), ::testing::HasSubstr("(max_cost)"));
  // The same expression under the default budget, and a cheap one under
  // the small budget, give the unbounded answer.
  absl::StatusOr<Ecl> full = Ecl::Parse("* : * = > (*)");
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(*full->EvaluateBounded(T()), full->Evaluate(T()));
  absl::StatusOr<Ecl> cheap = Ecl::Parse("<< 161152002", limits);
  ASSERT_TRUE(cheap.ok());
  EXPECT_THAT(*cheap->EvaluateBounded(T()),
              ElementsAre(161152002, 267076002, 422650009, 423315002));
  EXPECT_TRUE(*cheap->MatchesBounded(T(), 267076002));
  EXPECT_FALSE(*cheap->MatchesBounded(T(), 404684003));
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
                                           "404684004",
                                           "!!>",
                                           "!!<",
                                           "{{ C active = 0 }}",
                                           "{{ C moduleId = 900000000000207008 }}",
                                           "{{ D dialect = en-gb (accept) }}",
                                           "{{ +HISTORY }}",
                                           "{{ +HISTORY-MIN }}",
                                           "{{ M active = 0 }}",
                                           "[*]",
                                           "[targetComponentId]",
                                           "900000000000526001"};
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
