#include "server/intake/intake.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/intake/violations.h"
#include "tests/server/intake/starter.h"
#include "tests/server/intake/test_referrals.h"
#include "tests/snomed/rf2_fixture.h"

namespace sprout::intake {
namespace {

using ::sprout::intake::testing::DemoCodeMaps;
using ::sprout::intake::testing::StarterRelease;
using ::sprout::intake::testing::TestNow;
using ::sprout::intake::testing::ValidGpReferral;
using ::sprout::intake::testing::ValidPoliceReferral;
using ::sprout::intake::testing::ValidSelfReferral;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    std::shared_ptr<const snomed::Terminology> t = StarterRelease(&error);
    ASSERT_NE(t, nullptr) << error;
    std::shared_ptr<const CodeMaps> maps = DemoCodeMaps(&error);
    ASSERT_NE(maps, nullptr) << error;
    auto intake = ReferralIntake::Create(t, maps, &clock_, IntakeOptions());
    ASSERT_TRUE(intake.ok()) << intake.status();
    intake_ = *std::move(intake);
  }

  std::vector<std::string> Fields(const absl::Status& s) {
    std::vector<std::string> out;
    for (const FieldViolation& v : ViolationsOf(s)) out.push_back(v.field);
    return out;
  }

  FakeClock clock_{TestNow()};
  std::unique_ptr<ReferralIntake> intake_;
};

TEST_F(IntakeTest, GpReferralIsNormalisedAndCoded) {
  sprout::v1::Referral in = ValidGpReferral();
  in.set_name("referrals/ignored");  // output-only fields are dropped
  in.set_needs_coding_review(true);
  in.add_coded_reasons()->set_source_version("forged");
  absl::StatusOr<IntakeResult> r = intake_->Process(in);
  ASSERT_TRUE(r.ok()) << r.status();
  const sprout::v1::Referral& out = r->referral;
  EXPECT_EQ(out.name(), "");
  EXPECT_EQ(out.patient().nhs_number(), "9434765919");
  EXPECT_EQ(out.patient().address().postcode(), "LS2 7UE");
  EXPECT_EQ(out.service_code().code(), "871731000000106");
  EXPECT_EQ(out.service_code().display(), "Referral to social prescribing service");
  EXPECT_EQ(out.terminology_release(), "starter 20251001");
  EXPECT_FALSE(out.needs_coding_review());
  ASSERT_EQ(out.coded_reasons_size(), 2);
  EXPECT_EQ(out.coded_reasons(0).method(), sprout::v1::CODING_METHOD_SNOMED);
  EXPECT_EQ(out.coded_reasons(0).concept().code(), "267076002");
  EXPECT_EQ(out.coded_reasons(1).method(), sprout::v1::CODING_METHOD_FREE_TEXT_MATCH);
  EXPECT_EQ(out.coded_reasons(1).concept().code(), "422650009");
  EXPECT_EQ(out.coded_reasons(1).original().free_text(), "social isolation");
  EXPECT_EQ(out.authored_time().seconds(), in.authored_time().seconds());
  EXPECT_EQ(r->person_match_key, "9434765919");
}

TEST_F(IntakeTest, AuthoredTimeDefaultsToNow) {
  sprout::v1::Referral in = ValidGpReferral();
  in.clear_authored_time();
  absl::StatusOr<IntakeResult> r = intake_->Process(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->referral.authored_time().seconds(), absl::ToUnixSeconds(TestNow()));
}

TEST_F(IntakeTest, PoliceLocalCodeIsMappedAndTheKeyUsesDemographics) {
  absl::StatusOr<IntakeResult> r = intake_->Process(ValidPoliceReferral());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->referral.coded_reasons_size(), 1);
  EXPECT_EQ(r->referral.coded_reasons(0).method(), sprout::v1::CODING_METHOD_LOCAL_MAP);
  EXPECT_EQ(r->referral.coded_reasons(0).concept().code(), "422650009");
  EXPECT_EQ(r->referral.coded_reasons(0).source_version(), "police-vulnerability@2025-09");
  EXPECT_EQ(r->person_match_key, "marigold featherstonehaugh|1948-03-14|LS2 7UE");
}

TEST_F(IntakeTest, PersonMatchKeyIgnoresCaseAndSpacing) {
  sprout::v1::Referral in = ValidPoliceReferral();
  in.mutable_patient()->set_given_name("  MARIGOLD ");
  in.mutable_patient()->set_family_name("featherstonehaugh");
  in.mutable_patient()->mutable_address()->set_postcode("LS2 7UE");
  absl::StatusOr<IntakeResult> r = intake_->Process(in);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->person_match_key, "marigold featherstonehaugh|1948-03-14|LS2 7UE");
}

TEST_F(IntakeTest, AmbiguousFreeTextIsAcceptedAndFlaggedForReview) {
  absl::StatusOr<IntakeResult> r = intake_->Process(ValidSelfReferral());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->referral.needs_coding_review());
  ASSERT_EQ(r->referral.coded_reasons_size(), 1);
  EXPECT_EQ(r->referral.coded_reasons(0).method(), sprout::v1::CODING_METHOD_NEEDS_REVIEW);
  EXPECT_EQ(r->referral.coded_reasons(0).candidates(0).code(), "267076002");
}

TEST_F(IntakeTest, UnknownLocalCodeIsInvalidArgumentWithErrorInfo) {
  sprout::v1::Referral in = ValidPoliceReferral();
  in.mutable_reasons(0)->mutable_local_code()->set_code("PV-NOPE");
  absl::StatusOr<IntakeResult> r = intake_->Process(in);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(r.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UNKNOWN_LOCAL_CODE");
  EXPECT_EQ(info->domain(), "sprout");
  EXPECT_EQ(info->metadata().at("system"), "police-vulnerability");
  EXPECT_EQ(info->metadata().at("code"), "PV-NOPE");
  std::optional<google::rpc::BadRequest> br = GetBadRequest(r.status());
  ASSERT_TRUE(br.has_value());
  ASSERT_EQ(br->field_violations_size(), 1);
  EXPECT_EQ(br->field_violations(0).field(), "referral.reasons[0].local_code.code");
  EXPECT_THAT(br->field_violations(0).description(), HasSubstr("police-vulnerability"));
  EXPECT_THAT(br->field_violations(0).description(), HasSubstr("PV-NOPE"));
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("referral is invalid: 1 problem; first: referral.reasons[0]"));
}

TEST_F(IntakeTest, ValidationAndCodingViolationsComeBackTogether) {
  sprout::v1::Referral in = ValidGpReferral();
  in.mutable_patient()->set_nhs_number("9434765918");
  in.mutable_reasons(0)->set_snomed_code("24700007");  // valid but not in the release
  in.add_reasons()->set_snomed_code("267076003");      // Verhoeff: reported once, not coded
  in.add_safeguarding_flags()->set_code("24700007");
  absl::StatusOr<IntakeResult> r = intake_->Process(in);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      Fields(r.status()),
      ElementsAre("referral.patient.nhs_number", "referral.reasons[2].snomed_code",
                  "referral.reasons[0].snomed_code", "referral.safeguarding_flags[0].code"));
  std::optional<google::rpc::ErrorInfo> info = GetErrorInfo(r.status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INVALID_REFERRAL");
  EXPECT_EQ(info->metadata().at("violations"), "4");
}

TEST_F(IntakeTest, ReferralSourceCodeMustBeAReferralSource) {
  sprout::v1::Referral in = ValidPoliceReferral();
  in.mutable_referrer()->set_source_code("185369008");  // Referred by pharmacist
  EXPECT_TRUE(intake_->Process(in).ok());
  in.mutable_referrer()->set_source_code("309013001");  // the value set excludes its root
  EXPECT_THAT(ViolationsOf(intake_->Process(in).status()),
              ElementsAre(FieldViolation{
                  "referral.referrer.source_code",
                  "the referral source code is not a kind of referral source (< 309013001 "
                  "|Referred by person| OR < 306098008 |Self-referral|); send e.g. 185369008 "
                  "|Referred by pharmacist|, or leave it empty",
                  "", ""}));
  in.mutable_referrer()->set_source_code("24700007");
  EXPECT_THAT(Fields(intake_->Process(in).status()), ElementsAre("referral.referrer.source_code"));
}

TEST_F(IntakeTest, InactiveSafeguardingCodeIsRefused) {
  sprout::v1::Referral in = ValidGpReferral();
  in.add_safeguarding_flags()->set_code("305924006");
  absl::StatusOr<IntakeResult> r = intake_->Process(in);
  EXPECT_THAT(ViolationsOf(r.status()),
              ElementsAre(FieldViolation{"referral.safeguarding_flags[0].code",
                                         "the safeguarding code is inactive in the loaded SNOMED "
                                         "CT release; send a current code",
                                         "", ""}));
}

TEST_F(IntakeTest, ErrorsNeverContainPatientData) {
  sprout::v1::Referral in = ValidGpReferral();
  in.mutable_patient()->set_nhs_number("943 476 5918");
  in.mutable_patient()->set_given_name(std::string(testing::kTestGivenName) + "\x7f");
  in.mutable_patient()->set_family_name(std::string(testing::kTestFamilyName) +
                                        std::string(30, 'h'));
  in.mutable_patient()->mutable_address()->set_postcode("LS2 7CE");
  in.mutable_patient()->mutable_contact()->set_email("marigold@");
  in.mutable_reasons(1)->set_free_text(std::string(testing::kTestFamilyName) + " is lonely");
  absl::StatusOr<IntakeResult> r = intake_->Process(in);
  ASSERT_FALSE(r.ok());
  std::vector<std::string> texts = {std::string(r.status().message())};
  for (const FieldViolation& v : ViolationsOf(r.status())) texts.push_back(v.description);
  ASSERT_EQ(texts.size(), 6u);
  for (const std::string& text : texts) {
    for (const char* secret : {"9434765918", "943 476 5918", testing::kTestGivenName,
                               testing::kTestFamilyName, "LS2 7CE", "marigold"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << text;
    }
  }
}

TEST_F(IntakeTest, ProcessIsSafeFromManyThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (intake_->Process(i % 2 ? ValidGpReferral() : ValidPoliceReferral()).ok()) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 800);
}

TEST(IntakeCreateTest, ReleaseWithoutTheServiceCodeIsRefused) {
  // A tiny release: the root only.
  snomed::testing::Rf2FixtureBuilder release;
  release.Concept(138875005).Named(138875005, "SNOMED CT Concept", "SNOMED RT+CTV3");
  auto t = snomed::Terminology::LoadFromFiles(release.Build());
  ASSERT_TRUE(t.ok()) << t.status();
  FakeClock clock(TestNow());
  EXPECT_EQ(ReferralIntake::Create(*t, CodeMaps::Empty(), &clock, IntakeOptions()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace sprout::intake
