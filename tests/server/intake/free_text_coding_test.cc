// Coding free text as sproutd does with the demo configuration: the starter
// release, the demo bindings and the demo agency lexicons.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/intake/coder.h"
#include "tests/server/intake/starter.h"

namespace sprout::intake {
namespace {

using ::sprout::intake::testing::DemoCodeMaps;
using ::sprout::intake::testing::DemoCoderOptions;
using ::sprout::intake::testing::StarterRelease;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

class FreeTextCodingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    CoderOptions options = DemoCoderOptions(&error);
    ASSERT_EQ(error, "");
    auto coder = ReasonCoder::Create(StarterRelease(), DemoCodeMaps(), options);
    ASSERT_TRUE(coder.ok()) << coder.status();
    coder_ = *std::move(coder);
  }

  // Every reason coded from `text`.
  std::vector<sprout::v1::CodedReason> Code(
      const std::string& text,
      sprout::v1::SourceType agency = sprout::v1::SOURCE_TYPE_GP_PRACTICE) {
    sprout::v1::ReasonInput in;
    in.set_free_text(text);
    ReasonCoding c = coder_->Code(in, "referral.reasons[0]", agency);
    EXPECT_THAT(c.violations, IsEmpty());
    c.more.insert(c.more.begin(), c.coded);
    for (const sprout::v1::CodedReason& r : c.more) {
      EXPECT_EQ(r.original().free_text(), text);  // each keeps the input as given
    }
    return c.more;
  }
  // The concepts coded without review.
  std::vector<std::string> Coded(const std::string& text, sprout::v1::SourceType agency =
                                                              sprout::v1::SOURCE_TYPE_GP_PRACTICE) {
    std::vector<std::string> out;
    for (const auto& r : Code(text, agency)) {
      if (r.method() != sprout::v1::CODING_METHOD_NEEDS_REVIEW) out.push_back(r.concept().code());
    }
    return out;
  }

  std::unique_ptr<ReasonCoder> coder_;
};

TEST_F(FreeTextCodingTest, ObviousPhrasesAreCodedWithoutReview) {
  EXPECT_THAT(Coded("financial problems"), ElementsAre("160932005"));
  EXPECT_THAT(Coded("homelessness"), ElementsAre("32911000"));
  EXPECT_THAT(Coded("housing problem"), ElementsAre("81877007"));
  EXPECT_THAT(Coded("Loneliness"), ElementsAre("267076002"));
  EXPECT_THAT(Coded("lack of exercise"), ElementsAre("40979000"));
  EXPECT_THAT(Coded("financial difficulties"), ElementsAre("160932005"));
}

TEST_F(FreeTextCodingTest, ADescriptionMatchRecordsTheTermAndTheRelease) {
  std::vector<sprout::v1::CodedReason> r = Code("financial problems");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].method(), sprout::v1::CODING_METHOD_FREE_TEXT_MATCH);
  EXPECT_EQ(r[0].source_version(), "starter 20251001");
  EXPECT_EQ(r[0].text_match().matched_term(), "Financial problem");
  EXPECT_EQ(r[0].text_match().lexicon(), "");
  EXPECT_EQ(r[0].text_match().release(), "starter 20251001");
  EXPECT_DOUBLE_EQ(r[0].text_match().score(), 1.0);
  EXPECT_EQ(r[0].text_match().segment(), "");  // the whole text
  ASSERT_GE(r[0].text_match().candidates_size(), 1);
  EXPECT_EQ(r[0].text_match().candidates(0).why(),
            std::string("the description 'Financial problem' has the same words"));
}

TEST_F(FreeTextCodingTest, ALexiconMatchRecordsThePhraseAndItsVersion) {
  std::vector<sprout::v1::CodedReason> r =
      Code("in rent arrears", sprout::v1::SOURCE_TYPE_HOUSING_PROVIDER);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].method(), sprout::v1::CODING_METHOD_LEXICON_MATCH);
  EXPECT_EQ(r[0].concept().code(), "81877007");
  EXPECT_EQ(r[0].source_version(), "common@2026-12.1");
  EXPECT_EQ(r[0].text_match().matched_term(), "rent arrears");
  EXPECT_EQ(r[0].text_match().lexicon(), "common@2026-12.1");
  EXPECT_EQ(r[0].text_match().release(), "starter 20251001");
}

TEST_F(FreeTextCodingTest, AnAgencyLexiconAppliesToThatAgencyOnly) {
  EXPECT_THAT(Coded("section 21", sprout::v1::SOURCE_TYPE_HOUSING_PROVIDER),
              ElementsAre("81877007"));
  EXPECT_THAT(Coded("section 21", sprout::v1::SOURCE_TYPE_GP_PRACTICE), IsEmpty());
}

TEST_F(FreeTextCodingTest, NegatedHistoricalAndSomeoneElseAreNeverThePositiveFinding) {
  for (const char* text :
       {"not lonely any more", "no longer homeless", "history of low mood", "son is unemployed",
        "h/o anxiety, resolved", "previously homeless", "denies feeling lonely"}) {
    for (const auto& r : Code(text)) {
      EXPECT_EQ(r.method(), sprout::v1::CODING_METHOD_NEEDS_REVIEW) << text;
    }
  }
  std::vector<sprout::v1::CodedReason> r = Code("not lonely any more");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].text_match().context(), "negated");
  for (const auto& c : r[0].candidates()) EXPECT_NE(c.code(), "267076002") << "Feeling lonely";
}

TEST_F(FreeTextCodingTest, LonelyNeverOffersNotFeelingLonely) {
  EXPECT_THAT(Coded("lonely"), ElementsAre("267076002"));
  // One word named in a longer text is not enough to code it (it is too
  // often about something else), but it is the first candidate.
  std::vector<sprout::v1::CodedReason> r = Code("lonely at weekends");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].method(), sprout::v1::CODING_METHOD_NEEDS_REVIEW);
  ASSERT_GE(r[0].candidates_size(), 1);
  EXPECT_EQ(r[0].candidates(0).code(), "267076002");
  for (const auto& c : r[0].text_match().candidates()) {
    EXPECT_NE(c.concept().code(), "1230392000") << "Not feeling lonely";
  }
}

TEST_F(FreeTextCodingTest, ATextNamingTwoNeedsBecomesTwoReasons) {
  std::vector<sprout::v1::CodedReason> r =
      Code("rent arrears and worried about money", sprout::v1::SOURCE_TYPE_HOUSING_PROVIDER);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].concept().code(), "81877007");
  EXPECT_EQ(r[0].text_match().segment(), "rent arrears");
  EXPECT_EQ(r[1].concept().code(), "160932005");
  EXPECT_EQ(r[1].text_match().segment(), "worried about money");
  EXPECT_THAT(Coded("lonely since wife died"), UnorderedElementsAre("267076002", "105441003"));
}

TEST_F(FreeTextCodingTest, AnUnmatchedNeedBesideACodedOneIsKeptForReview) {
  std::vector<sprout::v1::CodedReason> r = Code("lonely and wants to learn to cook");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].concept().code(), "267076002");
  EXPECT_EQ(r[1].method(), sprout::v1::CODING_METHOD_NEEDS_REVIEW);
  EXPECT_EQ(r[1].text_match().segment(), "wants to learn to cook");
}

TEST_F(FreeTextCodingTest, WhatCannotBeAReasonIsLeftForReview) {
  // Outcome states and referral procedures (bindings free_text_auto_code_ecl).
  EXPECT_THAT(Coded("financially secure"), IsEmpty());
  EXPECT_THAT(Coded("referred for social prescribing"), IsEmpty());
  std::vector<sprout::v1::CodedReason> r = Code("financially secure");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_THAT(r[0].candidates(), ::testing::Not(IsEmpty()));  // still offered
}

TEST_F(FreeTextCodingTest, ASpecificMentionWinsAndAQualifierMustBeMatched) {
  EXPECT_THAT(Coded("carer for wife with dementia"), ElementsAre("824401000000105"));
  // "with MS" qualifies the carer: the plain carer concept would be wrong.
  EXPECT_THAT(Coded("carer for partner with MS"), IsEmpty());
}

TEST_F(FreeTextCodingTest, AWordThatNamesItsNeedAloneCodesInsideALongerText) {
  // "damp" and "debt" are marked names_need_alone in the common lexicon.
  std::vector<sprout::v1::CodedReason> r = Code("damp flat making asthma worse");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].concept().code(), "105531004");
  EXPECT_EQ(r[0].method(), sprout::v1::CODING_METHOD_LEXICON_MATCH);
  EXPECT_EQ(r[0].text_match().matched_term(), "damp");
  EXPECT_THAT(Coded("deep in debt to the catalogue"), ElementsAre("160932005"));
  // Words not marked stay unread inside a longer text: "worried" is not
  // Anxiety beside money, "arrears" not Housing problems beside gas bills.
  EXPECT_THAT(Coded("worried someone is taking her money"), IsEmpty());
  EXPECT_THAT(Coded("arrears on gas and electric, cost of living"), IsEmpty());
  // Nor does a marked word code against its context.
  EXPECT_THAT(Coded("no damp now the roof is fixed"), IsEmpty());
  EXPECT_THAT(Coded("history of debt, all cleared"), IsEmpty());
}

}  // namespace
}  // namespace sprout::intake
