#include "server/fhir/field_origins.h"

#include "absl/strings/str_cat.h"

namespace sprout::fhir {
namespace {

// The FHIR element a Referral field maps to, relative to the resource its
// parent came from: for pointing at a field the sender left out.
const std::map<std::string, std::string>& ChildElements() {
  static const auto* elements = new std::map<std::string, std::string>{
      {"referral.patient.nhs_number", "identifier"},
      {"referral.patient.nhs_number_verification_status", "identifier.extension"},
      {"referral.patient.nhs_number_unavailable_reason", "identifier"},
      {"referral.patient.given_name", "name.given"},
      {"referral.patient.family_name", "name.family"},
      {"referral.patient.birth_date", "birthDate"},
      {"referral.patient.address", "address"},
      {"referral.patient.address.postcode", "address.postalCode"},
      {"referral.patient.address.town", "address.city"},
      {"referral.patient.address.lines", "address.line"},
      {"referral.patient.registered_practice_code", "generalPractitioner"},
      {"referral.patient.gender", "gender"},
      {"referral.patient.contact", "telecom"},
      {"referral.patient.contact.phone", "telecom"},
      {"referral.patient.contact.email", "telecom"},
      {"referral.referrer.organisation_code", "identifier"},
      {"referral.referrer.organisation_name", "name"},
      {"referral.referrer.source_type", "type"},
      {"referral.referrer.callback_phone", "telecom"},
      {"referral.referrer.callback_email", "telecom"},
      {"referral.referrer.practitioner_name", "practitioner"},
      {"referral.referrer.practitioner_role", "code"},
      {"referral.authored_time", "authoredOn"},
      {"referral.priority", "priority"},
      {"referral.priority_reason", "priority.extension"},
      {"referral.reasons", "reasonCode"},
      {"referral.what_matters_to_me", "note"},
      {"referral.contact_by_date", "occurrencePeriod.end"},
      {"referral.consent", "supportingInfo"},
      {"referral.consent.referral_agreed", "provision.type"},
      {"referral.consent.information_sharing_agreed", "category"},
      {"referral.consent.obtained_by", "performer"},
      {"referral.consent.obtained_time", "dateTime"},
  };
  return *elements;
}

// The parent of "a.b.c" ("a.b") or of "a.b[2]" ("a.b"); "" at the top.
std::string ParentOf(const std::string& path) {
  const size_t cut = path.find_last_of(".[");
  return cut == std::string::npos ? "" : path.substr(0, cut);
}

}  // namespace

void FieldOrigins::Record(std::string referral_field, std::string fhir_path) {
  origins_[std::move(referral_field)] = std::move(fhir_path);
}

std::string FieldOrigins::FhirPathOf(const std::string& referral_field) const {
  if (auto it = origins_.find(referral_field); it != origins_.end()) return it->second;
  std::string child = referral_field;
  for (std::string parent = ParentOf(child); !parent.empty();
       child = parent, parent = ParentOf(parent)) {
    auto it = origins_.find(parent);
    if (it == origins_.end()) continue;
    auto element = ChildElements().find(referral_field);
    if (element == ChildElements().end()) element = ChildElements().find(child);
    if (element == ChildElements().end()) return it->second;
    // The element is relative to the resource, which may be above `parent`.
    std::string base = it->second;
    const size_t resource = base.find(".resource");
    if (resource != std::string::npos) base = base.substr(0, resource + 9);
    return absl::StrCat(base, ".", element->second);
  }
  return "Bundle";
}

}  // namespace sprout::fhir
