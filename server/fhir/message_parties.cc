// The people and organisations of a referral message: the Patient, who
// refers (PractitionerRole, Practitioner, Organization or the Patient), and
// the Consent and Flag resources (bundle_reader.h).
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "server/fhir/bundle_reader.h"

namespace sprout::fhir::internal {
namespace {

constexpr char kBarsConsentCategorySystem[] =
    "https://fhir.nhs.uk/CodeSystem/consent-categories-bars";

}  // namespace

void Reader::ReadTelecom(const json& resource, const std::string& path, std::string* phone,
                         std::string* email, const std::string& phone_field,
                         const std::string& email_field) {
  const json& telecoms = Array(resource, "telecom", path);
  for (size_t i = 0; i < telecoms.size(); ++i) {
    if (!telecoms[i].is_object()) continue;
    const std::string telecom_path = absl::StrCat(path, ".telecom[", i, "]");
    const std::string system = String(telecoms[i], "system", telecom_path).value_or("");
    const std::string value = String(telecoms[i], "value", telecom_path).value_or("");
    if (system == "phone" && phone->empty()) {
      *phone = value;
      origins_.Record(phone_field, telecom_path + ".value");
    } else if (system == "email" && email->empty()) {
      *email = value;
      origins_.Record(email_field, telecom_path + ".value");
    }
  }
}

void Reader::ReadPatient(const Entry& entry) {
  const json& p = *entry.resource;
  const std::string& path = entry.path;
  sprout::v1::Patient& patient = *referral_.mutable_patient();
  origins_.Record("referral.patient", path);
  const json& identifiers = Array(p, "identifier", path);
  for (size_t i = 0; i < identifiers.size(); ++i) {
    if (!identifiers[i].is_object()) continue;
    const std::string id_path = absl::StrCat(path, ".identifier[", i, "]");
    if (String(identifiers[i], "system", id_path) != kNhsNumberSystem) continue;
    patient.set_nhs_number(String(identifiers[i], "value", id_path).value_or(""));
    origins_.Record("referral.patient.nhs_number", id_path + ".value");
    const json& extensions = Array(identifiers[i], "extension", id_path);
    for (size_t j = 0; j < extensions.size(); ++j) {
      const std::string ext_path = absl::StrCat(id_path, ".extension[", j, "]");
      if (!extensions[j].is_object() ||
          String(extensions[j], "url", ext_path) != kNhsNumberVerificationUrl) {
        continue;
      }
      const json* value = Object(extensions[j], "valueCodeableConcept", ext_path);
      if (value == nullptr) continue;
      const json& codings = Array(*value, "coding", ext_path + ".valueCodeableConcept");
      const std::string coding_path = ext_path + ".valueCodeableConcept.coding[0].code";
      int status = 0;
      const std::string code =
          codings.empty() || !codings[0].is_object()
              ? ""
              : String(codings[0], "code", ext_path + ".valueCodeableConcept.coding[0]")
                    .value_or("");
      if (code.size() != 2 || !absl::SimpleAtoi(code, &status) || status < 1 || status > 8) {
        Issue("code-invalid", coding_path,
              "must be an NHS number verification status, \"01\" to \"08\" "
              "(UKCore-NHSNumberVerificationStatusEngland)");
        continue;
      }
      patient.set_nhs_number_verification_status(
          static_cast<sprout::v1::NhsNumberVerificationStatus>(status));
      origins_.Record("referral.patient.nhs_number_verification_status", coding_path);
    }
  }
  // UK Core's reason for no NHS number, coded as Sprout names the reasons
  // (not_known, declined, not_issued: kNhsNumberUnavailableSystem).
  const json& patient_extensions = Array(p, "extension", path);
  for (size_t i = 0; i < patient_extensions.size(); ++i) {
    const std::string ext_path = absl::StrCat(path, ".extension[", i, "]");
    if (!patient_extensions[i].is_object() ||
        String(patient_extensions[i], "url", ext_path) != kNhsNumberUnavailableUrl) {
      continue;
    }
    const json* value = Object(patient_extensions[i], "valueCodeableConcept", ext_path);
    const json& codings = value == nullptr
                              ? EmptyArray()
                              : Array(*value, "coding", ext_path + ".valueCodeableConcept");
    const std::string coding_path = ext_path + ".valueCodeableConcept.coding[0]";
    const std::string code = codings.empty() || !codings[0].is_object()
                                 ? ""
                                 : String(codings[0], "code", coding_path).value_or("");
    sprout::v1::NhsNumberUnavailableReason reason;
    if (!sprout::v1::NhsNumberUnavailableReason_Parse(
            absl::StrCat("NHS_NUMBER_UNAVAILABLE_REASON_", absl::AsciiStrToUpper(code)), &reason) ||
        reason == sprout::v1::NHS_NUMBER_UNAVAILABLE_REASON_UNSPECIFIED) {
      Issue("code-invalid", coding_path + ".code",
            absl::StrCat("must be not_known, declined or not_issued (system ",
                         kNhsNumberUnavailableSystem, ")"));
      continue;
    }
    patient.set_nhs_number_unavailable_reason(reason);
    origins_.Record("referral.patient.nhs_number_unavailable_reason", coding_path + ".code");
  }
  const json& names = Array(p, "name", path);
  for (size_t i = 0; i < names.size(); ++i) {
    if (!names[i].is_object()) continue;
    const std::string name_path = absl::StrCat(path, ".name[", i, "]");
    const std::string use = String(names[i], "use", name_path).value_or("official");
    if (use != "official" && use != "usual") continue;
    const json& given = Array(names[i], "given", name_path);
    if (!given.empty() && given[0].is_string()) {
      patient.set_given_name(given[0].get<std::string>());
      origins_.Record("referral.patient.given_name", name_path + ".given[0]");
    }
    patient.set_family_name(String(names[i], "family", name_path).value_or(""));
    origins_.Record("referral.patient.family_name", name_path + ".family");
    break;
  }
  if (std::optional<std::string> birth = String(p, "birthDate", path)) {
    if (auto date = Date(*birth, path + ".birthDate")) {
      *patient.mutable_birth_date() = *date;
      origins_.Record("referral.patient.birth_date", path + ".birthDate");
    }
  }
  if (std::optional<std::string> gender = String(p, "gender", path)) {
    origins_.Record("referral.patient.gender", path + ".gender");
    static const auto* genders =
        new std::map<std::string, sprout::v1::Gender>{{"male", sprout::v1::GENDER_MALE},
                                                      {"female", sprout::v1::GENDER_FEMALE},
                                                      {"other", sprout::v1::GENDER_OTHER},
                                                      {"unknown", sprout::v1::GENDER_UNKNOWN}};
    auto it = genders->find(*gender);
    if (it == genders->end()) {
      Issue("code-invalid", path + ".gender", "must be male, female, other or unknown");
    } else {
      patient.set_gender(it->second);
    }
  }
  const json& addresses = Array(p, "address", path);
  if (!addresses.empty() && addresses[0].is_object()) {
    const std::string address_path = path + ".address[0]";
    origins_.Record("referral.patient.address", address_path);
    sprout::v1::Address& address = *patient.mutable_address();
    const json& lines = Array(addresses[0], "line", address_path);
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].is_string()) address.add_lines(lines[i].get<std::string>());
    }
    origins_.Record("referral.patient.address.lines", address_path + ".line");
    address.set_town(String(addresses[0], "city", address_path).value_or(""));
    origins_.Record("referral.patient.address.town", address_path + ".city");
    address.set_postcode(String(addresses[0], "postalCode", address_path).value_or(""));
    origins_.Record("referral.patient.address.postcode", address_path + ".postalCode");
  }
  std::string phone, email;
  ReadTelecom(p, path, &phone, &email, "referral.patient.contact.phone",
              "referral.patient.contact.email");
  if (!phone.empty()) patient.mutable_contact()->set_phone(phone);
  if (!email.empty()) patient.mutable_contact()->set_email(email);
  const json& practices = Array(p, "generalPractitioner", path);
  for (size_t i = 0; i < practices.size() && patient.registered_practice_code().empty(); ++i) {
    if (!practices[i].is_object()) continue;
    const std::string gp_path = absl::StrCat(path, ".generalPractitioner[", i, "]");
    if (const json* identifier = Object(practices[i], "identifier", gp_path)) {
      if (String(*identifier, "system", gp_path + ".identifier") == kOdsSystem) {
        patient.set_registered_practice_code(
            String(*identifier, "value", gp_path + ".identifier").value_or(""));
        origins_.Record("referral.patient.registered_practice_code", gp_path + ".identifier.value");
      }
    }
  }
}

void Reader::ReadRequester(const Entry& entry) {
  const json& r = *entry.resource;
  sprout::v1::Referrer& referrer = *referral_.mutable_referrer();
  origins_.Record("referral.referrer", entry.path);
  if (entry.type == "Patient") {
    referrer.set_source_type(sprout::v1::SOURCE_TYPE_SELF_REFERRAL);
    origins_.Record("referral.referrer.source_type", entry.path);
    return;
  }
  if (entry.type == "Organization") {
    ReadOrganisation(entry);
    return;
  }
  const Entry* practitioner = &entry;
  if (entry.type == "PractitionerRole") {
    std::string phone, email;
    ReadTelecom(r, entry.path, &phone, &email, "referral.referrer.callback_phone",
                "referral.referrer.callback_email");
    referrer.set_callback_phone(phone);
    referrer.set_callback_email(email);
    const json& codes = Array(r, "code", entry.path);
    if (!codes.empty() && codes[0].is_object()) {
      const std::string code_path = entry.path + ".code[0]";
      std::string role = String(codes[0], "text", code_path).value_or("");
      const json& codings = Array(codes[0], "coding", code_path);
      if (role.empty() && !codings.empty() && codings[0].is_object()) {
        role = String(codings[0], "display", code_path + ".coding[0]").value_or("");
      }
      referrer.set_practitioner_role(role);
      origins_.Record("referral.referrer.practitioner_role", code_path);
    }
    practitioner = nullptr;
    if (const json* who = Object(r, "practitioner", entry.path)) {
      practitioner = Resolve(*who, entry.path + ".practitioner", {"Practitioner"});
    }
    if (const json* organisation = Object(r, "organization", entry.path)) {
      if (const Entry* org =
              Resolve(*organisation, entry.path + ".organization", {"Organization"})) {
        ReadOrganisation(*org);
      }
    } else {
      Issue("required", entry.path + ".organization",
            "must reference the referring Organization (its ODS code or agency id)");
    }
  }
  if (practitioner != nullptr) {
    const json& names = Array(*practitioner->resource, "name", practitioner->path);
    if (!names.empty() && names[0].is_object()) {
      const std::string name_path = practitioner->path + ".name[0]";
      std::string name = String(names[0], "text", name_path).value_or("");
      if (name.empty()) {
        std::vector<std::string> parts;
        for (const char* key : {"prefix", "given"}) {
          for (const json& part : Array(names[0], key, name_path)) {
            if (part.is_string()) parts.push_back(part.get<std::string>());
          }
        }
        if (auto family = String(names[0], "family", name_path)) parts.push_back(*family);
        name = absl::StrJoin(parts, " ");
      }
      referrer.set_practitioner_name(name);
      origins_.Record("referral.referrer.practitioner_name", name_path);
    }
  }
}

void Reader::ReadOrganisation(const Entry& entry) {
  const json& o = *entry.resource;
  sprout::v1::Referrer& referrer = *referral_.mutable_referrer();
  const json& identifiers = Array(o, "identifier", entry.path);
  // The ODS code when there is one; else the agency's own id (e.g. police:WYP).
  for (int pass = 0; pass < 2 && referrer.organisation_code().empty(); ++pass) {
    for (size_t i = 0; i < identifiers.size(); ++i) {
      if (!identifiers[i].is_object()) continue;
      const std::string id_path = absl::StrCat(entry.path, ".identifier[", i, "]");
      if (pass == 0 && String(identifiers[i], "system", id_path) != kOdsSystem) continue;
      referrer.set_organisation_code(String(identifiers[i], "value", id_path).value_or(""));
      origins_.Record("referral.referrer.organisation_code", id_path + ".value");
      break;
    }
  }
  referrer.set_organisation_name(String(o, "name", entry.path).value_or(""));
  origins_.Record("referral.referrer.organisation_name", entry.path + ".name");
  if (referrer.callback_phone().empty() && referrer.callback_email().empty()) {
    std::string phone, email;
    ReadTelecom(o, entry.path, &phone, &email, "referral.referrer.callback_phone",
                "referral.referrer.callback_email");
    referrer.set_callback_phone(phone);
    referrer.set_callback_email(email);
  }
  const json& types = Array(o, "type", entry.path);
  for (size_t i = 0; i < types.size(); ++i) {
    if (!types[i].is_object()) continue;
    const std::string type_path = absl::StrCat(entry.path, ".type[", i, "]");
    const json& codings = Array(types[i], "coding", type_path);
    for (size_t j = 0; j < codings.size(); ++j) {
      const std::string coding_path = absl::StrCat(type_path, ".coding[", j, "]");
      if (!codings[j].is_object() ||
          String(codings[j], "system", coding_path) != kReferrerKindSystem) {
        continue;
      }
      const std::string code = String(codings[j], "code", coding_path).value_or("");
      sprout::v1::SourceType kind;
      if (!sprout::v1::SourceType_Parse(absl::StrCat("SOURCE_TYPE_", absl::AsciiStrToUpper(code)),
                                        &kind) ||
          kind == sprout::v1::SOURCE_TYPE_UNSPECIFIED) {
        Issue("code-invalid", coding_path + ".code",
              absl::StrCat("\"", code, "\" is not a kind of referrer in ", kReferrerKindSystem,
                           " (e.g. gp_practice, community_pharmacy, police, self_referral)"));
        continue;
      }
      referrer.set_source_type(kind);
      origins_.Record("referral.referrer.source_type", coding_path + ".code");
    }
  }
  if (referrer.source_type() == sprout::v1::SOURCE_TYPE_UNSPECIFIED) {
    Issue("required", entry.path + ".type",
          absl::StrCat("must carry the kind of referrer as {system \"", kReferrerKindSystem,
                       "\", code e.g. \"gp_practice\"}: it decides what the referral must "
                       "carry"));
  }
}

void Reader::ReadConsentsAndFlags() {
  for (const Entry& entry : entries_) {
    if (entry.resource == nullptr) continue;
    const json& resource = *entry.resource;
    if (entry.type == "Consent") {
      if (String(resource, "status", entry.path) != "active") continue;
      sprout::v1::Consent& consent = *referral_.mutable_consent();
      origins_.Record("referral.consent", entry.path);
      const json* provision = Object(resource, "provision", entry.path);
      const std::string type =
          provision == nullptr
              ? "permit"
              : String(*provision, "type", entry.path + ".provision").value_or("permit");
      consent.set_referral_agreed(type == "permit");
      origins_.Record("referral.consent.referral_agreed", entry.path + ".provision.type");
      const json& categories = Array(resource, "category", entry.path);
      for (size_t i = 0; i < categories.size(); ++i) {
        if (!categories[i].is_object()) continue;
        const std::string category_path = absl::StrCat(entry.path, ".category[", i, "]");
        const json& codings = Array(categories[i], "coding", category_path);
        for (size_t j = 0; j < codings.size(); ++j) {
          const std::string coding_path = absl::StrCat(category_path, ".coding[", j, "]");
          if (codings[j].is_object() &&
              String(codings[j], "system", coding_path) == kBarsConsentCategorySystem &&
              String(codings[j], "code", coding_path) == "DRC") {
            consent.set_information_sharing_agreed(type == "permit");
          }
        }
      }
      origins_.Record("referral.consent.information_sharing_agreed", entry.path + ".category");
      const json& performers = Array(resource, "performer", entry.path);
      if (!performers.empty() && performers[0].is_object()) {
        consent.set_obtained_by(
            String(performers[0], "display", entry.path + ".performer[0]").value_or(""));
        origins_.Record("referral.consent.obtained_by", entry.path + ".performer[0].display");
      }
      if (auto when = String(resource, "dateTime", entry.path)) {
        if (auto time = DateTime(*when, entry.path + ".dateTime")) {
          *consent.mutable_obtained_time() = *time;
          origins_.Record("referral.consent.obtained_time", entry.path + ".dateTime");
        }
      }
    } else if (entry.type == "Flag") {
      if (String(resource, "status", entry.path) != "active") continue;
      const std::string field =
          absl::StrCat("referral.safeguarding_flags[", referral_.safeguarding_flags_size(), "]");
      sprout::v1::SafeguardingFlag& flag = *referral_.add_safeguarding_flags();
      origins_.Record(field, entry.path);
      if (const json* code = Object(resource, "code", entry.path)) {
        const json& codings = Array(*code, "coding", entry.path + ".code");
        if (!codings.empty() && codings[0].is_object()) {
          flag.set_code(String(codings[0], "code", entry.path + ".code.coding[0]").value_or(""));
          origins_.Record(field + ".code", entry.path + ".code.coding[0].code");
        }
        flag.set_details(String(*code, "text", entry.path + ".code").value_or(""));
        origins_.Record(field + ".details", entry.path + ".code.text");
      }
    }
  }
}

}  // namespace sprout::fhir::internal
