// What a text says about the need it names, and where one need ends.
#include "server/intake/text_context.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/intake/text_normaliser.h"

namespace sprout::intake {
namespace {

using ::testing::ElementsAre;

ContextKind KindOf(const std::string& text) { return DetectContext(Words(text)).kind; }

TEST(TextContextTest, AffirmedTextHasNoCue) {
  for (const char* text : {"lonely", "rent arrears", "lonely since wife died", "knows nobody",
                           "carer for mum", "financial problems"}) {
    TextContext c = DetectContext(Words(text));
    EXPECT_EQ(c.kind, ContextKind::kAffirmed) << text;
    EXPECT_EQ(c.cue, "") << text;
  }
}

TEST(TextContextTest, NegationCuesAreFound) {
  EXPECT_EQ(DetectContext(Words("no longer homeless")).cue, "no longer");
  EXPECT_EQ(DetectContext(Words("not lonely any more")).cue, "not");
  for (const char* text :
       {"not lonely any more", "no longer homeless", "denies low mood", "never felt isolated",
        "debt resolved", "isn't lonely", "nil current concerns", "without support"}) {
    EXPECT_EQ(KindOf(text), ContextKind::kNegated) << text;
  }
}

TEST(TextContextTest, HistoryWinsOverNegation) {
  EXPECT_EQ(DetectContext(Words("history of low mood")).cue, "history of");
  for (const char* text :
       {"history of low mood", "hx anxiety", "h/o self harm", "previously homeless",
        "used to be a carer", "was homeless years ago", "no history of depression"}) {
    EXPECT_EQ(KindOf(text), ContextKind::kHistorical) << text;
  }
}

TEST(TextContextTest, ARelativeAsTheSubjectIsSomeoneElse) {
  EXPECT_EQ(DetectContext(Words("son is unemployed")).cue, "son is");
  for (const char* text : {"son is unemployed", "husband has dementia", "wife who is lonely",
                           "husband does all the caring", "family history of depression"}) {
    EXPECT_EQ(KindOf(text), ContextKind::kSomeoneElse) << text;
  }
  // The person's own loss is about the person.
  EXPECT_EQ(KindOf("lonely since wife died"), ContextKind::kAffirmed);
}

TEST(TextContextTest, ContextNames) {
  EXPECT_EQ(ContextName(ContextKind::kAffirmed), "");
  EXPECT_EQ(ContextName(ContextKind::kNegated), "negated");
  EXPECT_EQ(ContextName(ContextKind::kHistorical), "historical");
  EXPECT_EQ(ContextName(ContextKind::kSomeoneElse), "someone else");
}

TEST(TextContextTest, SplitNeedsCutsAtConjunctionsAndPunctuation) {
  EXPECT_THAT(SplitNeeds("rent arrears and worried about money"),
              ElementsAre("rent arrears", "worried about money"));
  EXPECT_THAT(SplitNeeds("lonely, in debt; damp flat"),
              ElementsAre("lonely", "in debt", "damp flat"));
  EXPECT_THAT(SplitNeeds("lonely since wife died"), ElementsAre("lonely", "wife died"));
  EXPECT_THAT(SplitNeeds("anxious as well as isolated"), ElementsAre("anxious", "isolated"));
  EXPECT_THAT(SplitNeeds("recently bereaved - mother died"),
              ElementsAre("recently bereaved", "mother died"));
  EXPECT_THAT(SplitNeeds("carer assessment: carer strain"),
              ElementsAre("carer assessment", "carer strain"));
}

TEST(TextContextTest, SplitNeedsKeepsWordsAndAbbreviationsWhole) {
  EXPECT_THAT(SplitNeeds("  Self-neglect  "), ElementsAre("Self-neglect"));
  EXPECT_THAT(SplitNeeds("h/o anxiety"), ElementsAre("h/o anxiety"));
  EXPECT_THAT(SplitNeeds("Anderson's landlord"), ElementsAre("Anderson's landlord"));
  EXPECT_THAT(SplitNeeds("sandy brand"), ElementsAre("sandy brand"));  // "and" inside words
  EXPECT_THAT(SplitNeeds(" , and ; "), ElementsAre());
}

}  // namespace
}  // namespace sprout::intake
