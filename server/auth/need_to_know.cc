#include "server/auth/need_to_know.h"

#include <string>

namespace sprout::auth {
namespace {

void ClearFreeText(sprout::v1::ReasonInput& reason) {
  if (reason.has_free_text()) reason.clear_free_text();
}

}  // namespace

std::string PostcodeDistrict(const std::string& postcode) {
  const size_t space = postcode.find(' ');
  return space == std::string::npos ? std::string() : postcode.substr(0, space);
}

void Pseudonymise(sprout::v1::Referral& referral) {
  sprout::v1::Patient& patient = *referral.mutable_patient();
  patient.clear_nhs_number();
  patient.clear_given_name();
  patient.clear_family_name();
  if (patient.has_birth_date()) {
    const int year = patient.birth_date().year();
    patient.mutable_birth_date()->Clear();
    patient.mutable_birth_date()->set_year(year);
  }
  if (patient.has_address()) {
    const std::string district = PostcodeDistrict(patient.address().postcode());
    patient.mutable_address()->Clear();
    patient.mutable_address()->set_postcode(district);
  }
  patient.clear_contact();
  patient.clear_communication();

  for (sprout::v1::ReasonInput& reason : *referral.mutable_reasons()) ClearFreeText(reason);
  for (sprout::v1::CodedReason& coded : *referral.mutable_coded_reasons()) {
    ClearFreeText(*coded.mutable_original());
    if (coded.has_text_match()) coded.mutable_text_match()->clear_segment();
  }
  referral.clear_what_matters_to_me();
  referral.clear_priority_reason();
  if (referral.has_consent()) {
    referral.mutable_consent()->clear_obtained_by();
    referral.mutable_consent()->clear_limitations();
  }
  for (sprout::v1::SafeguardingFlag& flag : *referral.mutable_safeguarding_flags()) {
    flag.clear_details();
  }
  if (referral.has_supporting_information()) {
    sprout::v1::SupportingInformation& info = *referral.mutable_supporting_information();
    info.clear_household();
    info.clear_risk_to_staff();
    info.clear_notes();
  }
  if (referral.has_outcome()) referral.mutable_outcome()->clear_summary();
  referral.set_pseudonymised(true);
}

void MinimiseForReferrer(sprout::v1::Referral& referral) {
  referral.mutable_route()->clear_link_worker();
  for (sprout::v1::CodedReason& reason : *referral.mutable_coded_reasons()) {
    reason.clear_reviewed_by();
  }
}

}  // namespace sprout::auth
