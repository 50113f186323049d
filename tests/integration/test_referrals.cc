#include "tests/integration/test_referrals.h"

#include "absl/strings/str_format.h"

namespace sprout::testing {

std::string TestNhsNumber(int64_t n) {
  for (int64_t candidate = n;; ++candidate) {
    const std::string digits = absl::StrFormat("999%06d", candidate % 1000000);
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += (digits[i] - '0') * (10 - i);
    const int check = 11 - sum % 11;
    if (check == 10) continue;  // never issued; try the next
    return digits + static_cast<char>('0' + (check == 11 ? 0 : check));
  }
}

sprout::v1::Referral GpReferral(const std::string& nhs_number) {
  sprout::v1::Referral r;
  sprout::v1::Patient* p = r.mutable_patient();
  p->set_nhs_number(nhs_number);
  p->set_nhs_number_verification_status(sprout::v1::NHS_NUMBER_VERIFICATION_STATUS_VERIFIED);
  p->set_given_name("Alex");
  p->set_family_name("Example");
  p->mutable_birth_date()->set_year(1950);
  p->mutable_birth_date()->set_month(4);
  p->mutable_birth_date()->set_day(21);
  p->mutable_address()->add_lines("1 Test Street");
  p->mutable_address()->set_town("Wrenfield");
  p->mutable_address()->set_postcode("ZX1 4AB");
  p->set_registered_practice_code("Y99001");
  p->set_gender(sprout::v1::GENDER_FEMALE);
  p->mutable_contact()->set_phone("01632 960001");
  sprout::v1::Referrer* ref = r.mutable_referrer();
  ref->set_source_type(sprout::v1::SOURCE_TYPE_GP_PRACTICE);
  ref->set_organisation_name("Northgate Surgery");
  ref->set_practitioner_name("Dr Demo");
  ref->set_practitioner_role("GP");
  ref->set_callback_phone("01632 960100");
  r.set_priority(sprout::v1::PRIORITY_ROUTINE);
  r.add_reasons()->set_snomed_code("267076002");  // Feeling lonely
  r.add_reasons()->set_snomed_code("160932005");  // Financial problem
  r.set_what_matters_to_me("Getting out of the house and meeting people");
  r.mutable_consent()->set_referral_agreed(true);
  r.mutable_consent()->set_information_sharing_agreed(true);
  r.mutable_consent()->set_obtained_by("Dr Demo");
  return r;
}

// A police referral for someone living in PCN U99003's area.
sprout::v1::Referral PoliceReferral() {
  sprout::v1::Referral r;
  sprout::v1::Patient* p = r.mutable_patient();
  p->set_nhs_number_unavailable_reason(sprout::v1::NHS_NUMBER_UNAVAILABLE_REASON_NOT_KNOWN);
  p->set_given_name("Barnaby");
  p->set_family_name("Thistlewood");
  p->mutable_birth_date()->set_year(1961);
  p->mutable_birth_date()->set_month(11);
  p->mutable_birth_date()->set_day(2);
  p->mutable_address()->add_lines("22 Mill Lane");
  p->mutable_address()->set_postcode("ZW3 6JH");
  p->mutable_contact()->set_phone("07700 900123");
  sprout::v1::Referrer* ref = r.mutable_referrer();
  ref->set_source_type(sprout::v1::SOURCE_TYPE_POLICE);
  ref->set_practitioner_role("PCSO");
  ref->set_callback_phone("0113 496 0999");
  r.set_priority(sprout::v1::PRIORITY_ROUTINE);
  sprout::v1::LocalCode* code = r.add_reasons()->mutable_local_code();
  code->set_system("police-vulnerability");
  code->set_code("PV-LONELY");
  r.mutable_consent()->set_referral_agreed(true);
  r.mutable_consent()->set_information_sharing_agreed(true);
  return r;
}

}  // namespace sprout::testing
