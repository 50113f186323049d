// The rules that depend on who is referring (validator.h, ValidateSourceRules).
#include "absl/strings/str_cat.h"
#include "server/intake/identifiers.h"
#include "server/intake/validator.h"

namespace sprout::intake {
namespace {

using sprout::v1::SourceType;

void Add(std::vector<FieldViolation>* out, std::string field, std::string description) {
  out->push_back(FieldViolation{std::move(field), std::move(description), "", ""});
}

absl::string_view SourceName(int source) {
  switch (source) {
    case sprout::v1::SOURCE_TYPE_GP_PRACTICE:
      return "a GP referral";
    case sprout::v1::SOURCE_TYPE_COMMUNITY_PHARMACY:
      return "a pharmacy referral";
    case sprout::v1::SOURCE_TYPE_POLICE:
      return "a police referral";
    case sprout::v1::SOURCE_TYPE_FIRE_AND_RESCUE:
      return "a fire and rescue referral";
    case sprout::v1::SOURCE_TYPE_HOUSING_PROVIDER:
      return "a housing referral";
    default:
      return "a referral from an organisation";
  }
}

}  // namespace

bool SourceNeedsPostcode(int source_type) {
  return source_type == sprout::v1::SOURCE_TYPE_POLICE ||
         source_type == sprout::v1::SOURCE_TYPE_FIRE_AND_RESCUE ||
         source_type == sprout::v1::SOURCE_TYPE_HOUSING_PROVIDER;
}

void ValidateSourceRules(const sprout::v1::Referral& referral, std::vector<FieldViolation>* out) {
  if (!referral.has_patient() || !referral.has_referrer()) return;
  const sprout::v1::Patient& patient = referral.patient();
  const sprout::v1::Referrer& referrer = referral.referrer();
  const int source = referrer.source_type();
  if (source == sprout::v1::SOURCE_TYPE_UNSPECIFIED || !sprout::v1::SourceType_IsValid(source)) {
    return;  // reported as a source_type violation; no rules to apply
  }

  if (source == sprout::v1::SOURCE_TYPE_SELF_REFERRAL) {
    const sprout::v1::ContactDetails& contact = patient.contact();
    if (contact.phone().empty() && contact.email().empty() && patient.address().lines_size() == 0) {
      Add(out, "referral.patient.contact",
          "a self-referral needs a way to contact the person; send a phone number, an email "
          "address or a postal address");
    }
    return;
  }

  // Every organisation: who it is, and how to reply.
  const std::string& org = referrer.organisation_code();
  // A code that is not even ODS- or agency-shaped is already reported by ValidateReferral.
  const bool org_shaped = IsOdsCode(org) || IsLocalAgencyId(org);
  if (org.empty()) {
    Add(out, "referral.referrer.organisation_code",
        absl::StrCat(SourceName(source),
                     " needs the referring organisation's code; send its ODS code or a local "
                     "agency id such as police:WYP"));
  } else if (org_shaped && source == sprout::v1::SOURCE_TYPE_GP_PRACTICE &&
             !IsGpPracticeCode(org)) {
    Add(out, "referral.referrer.organisation_code",
        "a GP referral needs the referring practice's ODS code; send 6 characters such as "
        "A81001");
  } else if (org_shaped && source == sprout::v1::SOURCE_TYPE_COMMUNITY_PHARMACY &&
             !IsPharmacyCode(org)) {
    Add(out, "referral.referrer.organisation_code",
        "a pharmacy referral needs the pharmacy's ODS code; send 5 characters starting with F, "
        "such as FA123");
  }
  if (referrer.callback_phone().empty() && referrer.callback_email().empty()) {
    Add(out, "referral.referrer.callback_phone",
        absl::StrCat(SourceName(source),
                     " needs a callback phone or email; send at least one so the link worker "
                     "can reply and report back"));
  }

  if (source == sprout::v1::SOURCE_TYPE_GP_PRACTICE) {
    if (referrer.practitioner_name().empty()) {
      Add(out, "referral.referrer.practitioner_name",
          "a GP referral needs the referring practitioner's name; send it");
    }
    if (patient.nhs_number().empty()) {
      Add(out, "referral.patient.nhs_number",
          "a GP referral needs the patient's NHS number; send it from the practice record");
    }
    if (patient.registered_practice_code().empty()) {
      Add(out, "referral.patient.registered_practice_code",
          "a GP referral needs the patient's registered practice; send its ODS code");
    }
  }

  if (SourceNeedsPostcode(source) && patient.address().postcode().empty()) {
    Add(out, "referral.patient.address.postcode",
        absl::StrCat(SourceName(source),
                     " needs the person's postcode; send it, or ZZ99 3VZ for no fixed abode"));
  }
}

}  // namespace sprout::intake
