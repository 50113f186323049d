// Coding each kind of reason against the real starter release.
#include "server/intake/coder.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/intake/starter.h"

namespace sprout::intake {
namespace {

using ::sprout::intake::testing::DemoCodeMaps;
using ::sprout::intake::testing::StarterRelease;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class CoderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    std::shared_ptr<const snomed::Terminology> t = StarterRelease(&error);
    ASSERT_NE(t, nullptr) << error;
    std::shared_ptr<const CodeMaps> maps = DemoCodeMaps(&error);
    ASSERT_NE(maps, nullptr) << error;
    absl::StatusOr<std::unique_ptr<ReasonCoder>> coder = ReasonCoder::Create(t, maps, {});
    ASSERT_TRUE(coder.ok()) << coder.status();
    coder_ = *std::move(coder);
    release_ = ReleaseLabel(*t);
  }

  ReasonCoding Snomed(const std::string& code) {
    sprout::v1::ReasonInput in;
    in.set_snomed_code(code);
    return coder_->Code(in, "referral.reasons[0]", sprout::v1::SOURCE_TYPE_GP_PRACTICE);
  }
  ReasonCoding Local(const std::string& system, const std::string& code) {
    sprout::v1::ReasonInput in;
    in.mutable_local_code()->set_system(system);
    in.mutable_local_code()->set_code(code);
    return coder_->Code(in, "referral.reasons[1]", sprout::v1::SOURCE_TYPE_GP_PRACTICE);
  }
  ReasonCoding Text(const std::string& text) {
    sprout::v1::ReasonInput in;
    in.set_free_text(text);
    return coder_->Code(in, "referral.reasons[2]", sprout::v1::SOURCE_TYPE_GP_PRACTICE);
  }
  static std::vector<std::string> Codes(
      const google::protobuf::RepeatedPtrField<sprout::v1::CodedConcept>& concepts) {
    std::vector<std::string> out;
    for (const auto& c : concepts) out.push_back(c.code());
    return out;
  }

  std::unique_ptr<ReasonCoder> coder_;
  std::string release_;
};

TEST_F(CoderTest, ReleaseLabelNamesTheStarterRelease) { EXPECT_EQ(release_, "starter 20251001"); }

TEST_F(CoderTest, ActiveSnomedCodeIsKeptWithItsPreferredTerm) {
  ReasonCoding c = Snomed("267076002");
  ASSERT_THAT(c.violations, IsEmpty());
  EXPECT_EQ(c.coded.method(), sprout::v1::CODING_METHOD_SNOMED);
  EXPECT_EQ(c.coded.concept().code(), "267076002");
  EXPECT_EQ(c.coded.concept().display(), "Feeling lonely");
  EXPECT_EQ(c.coded.original().snomed_code(), "267076002");
  EXPECT_EQ(c.coded.source_version(), release_);
  EXPECT_FALSE(c.coded.has_substitution());
}

TEST_F(CoderTest, UkExtensionFindingIsAccepted) {
  // 871711000000103 |Social prescribing declined| is a situation (UK extension).
  ReasonCoding c = Snomed("871711000000103");
  ASSERT_THAT(c.violations, IsEmpty());
  EXPECT_EQ(c.coded.concept().display(), "Social prescribing declined");
}

TEST_F(CoderTest, InactiveCodeIsReplacedAndTheSubstitutionRecorded) {
  ReasonCoding c = Snomed("301017003");  // Decubitus ulcer of breast, Outdated
  ASSERT_THAT(c.violations, IsEmpty());
  EXPECT_EQ(c.coded.method(), sprout::v1::CODING_METHOD_SNOMED_REPLACED);
  EXPECT_EQ(c.coded.concept().code(), "699212006");
  EXPECT_EQ(c.coded.concept().display(), "Pressure ulcer of breast");
  EXPECT_EQ(c.coded.substitution().original_code(), "301017003");
  EXPECT_EQ(c.coded.substitution().association(), "REPLACED BY");
  EXPECT_EQ(c.coded.substitution().inactivation_reason(), "Outdated component");
  EXPECT_EQ(c.coded.original().snomed_code(), "301017003");
}

TEST_F(CoderTest, DuplicateIsReplacedThroughSameAs) {
  ReasonCoding c = Snomed("235998001");  // Perinephric abscess -> Perirenal abscess
  ASSERT_THAT(c.violations, IsEmpty());
  EXPECT_EQ(c.coded.concept().code(), "80640009");
  EXPECT_EQ(c.coded.substitution().association(), "SAME AS");
  EXPECT_EQ(c.coded.substitution().inactivation_reason(), "Duplicate component");
}

TEST_F(CoderTest, AmbiguousInactiveCodeOffersTheCandidates) {
  ReasonCoding c = Snomed("69878008");  // POSSIBLY EQUIVALENT TO two concepts
  EXPECT_THAT(c.violations,
              ElementsAre(FieldViolation{
                  "referral.reasons[0].snomed_code",
                  "the reason code is inactive and has no single replacement; send one of "
                  "237055002 |Polycystic ovary syndrome|, 781067001 |Polycystic ovary|",
                  "", ""}));
}

TEST_F(CoderTest, InactiveCodeWithoutReplacementIsRefused) {
  ReasonCoding c = Snomed("305924006");
  EXPECT_THAT(c.violations,
              ElementsAre(FieldViolation{
                  "referral.reasons[0].snomed_code",
                  "the reason code is inactive and has no replacement in the loaded SNOMED CT "
                  "release; send a current code, or the reason as free text",
                  "", ""}));
}

TEST_F(CoderTest, CodeNotInReleaseIsRefused) {
  ReasonCoding c = Snomed("24700007");
  EXPECT_THAT(c.violations,
              ElementsAre(FieldViolation{"referral.reasons[0].snomed_code",
                                         "the reason code is not in the loaded SNOMED CT release "
                                         "(starter 20251001); check the code, or send the reason "
                                         "as free text",
                                         "", ""}));
}

TEST_F(CoderTest, CodeOutsideTheReasonBindingIsRefused) {
  ReasonCoding c = Snomed("133932002");  // Caregiver (person)
  ASSERT_EQ(c.violations.size(), 1u);
  EXPECT_EQ(c.violations[0].field, "referral.reasons[0].snomed_code");
  EXPECT_THAT(c.violations[0].description,
              HasSubstr("the reason code is not a clinical finding, procedure, event, observable "
                        "entity or situation"));
  // An organism replaced by an organism: still outside.
  c = Snomed("114457004");
  ASSERT_EQ(c.violations.size(), 1u);
  EXPECT_THAT(c.violations[0].description, HasSubstr("the reason code's replacement is not"));
}

TEST_F(CoderTest, SyntaxErrorsAreReportedLikeTheValidator) {
  ReasonCoding c = Snomed("267076003");
  ASSERT_EQ(c.violations.size(), 1u);
  EXPECT_THAT(c.violations[0].description, HasSubstr("Verhoeff"));
}

TEST_F(CoderTest, LocalCodeIsTranslatedWithItsMapVersion) {
  ReasonCoding c = Local("housing-needs", "HN01");
  ASSERT_THAT(c.violations, IsEmpty());
  EXPECT_EQ(c.coded.method(), sprout::v1::CODING_METHOD_LOCAL_MAP);
  EXPECT_EQ(c.coded.concept().code(), "32911000");
  EXPECT_EQ(c.coded.concept().display(), "Homeless");
  EXPECT_EQ(c.coded.source_version(), "housing-needs@2025-10");
  EXPECT_EQ(c.coded.original().local_code().code(), "HN01");
}

TEST_F(CoderTest, UnknownLocalCodeNamesTheMapAndTheCode) {
  ReasonCoding c = Local("police-vulnerability", "PV-NOPE");
  ASSERT_EQ(c.violations.size(), 1u);
  EXPECT_EQ(c.violations[0].field, "referral.reasons[1].local_code.code");
  EXPECT_EQ(c.violations[0].description,
            "the local code \"PV-NOPE\" is not in the \"police-vulnerability\" code map (version "
            "2025-09); check the code, or send the reason as free text");
  EXPECT_EQ(c.violations[0].local_system, "police-vulnerability");
  EXPECT_EQ(c.violations[0].local_code, "PV-NOPE");
}

TEST_F(CoderTest, UnknownLocalSystemListsTheKnownOnes) {
  ReasonCoding c = Local("ambulance", "A1");
  ASSERT_EQ(c.violations.size(), 1u);
  EXPECT_EQ(c.violations[0].field, "referral.reasons[1].local_code.system");
  EXPECT_EQ(c.violations[0].description,
            "there is no code map for the local code system \"ambulance\"; use one of: "
            "adult-social-care, community-pharmacy, fire-safe-and-well, housing-needs, "
            "job-centre, police-vulnerability, or send the reason as free text");
  EXPECT_EQ(c.violations[0].local_system, "ambulance");
}

TEST_F(CoderTest, FreeTextWithOneExactMatchIsCoded) {
  for (const char* text : {"social isolation", "Social Isolation.", "  HOMELESS "}) {
    ReasonCoding c = Text(text);
    ASSERT_THAT(c.violations, IsEmpty()) << text;
    EXPECT_EQ(c.coded.method(), sprout::v1::CODING_METHOD_FREE_TEXT_MATCH) << text;
    EXPECT_EQ(c.coded.source_version(), release_);
    EXPECT_THAT(c.coded.candidates(), IsEmpty());
  }
  EXPECT_EQ(Text("social isolation").coded.concept().code(), "422650009");
  EXPECT_EQ(Text("  HOMELESS ").coded.concept().code(), "32911000");
}

TEST_F(CoderTest, FreeTextSynonymMatchCodesTheConcept) {
  ReasonCoding c = Text("low mood");  // a synonym of 366979004 |Depressed mood|
  ASSERT_THAT(c.violations, IsEmpty());
  EXPECT_EQ(c.coded.method(), sprout::v1::CODING_METHOD_FREE_TEXT_MATCH);
  EXPECT_EQ(c.coded.concept().code(), "366979004");
  EXPECT_EQ(c.coded.concept().display(), "Depressed mood");
}

TEST_F(CoderTest, OneWordOfADescriptionIsCodedAndTheNegatedTermIsNeverACandidate) {
  ReasonCoding c = Text("lonely");
  ASSERT_THAT(c.violations, IsEmpty());
  EXPECT_EQ(c.coded.method(), sprout::v1::CODING_METHOD_FREE_TEXT_MATCH);
  EXPECT_EQ(c.coded.concept().code(), "267076002");
  EXPECT_EQ(c.coded.text_match().matched_term(), "Feeling lonely");
  EXPECT_DOUBLE_EQ(c.coded.text_match().score(), 0.8);
  for (const sprout::v1::ScoredCandidate& s : c.coded.text_match().candidates()) {
    EXPECT_NE(s.concept().code(), "1230392000");  // Not feeling lonely
  }
}

TEST_F(CoderTest, FreeTextSentenceIsSplitIntoNeeds) {
  ReasonCoding c = Text("she feels isolated since her husband died");
  ASSERT_THAT(c.violations, IsEmpty());
  // "her husband died" names Death of spouse; "she feels isolated" is left
  // for review with Social isolation first.
  EXPECT_EQ(c.coded.method(), sprout::v1::CODING_METHOD_FREE_TEXT_MATCH);
  EXPECT_EQ(c.coded.concept().code(), "105441003");
  EXPECT_EQ(c.coded.text_match().segment(), "her husband died");
  ASSERT_EQ(c.more.size(), 1u);
  EXPECT_EQ(c.more[0].method(), sprout::v1::CODING_METHOD_NEEDS_REVIEW);
  EXPECT_EQ(c.more[0].text_match().segment(), "she feels isolated");
  ASSERT_GE(c.more[0].candidates_size(), 1);
  EXPECT_EQ(c.more[0].candidates(0).code(), "422650009");
}

TEST_F(CoderTest, UnmatchableFreeTextNeedsReviewWithNoCandidates) {
  ReasonCoding c = Text("xyzzy plugh");
  ASSERT_THAT(c.violations, IsEmpty());
  EXPECT_EQ(c.coded.method(), sprout::v1::CODING_METHOD_NEEDS_REVIEW);
  EXPECT_THAT(c.coded.candidates(), IsEmpty());
}

// The matcher is a seam: two confident candidates are never coded.
class TwoExactMatcher : public FreeTextMatcher {
 public:
  std::vector<TextCandidate> Match(const snomed::Terminology&, const PhraseLexicons&,
                                   absl::string_view, const NormalisedText&, const snomed::Ecl&,
                                   size_t) const override {
    std::vector<TextCandidate> out(2);
    out[0].concept_id = 267076002;
    out[1].concept_id = 422650009;
    for (TextCandidate& c : out) {
      c.score = 1.0;
      c.covers_text = true;
    }
    return out;
  }
};

TEST_F(CoderTest, TwoExactMatchesNeedReview) {
  CoderOptions options;
  options.matcher = std::make_shared<TwoExactMatcher>();
  auto coder = ReasonCoder::Create(StarterRelease(), DemoCodeMaps(), options);
  ASSERT_TRUE(coder.ok());
  sprout::v1::ReasonInput in;
  in.set_free_text("anything");
  ReasonCoding c = (*coder)->Code(in, "referral.reasons[0]", sprout::v1::SOURCE_TYPE_POLICE);
  EXPECT_EQ(c.coded.method(), sprout::v1::CODING_METHOD_NEEDS_REVIEW);
  EXPECT_THAT(Codes(c.coded.candidates()), ElementsAre("267076002", "422650009"));
  EXPECT_THAT(c.more, IsEmpty());
}

TEST_F(CoderTest, BadBindingFailsCreate) {
  CoderOptions options;
  options.reason_binding_ecl = "<< 404684003 OR";
  EXPECT_EQ(ReasonCoder::Create(StarterRelease(), CodeMaps::Empty(), options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.reason_binding_ecl = "<< 24700007";  // not in the release
  EXPECT_EQ(ReasonCoder::Create(StarterRelease(), CodeMaps::Empty(), options).status().message(),
            "reason binding names concepts not in the release: 24700007");
}

TEST_F(CoderTest, NarrowerBindingRefusesCodesOutsideIt) {
  CoderOptions options;
  options.reason_binding_ecl = "<< 404684003";  // findings only
  auto coder = ReasonCoder::Create(StarterRelease(), CodeMaps::Empty(), options);
  ASSERT_TRUE(coder.ok());
  sprout::v1::ReasonInput in;
  in.set_snomed_code("390893007");  // Referral to physical activity program (procedure)
  EXPECT_EQ((*coder)
                ->Code(in, "referral.reasons[0]", sprout::v1::SOURCE_TYPE_GP_PRACTICE)
                .violations.size(),
            1u);
  in.set_snomed_code("267076002");
  EXPECT_THAT(
      (*coder)->Code(in, "referral.reasons[0]", sprout::v1::SOURCE_TYPE_GP_PRACTICE).violations,
      IsEmpty());
}

}  // namespace
}  // namespace sprout::intake
