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
using ::sprout::intake::testing::ValidHospitalDischargeReferral;
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
                    "a VCSE referral needs the referring organisation's code; send its ODS code "
                    "or a local agency id such as police:WYP"),
                  V("referral.referrer.callback_phone",
                    "a VCSE referral needs a callback phone or email; send at least one so the "
                    "link worker can reply and report back")));
}

TEST(SourceRulesTest, PharmacyReferralNeedsNoRegisteredPractice) {
  sprout::v1::Referral r = ValidPoliceReferral();
  r.mutable_referrer()->set_source_type(sprout::v1::SOURCE_TYPE_COMMUNITY_PHARMACY);
  r.mutable_referrer()->set_organisation_code("FA123");
  r.mutable_patient()->mutable_address()->clear_postcode();
  r.mutable_patient()->set_registered_practice_code("B86001");
  EXPECT_THAT(Validate(r), IsEmpty());  // routed by the practice
  r.mutable_patient()->clear_registered_practice_code();
  r.mutable_patient()->mutable_address()->set_postcode("LS2 7UE");
  EXPECT_THAT(Validate(r), IsEmpty());  // or by the postcode
}

TEST(SourceRulesTest, SocialCareReferralNeedsPostcode) {
  sprout::v1::Referral r = ValidPoliceReferral();
  r.mutable_referrer()->set_source_type(sprout::v1::SOURCE_TYPE_LOCAL_AUTHORITY);
  r.mutable_referrer()->set_organisation_code("la:leeds-asc");
  EXPECT_THAT(Validate(r), IsEmpty());
  r.mutable_patient()->mutable_address()->clear_postcode();
  r.mutable_patient()->set_registered_practice_code("B86001");
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.patient.address.postcode",
                                         "a social care referral needs the person's postcode; "
                                         "send it, or ZZ99 3VZ for no fixed abode")));
}

TEST(SourceRulesTest, JobCentreReferralNeedsPostcodeAndAWayToContactThePerson) {
  sprout::v1::Referral r = ValidPoliceReferral();
  r.mutable_referrer()->set_source_type(sprout::v1::SOURCE_TYPE_JOB_CENTRE);
  r.mutable_referrer()->set_organisation_code("jobcentre:leeds");
  EXPECT_THAT(Validate(r), IsEmpty());
  r.mutable_patient()->mutable_contact()->Clear();
  r.mutable_patient()->mutable_address()->clear_lines();
  r.mutable_patient()->mutable_address()->clear_postcode();
  r.mutable_patient()->set_registered_practice_code("B86001");
  EXPECT_THAT(Validate(r),
              ElementsAre(V("referral.patient.address.postcode",
                            "a job centre referral needs the person's postcode; send it, or "
                            "ZZ99 3VZ for no fixed abode"),
                          V("referral.patient.contact",
                            "a job centre referral needs a way to contact the person; send a "
                            "phone number, an email address or a postal address")));
}

TEST(SourceRulesTest, VcseReferralNeedsAWayToContactThePersonButNoNhsNumber) {
  sprout::v1::Referral r = ValidPoliceReferral();
  r.mutable_referrer()->set_source_type(sprout::v1::SOURCE_TYPE_VCSE);
  r.mutable_referrer()->set_organisation_code("vcse:age-uk-leeds");
  r.mutable_patient()->mutable_address()->clear_lines();
  EXPECT_THAT(Validate(r), IsEmpty());  // the phone suffices
  r.mutable_patient()->mutable_contact()->Clear();
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.patient.contact",
                                         "a VCSE referral needs a way to contact the person; "
                                         "send a phone number, an email address or a postal "
                                         "address")));
}

TEST(SourceRulesTest, HospitalDischargeReferralIsValid) {
  EXPECT_THAT(Validate(ValidHospitalDischargeReferral()), IsEmpty());
}

TEST(SourceRulesTest, HospitalDischargeMustComeFromATrustWithWardAndDate) {
  sprout::v1::Referral r = ValidHospitalDischargeReferral();
  r.mutable_referrer()->set_organisation_code("B86001");
  r.mutable_discharge()->clear_ward();
  r.mutable_discharge()->clear_discharge_date();
  r.mutable_discharge()->clear_site_code();
  EXPECT_THAT(
      Validate(r),
      ElementsAre(V("referral.referrer.organisation_code",
                    "a hospital discharge referral needs the NHS trust's ODS code; send 3 "
                    "characters starting with R, such as RR8 (the site goes in "
                    "discharge.site_code)"),
                  V("referral.discharge.ward",
                    "the ward is missing; send the ward or unit the person is leaving"),
                  V("referral.discharge.discharge_date",
                    "a hospital discharge referral needs the discharge date; send the day the "
                    "person leaves hospital")));
  r.clear_discharge();
  r.mutable_referrer()->set_organisation_code("RR8");
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.discharge",
                                         "a hospital discharge referral needs the discharge "
                                         "details; send the ward and the discharge date")));
}

TEST(SourceRulesTest, HospitalDischargeSiteMustBelongToTheTrust) {
  sprout::v1::Referral r = ValidHospitalDischargeReferral();
  r.mutable_discharge()->set_site_code("RXF01");
  EXPECT_THAT(Validate(r),
              ElementsAre(V("referral.discharge.site_code",
                            "a hospital discharge referral's site code is not a site of the "
                            "referring trust; send 5 characters starting with the trust's code "
                            "(RR813 for trust RR8), or leave it out")));
}

TEST(SourceRulesTest, HospitalDischargeDateAtMostThirtyDaysAheadButMayBePast) {
  sprout::v1::Referral r = ValidHospitalDischargeReferral();
  sprout::v1::Date* date = r.mutable_discharge()->mutable_discharge_date();
  date->set_month(9);  // weeks ago: a follow-up referral
  EXPECT_THAT(Validate(r), IsEmpty());
  date->set_month(12);
  date->set_day(21);  // 30 days after 2026-11-21
  EXPECT_THAT(Validate(r), IsEmpty());
  date->set_day(22);
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.discharge.discharge_date",
                                         "a hospital discharge referral's discharge date is more "
                                         "than 30 days ahead; refer the person nearer the "
                                         "planned discharge")));
  date->set_month(2);
  date->set_day(30);
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.discharge.discharge_date",
                                         "a hospital discharge referral's discharge date is not "
                                         "a real calendar date; check the year, month and day")));
}

TEST(SourceRulesTest, NhsServicesMustTraceTheNhsNumber) {
  for (auto source :
       {sprout::v1::SOURCE_TYPE_HOSPITAL_DISCHARGE, sprout::v1::SOURCE_TYPE_MENTAL_HEALTH_SERVICE,
        sprout::v1::SOURCE_TYPE_COMMUNITY_HEALTH_SERVICE}) {
    sprout::v1::Referral r = ValidHospitalDischargeReferral();
    r.mutable_referrer()->set_source_type(source);
    r.mutable_referrer()->set_practitioner_name("N Nurse");
    if (source != sprout::v1::SOURCE_TYPE_HOSPITAL_DISCHARGE) r.clear_discharge();
    EXPECT_THAT(Validate(r), IsEmpty()) << source;
    sprout::v1::Patient* p = r.mutable_patient();
    p->clear_nhs_number();
    p->clear_nhs_number_verification_status();
    p->set_nhs_number_unavailable_reason(sprout::v1::NHS_NUMBER_UNAVAILABLE_REASON_NOT_KNOWN);
    std::vector<FieldViolation> v = Validate(r);
    ASSERT_EQ(v.size(), 1u) << source;
    EXPECT_EQ(v[0].field, "referral.patient.nhs_number_unavailable_reason");
    EXPECT_THAT(v[0].description, ::testing::HasSubstr("can trace the NHS number"));
    p->set_nhs_number_unavailable_reason(sprout::v1::NHS_NUMBER_UNAVAILABLE_REASON_NOT_ISSUED);
    EXPECT_THAT(Validate(r), IsEmpty()) << source;  // a visitor who has none
  }
}

TEST(SourceRulesTest, MentalHealthReferralNeedsAnOdsCodeAndAClinician) {
  sprout::v1::Referral r = ValidHospitalDischargeReferral();
  r.clear_discharge();
  r.mutable_referrer()->set_source_type(sprout::v1::SOURCE_TYPE_MENTAL_HEALTH_SERVICE);
  r.mutable_referrer()->set_organisation_code("vcse:mind-leeds");
  EXPECT_THAT(Validate(r),
              ElementsAre(V("referral.referrer.organisation_code",
                            "a mental health service referral needs the provider's ODS code (an "
                            "NHS service has one); send it in upper case, such as RR8"),
                          V("referral.referrer.practitioner_name",
                            "a mental health service referral needs the referring "
                            "practitioner's name; send it")));
}

TEST(SourceRulesTest, DischargeDetailsOnlyFromHospitalDischargeTeams) {
  sprout::v1::Referral r = ValidGpReferral();
  *r.mutable_discharge() = ValidHospitalDischargeReferral().discharge();
  EXPECT_THAT(Validate(r), ElementsAre(V("referral.discharge",
                                         "a GP referral does not carry discharge details; leave "
                                         "discharge out, or send the referral as the hospital "
                                         "discharge team (SOURCE_TYPE_HOSPITAL_DISCHARGE)")));
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
