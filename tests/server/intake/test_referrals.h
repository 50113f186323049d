// Valid referrals to start tests from, one per kind of referrer. The people
// are invented; the NHS numbers are the published NHS test numbers.
#ifndef SPROUT_TESTS_SERVER_INTAKE_TEST_REFERRALS_H_
#define SPROUT_TESTS_SERVER_INTAKE_TEST_REFERRALS_H_

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::intake::testing {

// The "now" of every test: 2026-11-21 10:00 UTC.
inline absl::Time TestNow() {
  return absl::FromCivil(absl::CivilSecond(2026, 11, 21, 10, 0, 0), absl::UTCTimeZone());
}

inline constexpr char kTestNhsNumber[] = "943 476 5919";
inline constexpr char kTestGivenName[] = "Marigold";
inline constexpr char kTestFamilyName[] = "Featherstonehaugh";

// A complete, valid GP referral with a SNOMED reason and a free-text reason.
inline sprout::v1::Referral ValidGpReferral() {
  sprout::v1::Referral r;
  sprout::v1::Patient* p = r.mutable_patient();
  p->set_nhs_number(kTestNhsNumber);
  p->set_nhs_number_verification_status(sprout::v1::NHS_NUMBER_VERIFICATION_STATUS_VERIFIED);
  p->set_given_name(kTestGivenName);
  p->set_family_name(kTestFamilyName);
  p->mutable_birth_date()->set_year(1948);
  p->mutable_birth_date()->set_month(3);
  p->mutable_birth_date()->set_day(14);
  p->mutable_address()->add_lines("12 Quarry Hill");
  p->mutable_address()->set_town("Leeds");
  p->mutable_address()->set_postcode("ls27ue");
  p->set_registered_practice_code("B86001");
  p->set_gender(sprout::v1::GENDER_FEMALE);
  p->mutable_contact()->set_phone("0113 496 0123");
  p->mutable_contact()->set_preferred_method(sprout::v1::CONTACT_METHOD_PHONE);
  sprout::v1::Referrer* ref = r.mutable_referrer();
  ref->set_source_type(sprout::v1::SOURCE_TYPE_GP_PRACTICE);
  ref->set_organisation_code("B86001");
  ref->set_organisation_name("Park Row Surgery");
  ref->set_practitioner_name("Dr R Okafor");
  ref->set_practitioner_role("GP");
  ref->set_callback_email("parkrow.surgery@example.nhs.uk");
  r.set_priority(sprout::v1::PRIORITY_ROUTINE);
  r.add_reasons()->set_snomed_code("267076002");  // Feeling lonely
  r.add_reasons()->set_free_text("social isolation");
  r.set_what_matters_to_me("Getting back to the allotment.\nSeeing people.");
  r.mutable_consent()->set_referral_agreed(true);
  r.mutable_consent()->set_information_sharing_agreed(true);
  r.mutable_consent()->set_obtained_by("Dr R Okafor");
  r.mutable_authored_time()->set_seconds(absl::ToUnixSeconds(TestNow() - absl::Hours(1)));
  return r;
}

// A valid police referral: no NHS number (not known), local code reason.
inline sprout::v1::Referral ValidPoliceReferral() {
  sprout::v1::Referral r = ValidGpReferral();
  sprout::v1::Patient* p = r.mutable_patient();
  p->clear_nhs_number();
  p->clear_nhs_number_verification_status();
  p->set_nhs_number_unavailable_reason(sprout::v1::NHS_NUMBER_UNAVAILABLE_REASON_NOT_KNOWN);
  p->clear_registered_practice_code();
  sprout::v1::Referrer* ref = r.mutable_referrer();
  ref->Clear();
  ref->set_source_type(sprout::v1::SOURCE_TYPE_POLICE);
  ref->set_organisation_code("police:WYP");
  ref->set_organisation_name("West Yorkshire Police");
  ref->set_practitioner_role("PCSO");
  ref->set_callback_phone("0113 496 0999");
  r.clear_reasons();
  sprout::v1::LocalCode* code = r.add_reasons()->mutable_local_code();
  code->set_system("police-vulnerability");
  code->set_code("PV-ISOL");
  return r;
}

// A valid self-referral: no organisation, contact by phone.
inline sprout::v1::Referral ValidSelfReferral() {
  sprout::v1::Referral r = ValidPoliceReferral();
  r.mutable_referrer()->Clear();
  r.mutable_referrer()->set_source_type(sprout::v1::SOURCE_TYPE_SELF_REFERRAL);
  r.clear_reasons();
  r.add_reasons()->set_free_text("lonely at weekends");
  return r;
}

// A valid hospital discharge referral: trust RR8, traced NHS number,
// registered practice, ward and a discharge date three days after TestNow().
inline sprout::v1::Referral ValidHospitalDischargeReferral() {
  sprout::v1::Referral r = ValidGpReferral();
  sprout::v1::Referrer* ref = r.mutable_referrer();
  ref->Clear();
  ref->set_source_type(sprout::v1::SOURCE_TYPE_HOSPITAL_DISCHARGE);
  ref->set_organisation_code("RR8");
  ref->set_organisation_name("Leeds Teaching Hospitals NHS Trust");
  ref->set_practitioner_role("Discharge coordinator");
  ref->set_callback_phone("0113 243 3144");
  sprout::v1::DischargeDetails* d = r.mutable_discharge();
  d->set_ward("Ward 12 (elderly care)");
  d->set_site_code("RR813");
  d->mutable_discharge_date()->set_year(2026);
  d->mutable_discharge_date()->set_month(11);
  d->mutable_discharge_date()->set_day(24);
  return r;
}

}  // namespace sprout::intake::testing

#endif  // SPROUT_TESTS_SERVER_INTAKE_TEST_REFERRALS_H_
