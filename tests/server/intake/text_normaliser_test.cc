// How the free-text coder reads words, and how it scores a term.
#include "server/intake/text_normaliser.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sprout::intake {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Stems(const std::string& text) {
  std::vector<std::string> out;
  for (const ContentWord& w : Normalise(text).content) out.push_back(w.stem);
  return out;
}

double Score(const std::string& text, const std::string& term) {
  return WordOverlap(Normalise(text), Normalise(term));
}

TEST(TextNormaliserTest, WordsAreLowerCasedWithApostrophesDropped) {
  EXPECT_THAT(Words("Isn't  LONELY, (really)!"), ElementsAre("isnt", "lonely", "really"));
  EXPECT_THAT(Words("mum's carer"), ElementsAre("mums", "carer"));
}

TEST(TextNormaliserTest, AmericanSpellingsBecomeBritish) {
  EXPECT_THAT(Words("Neighbor behavior"), ElementsAre("neighbour", "behaviour"));
  EXPECT_THAT(Words("radicalization organized"), ElementsAre("radicalisation", "organised"));
  EXPECT_THAT(Words("size"), ElementsAre("size"));  // too short for the -ize rule
}

TEST(TextNormaliserTest, WordFormsShareAStem) {
  EXPECT_EQ(Stem("problems"), Stem("problem"));
  EXPECT_EQ(Stem("homelessness"), Stem("homeless"));
  EXPECT_EQ(Stem("loneliness"), Stem("lonely"));
  EXPECT_EQ(Stem("finances"), Stem("financial"));
  EXPECT_EQ(Stem("anxious"), Stem("anxiety"));
  EXPECT_EQ(Stem("isolated"), Stem("isolation"));
  EXPECT_EQ(Stem("issues"), Stem("problem"));
  EXPECT_EQ(Stem("wife"), Stem("husband"));
  EXPECT_EQ(Stem("mum"), Stem("relative"));
  EXPECT_EQ(Stem("died"), Stem("death"));
  EXPECT_NE(Stem("wife"), Stem("mum"));
}

TEST(TextNormaliserTest, StopWordsAndCuesAreNotContent) {
  EXPECT_THAT(Stems("The patient has financial problems"), ElementsAre("financi", "problem"));
  EXPECT_THAT(Stems("not lonely any more"), ElementsAre("lone"));
  EXPECT_THAT(Stems("needs help and support"), ElementsAre());
  EXPECT_THAT(Stems("in a care home"), ElementsAre("carehom"));
}

TEST(TextNormaliserTest, QualifiersAreTheWordsAfterWith) {
  EXPECT_THAT(Normalise("carer for wife with dementia").qualifiers, ElementsAre("dementia"));
  EXPECT_THAT(Normalise("lonely").qualifiers, ElementsAre());
}

TEST(TextNormaliserTest, WordOverlapWeighsGenericWordsLess) {
  EXPECT_DOUBLE_EQ(Score("financial problems", "Financial problem"), 1.0);
  EXPECT_DOUBLE_EQ(Score("financial difficulties", "Financial problem"), 1.0);
  EXPECT_DOUBLE_EQ(Score("lonely", "Feeling lonely"), 0.8);
  EXPECT_DOUBLE_EQ(Score("money problems", "money"), 0.8);
  // A head noun in the term carries meaning.
  EXPECT_DOUBLE_EQ(Score("housed", "Housing problems"), 0.5);
  EXPECT_DOUBLE_EQ(Score("carer", "Cares for a relative"), 0.5);
  EXPECT_NEAR(Score("lack of exercise", "Lack of physical exercise"), 2.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(Score("lonely", "Social isolation"), 0.0);
}

TEST(TextNormaliserTest, WordOverlapIsZeroAcrossContexts) {
  EXPECT_DOUBLE_EQ(Score("lonely", "Not feeling lonely"), 0.0);
  EXPECT_DOUBLE_EQ(Score("not lonely any more", "Feeling lonely"), 0.0);
  EXPECT_DOUBLE_EQ(Score("not feeling lonely", "Not feeling lonely"), 1.0);
  EXPECT_DOUBLE_EQ(Score("has no money", "no money"), 1.0);
}

TEST(TextNormaliserTest, CoversAndWithin) {
  EXPECT_TRUE(Covers(Normalise("feeling lonely"), Normalise("Feeling lonely")));
  EXPECT_TRUE(Covers(Normalise("lonely"), Normalise("Feeling lonely")));
  EXPECT_FALSE(Covers(Normalise("lonely at weekends"), Normalise("Feeling lonely")));
  EXPECT_TRUE(Within(Normalise("Feeling lonely"), Normalise("lonely at weekends")));
  EXPECT_TRUE(Within(Normalise("rough sleeping"), Normalise("rough sleeping in town centre")));
  EXPECT_FALSE(Within(Normalise("struggling financially"), Normalise("financially secure")));
  EXPECT_FALSE(Within(Normalise("Feeling lonely"), Normalise("not lonely")));
}

}  // namespace
}  // namespace sprout::intake
