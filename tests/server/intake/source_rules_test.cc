// Rules by source type: what each kind of referrer must provide.
#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/intake/validator.h"
#include "tests/server/intake/test_referrals.h"

namespace sprout::intake {
namespace {

using ::sprout::intake::testing::TestNow;
using ::sprout::intake::testing::ValidGpReferral;
using ::sprout::intake::testing::ValidPoliceReferral;
using ::sprout::intake::testing::ValidSelfReferral;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<FieldViolation> Validate(const sprout::v1::Referral& r) {
  ValidationContext c;
  c.now = TestNow();
  return ValidateReferral(r, c);
}

FieldViolation V(const char* field, const char* description) {
  return FieldViolation{field, description, "", ""};
}

TEST(SourceRulesTest, GpReferralNeedsPractitionerName) {
  sprout::v1::Referral r = ValidGpReferral();
  r.mutable_referrer()->clear_practitioner_name();
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.referrer.practitioner_name",
                                         "a GP referral needs the referring practitioner's name; "
                                         "send it")));
}

TEST(SourceRulesTest, GpReferralNeedsNhsNumberEvenWithAnUnavailableReason) {
  sprout::v1::Referral r = ValidGpReferral();
  r.mutable_patient()->clear_nhs_number();
  r.mutable_patient()->clear_nhs_number_verification_status();
  r.mutable_patient()->set_nhs_number_unavailable_reason(
      sprout::v1::NHS_NUMBER_UNAVAILABLE_REASON_NOT_KNOWN);
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.patient.nhs_number",
                                         "a GP referral needs the patient's NHS number; send it "
                                         "from the practice record")));
}

TEST(SourceRulesTest, GpReferralNeedsRegisteredPractice) {
  sprout::v1::Referral r = ValidGpReferral();
  r.mutable_patient()->clear_registered_practice_code();
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.patient.registered_practice_code",
                                         "a GP referral needs the patient's registered practice; "
                                         "send its ODS code")));
}

TEST(SourceRulesTest, GpReferralMustComeFromAPracticeCode) {
  sprout::v1::Referral r = ValidGpReferral();
  r.mutable_referrer()->set_organisation_code("FA123");
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.referrer.organisation_code",
                                         "a GP referral needs the referring practice's ODS code; "
                                         "send 6 characters such as A81001")));
}

TEST(SourceRulesTest, PharmacyReferralMustComeFromAPharmacyCode) {
  sprout::v1::Referral r = ValidPoliceReferral();
  r.mutable_referrer()->set_source_type(sprout::v1::SOURCE_TYPE_COMMUNITY_PHARMACY);
  r.mutable_referrer()->set_organisation_code("B86001");
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.referrer.organisation_code",
                                         "a pharmacy referral needs the pharmacy's ODS code; send "
                                         "5 characters starting with F, such as FA123")));
  r.mutable_referrer()->set_organisation_code("FA123");
  EXPECT_THAT(Validate(r), IsEmpty());
}

TEST(SourceRulesTest, PoliceReferralMayLackNhsNumberButNeedsPostcode) {
  sprout::v1::Referral r = ValidPoliceReferral();
  EXPECT_THAT(Validate(r), IsEmpty());
  r.mutable_patient()->mutable_address()->clear_postcode();
  r.mutable_patient()->set_registered_practice_code("B86001");  // a practice does not suffice
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.patient.address.postcode",
                                         "a police referral needs the person's postcode; send "
                                         "it, or ZZ99 3VZ for no fixed abode")));
}

TEST(SourceRulesTest, FireAndHousingReferralsNeedPostcode) {
  for (auto source :
       {sprout::v1::SOURCE_TYPE_FIRE_AND_RESCUE, sprout::v1::SOURCE_TYPE_HOUSING_PROVIDER}) {
    sprout::v1::Referral r = ValidPoliceReferral();
    r.mutable_referrer()->set_source_type(source);
    EXPECT_THAT(Validate(r), IsEmpty());
    r.mutable_patient()->mutable_address()->clear_postcode();
    std::vector<FieldViolation> v = Validate(r);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].field, "referral.patient.address.postcode");
  }
}

TEST(SourceRulesTest, OrganisationReferralNeedsOrganisationAndCallback) {
  sprout::v1::Referral r = ValidPoliceReferral();
  r.mutable_referrer()->set_source_type(sprout::v1::SOURCE_TYPE_VCSE);
  r.mutable_referrer()->clear_organisation_code();
  r.mutable_referrer()->clear_callback_phone();
  EXPECT_THAT(
      Validate(r),
      ElementsAre(V("referral.referrer.organisation_code",
                    "a referral from an organisation needs the referring organisation's code; "
                    "send its ODS code or a local agency id such as police:WYP"),
                  V("referral.referrer.callback_phone",
                    "a referral from an organisation needs a callback phone or email; send at "
                    "least one so the link worker can reply and report back")));
}

TEST(SourceRulesTest, SelfReferralNeedsNoOrganisationButAWayToContact) {
  sprout::v1::Referral r = ValidSelfReferral();
  EXPECT_THAT(Validate(r), IsEmpty());
  r.mutable_patient()->mutable_contact()->Clear();
  r.mutable_patient()->mutable_address()->clear_lines();
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.patient.contact",
                                         "a self-referral needs a way to contact the person; send "
                                         "a phone number, an email address or a postal address")));
}

TEST(SourceRulesTest, HomelessSelfReferralWithPseudoPostcodeAndPhoneIsAccepted) {
  sprout::v1::Referral r = ValidSelfReferral();
  r.mutable_patient()->mutable_address()->clear_lines();
  r.mutable_patient()->mutable_address()->set_postcode("ZZ99 3VZ");
  EXPECT_THAT(Validate(r), IsEmpty());
}

TEST(SourceRulesTest, WithoutPostcodeOrPracticeTheReferralCannotBeRouted) {
  sprout::v1::Referral r = ValidSelfReferral();
  r.mutable_patient()->mutable_address()->clear_postcode();
  EXPECT_THAT(Validate(r),
              ElementsAre(V("referral.patient.address.postcode",
                            "neither a postcode nor a registered practice is given, so the "
                            "referral cannot be routed; send the postcode (ZZ99 3VZ for no fixed "
                            "abode) or the GP practice code")));
}

}  // namespace
}  // namespace sprout::intake
