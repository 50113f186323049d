#include "server/intake/validator.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "server/intake/field_checks.h"
#include "server/intake/identifiers.h"

namespace sprout::intake {
namespace {

using sprout::v1::Referral;

class Checker {
 public:
  Checker(const ValidationContext& context, int source, std::vector<FieldViolation>* out)
      : context_(context), source_(source), out_(out) {}

  void Add(std::string field, std::string description) {
    out_->push_back(FieldViolation{std::move(field), std::move(description), "", ""});
  }
  bool Text(const std::string& field, absl::string_view value, const TextRule& rule) {
    return CheckText(field, value, rule, out_);
  }
  void Patient(const sprout::v1::Patient& p);
  void NhsNumber(const sprout::v1::Patient& p);
  void BirthDate(const sprout::v1::Patient& p);
  void Address(const sprout::v1::Address& a);
  void Contact(const sprout::v1::ContactDetails& c);
  void Communication(const sprout::v1::CommunicationNeeds& c);
  void Referrer(const sprout::v1::Referrer& r);
  void Reasons(const Referral& r);
  void Consent(const Referral& r);
  void Safeguarding(const Referral& r);
  void Supporting(const sprout::v1::SupportingInformation& s);

  const ValidationContext& context() const { return context_; }

 private:
  const ValidationContext& context_;
  const int source_;  // referrer.source_type; its own rules are in source_rules.cc
  std::vector<FieldViolation>* out_;
};

constexpr char kPatient[] = "referral.patient";

void Checker::NhsNumber(const sprout::v1::Patient& p) {
  constexpr char field[] = "referral.patient.nhs_number";
  constexpr char status_field[] = "referral.patient.nhs_number_verification_status";
  constexpr char reason_field[] = "referral.patient.nhs_number_unavailable_reason";
  const bool has_number = !p.nhs_number().empty();
  const int status = p.nhs_number_verification_status();
  const int reason = p.nhs_number_unavailable_reason();
  if (has_number) {
    switch (CheckNhsNumber(p.nhs_number()).problem) {
      case NhsNumberProblem::kNone:
        break;
      case NhsNumberProblem::kEmpty:
      case NhsNumberProblem::kBadCharacter:
        Add(field,
            "the NHS number contains a character other than digits, spaces and hyphens; send "
            "the 10 digits");
        break;
      case NhsNumberProblem::kWrongLength:
        Add(field, "the NHS number does not have 10 digits; send all 10 digits");
        break;
      case NhsNumberProblem::kAllDigitsSame:
        Add(field,
            "the NHS number has all digits the same, which is never issued; send the person's "
            "real NHS number or leave it empty with an unavailable reason");
        break;
      case NhsNumberProblem::kCheckDigitTen:
      case NhsNumberProblem::kCheckDigitWrong:
        Add(field,
            "the NHS number's check digit is wrong (modulus 11); check the number against the "
            "patient record");
        break;
    }
  }
  if (!sprout::v1::NhsNumberVerificationStatus_IsValid(status)) {
    Add(status_field, "the verification status is not a known value; send a code from 01 to 08");
  } else if (has_number && status == 0) {
    Add(status_field,
        "the NHS number's verification status is missing; say whether the number was traced "
        "and verified on PDS (01 to 08)");
  } else if (has_number &&
             status == sprout::v1::NHS_NUMBER_VERIFICATION_STATUS_NOT_PRESENT_TRACE_NOT_REQUIRED) {
    Add(status_field,
        "the verification status says no number is present, but an NHS number is given; send "
        "the status that applies to the number");
  } else if (!has_number && (status == sprout::v1::NHS_NUMBER_VERIFICATION_STATUS_VERIFIED ||
                             status == sprout::v1::NHS_NUMBER_VERIFICATION_STATUS_NOT_TRACED)) {
    Add(status_field,
        "the verification status says a number is present, but no NHS number is given; send "
        "the number or a status that fits its absence");
  }
  if (!sprout::v1::NhsNumberUnavailableReason_IsValid(reason)) {
    Add(reason_field,
        "the unavailable reason is not a known value; send NOT_KNOWN, DECLINED or "
        "NOT_ISSUED");
  } else if (has_number && reason != 0) {
    Add(reason_field,
        "an unavailable reason is given with an NHS number; send either the number or the "
        "reason it is unavailable, not both");
  } else if (!has_number && reason == 0 && source_ != sprout::v1::SOURCE_TYPE_GP_PRACTICE) {
    Add(field,
        "the NHS number is missing; send it, or set nhs_number_unavailable_reason to say why "
        "there is none");
  }
}

void Checker::BirthDate(const sprout::v1::Patient& p) {
  constexpr char field[] = "referral.patient.birth_date";
  if (!p.has_birth_date()) {
    Add(field, "the date of birth is missing; send the person's date of birth");
    return;
  }
  std::optional<absl::CivilDay> dob = ToCivilDay(p.birth_date());
  if (!dob.has_value()) {
    Add(field, "the date of birth is not a real calendar date; check the year, month and day");
    return;
  }
  absl::CivilDay today = absl::ToCivilDay(context_.now, absl::UTCTimeZone());
  if (*dob > today) {
    Add(field, "the date of birth is in the future; check the year");
    return;
  }
  int age = static_cast<int>(today.year() - dob->year());
  if (today.month() < dob->month() || (today.month() == dob->month() && today.day() < dob->day())) {
    --age;
  }
  if (age > context_.limits.max_age_years) {
    Add(field, absl::StrCat("the date of birth gives an age over ", context_.limits.max_age_years,
                            " years; check the year"));
  }
}

void Checker::Address(const sprout::v1::Address& a) {
  constexpr absl::string_view base = "referral.patient.address";
  if (a.lines_size() > context_.limits.max_address_lines) {
    Add("referral.patient.address.lines",
        absl::StrCat("the address has more than ", context_.limits.max_address_lines,
                     " lines; combine lines so there are at most ",
                     context_.limits.max_address_lines));
  }
  for (int i = 0; i < a.lines_size() && i < context_.limits.max_address_lines; ++i) {
    Text(absl::StrCat(base, ".lines[", i, "]"), a.lines(i),
         {"the address line", 100, true, false, "remove the empty line"});
  }
  Text("referral.patient.address.town", a.town(), {"the town", 100});
  if (!a.postcode().empty() && !IsValidPostcode(a.postcode())) {
    Add("referral.patient.address.postcode",
        "the postcode is not a valid UK postcode; send it as on the address (e.g. \"LS1 4AP\"), "
        "or a pseudo-postcode such as ZZ99 3VZ for no fixed abode");
  }
}

void Checker::Contact(const sprout::v1::ContactDetails& c) {
  if (!c.phone().empty() && !IsUkPhoneNumber(c.phone())) {
    Add("referral.patient.contact.phone",
        "the phone number is not a UK number; send 10 or 11 digits starting 0, or +44 and the "
        "number without its leading 0");
  }
  if (!c.email().empty() && !IsEmailAddress(c.email())) {
    Add("referral.patient.contact.email",
        "the email address is not valid; send it as name@example.org");
  }
  int method = c.preferred_method();
  if (!sprout::v1::ContactMethod_IsValid(method)) {
    Add("referral.patient.contact.preferred_method",
        "the preferred contact method is not a known value; send PHONE, SMS, EMAIL, LETTER or "
        "VIA_REFERRER, or leave it unset");
  } else if ((method == sprout::v1::CONTACT_METHOD_PHONE ||
              method == sprout::v1::CONTACT_METHOD_SMS) &&
             c.phone().empty()) {
    Add("referral.patient.contact.phone",
        "the preferred contact method needs a phone number; send the phone number or choose "
        "another method");
  } else if (method == sprout::v1::CONTACT_METHOD_EMAIL && c.email().empty()) {
    Add("referral.patient.contact.email",
        "the preferred contact method is email but no email address is given; send the "
        "address or choose another method");
  }
  Text("referral.patient.contact.preferences", c.preferences(), {"the contact preferences", 200});
}

void Checker::Communication(const sprout::v1::CommunicationNeeds& c) {
  constexpr absl::string_view base = "referral.patient.communication";
  const std::string& lang = c.language();
  bool lang_ok = lang.size() == 2 && absl::ascii_islower(static_cast<unsigned char>(lang[0])) &&
                 absl::ascii_islower(static_cast<unsigned char>(lang[1]));
  if (!lang.empty() && !lang_ok) {
    Add("referral.patient.communication.language",
        "the language is not an ISO 639-1 code; send two lower-case letters such as \"pl\"");
  } else if (lang.empty() && c.interpreter_required()) {
    Add("referral.patient.communication.language",
        "an interpreter is required but no language is given; send the ISO 639-1 code of the "
        "person's language");
  }
  if (c.needs_size() > context_.limits.max_communication_needs) {
    Add("referral.patient.communication.needs",
        absl::StrCat("there are more than ", context_.limits.max_communication_needs,
                     " communication needs; combine them into at most ",
                     context_.limits.max_communication_needs));
  }
  for (int i = 0; i < c.needs_size() && i < context_.limits.max_communication_needs; ++i) {
    Text(absl::StrCat(base, ".needs[", i, "]"), c.needs(i),
         {"the communication need", 200, true, false, "remove the empty entry"});
  }
}

void Checker::Patient(const sprout::v1::Patient& p) {
  NhsNumber(p);
  Text("referral.patient.given_name", p.given_name(),
       {"the given name", 35, true, false, "send the person's given name"});
  Text("referral.patient.family_name", p.family_name(),
       {"the family name", 35, true, false, "send the person's family name"});
  BirthDate(p);
  Address(p.address());
  const std::string& practice = p.registered_practice_code();
  if (!practice.empty() && !IsGpPracticeCode(practice)) {
    Add("referral.patient.registered_practice_code",
        "the registered practice is not a GP practice ODS code; send 6 characters such as "
        "A81001, in upper case");
  }
  if (p.address().postcode().empty() && practice.empty() && !SourceNeedsPostcode(source_)) {
    Add("referral.patient.address.postcode",
        "neither a postcode nor a registered practice is given, so the referral cannot be "
        "routed; send the postcode (ZZ99 3VZ for no fixed abode) or the GP practice code");
  }
  if (!sprout::v1::Gender_IsValid(p.gender())) {
    Add("referral.patient.gender",
        "the gender is not a known value; send MALE, FEMALE, OTHER or UNKNOWN, or leave it unset");
  }
  Contact(p.contact());
  Communication(p.communication());
  const std::string& ethnic = p.ethnic_category();
  if (!ethnic.empty() && !(ethnic.size() == 1 && ethnic[0] >= 'A' && ethnic[0] <= 'Z')) {
    Add("referral.patient.ethnic_category",
        "the ethnic category is not an NHS ethnic category code; send one upper-case letter "
        "(A to Z)");
  }
}

void Checker::Referrer(const sprout::v1::Referrer& r) {
  if (!sprout::v1::SourceType_IsValid(r.source_type())) {
    Add("referral.referrer.source_type",
        "the source type is not a known value; send one of the "
        "SourceType values");
  } else if (r.source_type() == sprout::v1::SOURCE_TYPE_UNSPECIFIED) {
    Add("referral.referrer.source_type",
        "the source type is missing; say what kind of referrer this is (GP practice, police, "
        "self-referral...)");
  }
  const std::string& org = r.organisation_code();
  if (!org.empty() && !IsOdsCode(org) && !IsLocalAgencyId(org)) {
    Add("referral.referrer.organisation_code",
        "the organisation code is neither an ODS code nor a local agency id; send the ODS "
        "code in upper case (e.g. A81001) or \"kind:id\" (e.g. police:WYP)");
  }
  Text("referral.referrer.organisation_name", r.organisation_name(),
       {"the organisation name", 200});
  Text("referral.referrer.practitioner_name", r.practitioner_name(),
       {"the practitioner name", 100});
  Text("referral.referrer.practitioner_role", r.practitioner_role(),
       {"the practitioner role", 100});
  if (!r.callback_phone().empty() && !IsUkPhoneNumber(r.callback_phone())) {
    Add("referral.referrer.callback_phone",
        "the callback phone number is not a UK number; send 10 or 11 digits starting 0, or "
        "+44 and the number without its leading 0");
  }
  if (!r.source_code().empty()) {
    CheckSnomedCode("referral.referrer.source_code", r.source_code(), "the referral source code",
                    out_);
  }
  if (!r.callback_email().empty() && !IsEmailAddress(r.callback_email())) {
    Add("referral.referrer.callback_email",
        "the callback email address is not valid; send it as name@example.org");
  }
}

void Checker::Reasons(const Referral& r) {
  const int max = context_.limits.max_reasons;
  if (r.reasons_size() == 0) {
    Add("referral.reasons",
        "there are no reasons for referral; send at least one (a SNOMED code, a local code or "
        "free text)");
  } else if (r.reasons_size() > max) {
    Add("referral.reasons",
        absl::StrCat("there are more than ", max, " reasons; send the ", max, " most important"));
  }
  for (int i = 0; i < r.reasons_size() && i < max; ++i) {
    const sprout::v1::ReasonInput& reason = r.reasons(i);
    const std::string base = absl::StrCat("referral.reasons[", i, "]");
    switch (reason.reason_case()) {
      case sprout::v1::ReasonInput::kSnomedCode:
        CheckSnomedCode(base + ".snomed_code", reason.snomed_code(), "the reason code", out_);
        break;
      case sprout::v1::ReasonInput::kLocalCode: {
        const std::string& system = reason.local_code().system();
        bool system_ok =
            !system.empty() && system.size() <= 64 && system[0] >= 'a' && system[0] <= 'z';
        for (char c : system) {
          system_ok = system_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
        }
        if (system.empty()) {
          Add(base + ".local_code.system",
              "the local code system is missing; send the name of your code system, e.g. "
              "police-vulnerability");
        } else if (!system_ok) {
          Add(base + ".local_code.system",
              "the local code system is not a code system name; use lower-case letters, digits "
              "and hyphens (at most 64), e.g. housing-needs");
        }
        Text(base + ".local_code.code", reason.local_code().code(),
             {"the local code", 64, true, false, "send the code from your code system"});
        break;
      }
      case sprout::v1::ReasonInput::kFreeText:
        Text(base + ".free_text", reason.free_text(),
             {"the free-text reason", 500, true, false, "describe the reason in a few words"});
        break;
      case sprout::v1::ReasonInput::REASON_NOT_SET:
        Add(base, "the reason is empty; set exactly one of snomed_code, local_code or free_text");
        break;
    }
  }
}

void Checker::Consent(const Referral& r) {
  if (!r.has_consent()) {
    Add("referral.consent",
        "consent is missing; social prescribing needs the person's agreement to the referral "
        "and to information sharing");
    return;
  }
  const sprout::v1::Consent& c = r.consent();
  if (!c.referral_agreed()) {
    Add("referral.consent.referral_agreed",
        "the person has not agreed to the referral; ask them first, then set referral_agreed");
  }
  if (!c.information_sharing_agreed()) {
    Add("referral.consent.information_sharing_agreed",
        "the person has not agreed to information sharing with the link worker service; ask "
        "them first, then set information_sharing_agreed");
  }
  Text("referral.consent.obtained_by", c.obtained_by(), {"who obtained consent", 100});
  if (c.has_obtained_time()) {
    CheckTimestampNotFuture("referral.consent.obtained_time", c.obtained_time(), "the consent time",
                            context_.now, context_.limits.clock_skew, out_);
  }
  Text("referral.consent.limitations", c.limitations(),
       {"the consent limitations", 500, false, true});
}

void Checker::Safeguarding(const Referral& r) {
  const int max = context_.limits.max_safeguarding_flags;
  if (r.safeguarding_flags_size() > max) {
    Add("referral.safeguarding_flags",
        absl::StrCat("there are more than ", max, " safeguarding flags; send at most ", max));
  }
  for (int i = 0; i < r.safeguarding_flags_size() && i < max; ++i) {
    const std::string base = absl::StrCat("referral.safeguarding_flags[", i, "]");
    CheckSnomedCode(base + ".code", r.safeguarding_flags(i).code(), "the safeguarding code", out_);
    Text(base + ".details", r.safeguarding_flags(i).details(),
         {"the safeguarding details", 500, false, true});
  }
}

void Checker::Supporting(const sprout::v1::SupportingInformation& s) {
  constexpr absl::string_view base = "referral.supporting_information";
  const int max = context_.limits.max_condition_codes;
  if (s.condition_codes_size() > max) {
    Add("referral.supporting_information.condition_codes",
        absl::StrCat("there are more than ", max, " condition codes; send at most ", max));
  }
  for (int i = 0; i < s.condition_codes_size() && i < max; ++i) {
    CheckSnomedCode(absl::StrCat(base, ".condition_codes[", i, "]"), s.condition_codes(i),
                    "the condition code", out_);
  }
  Text("referral.supporting_information.household", s.household(),
       {"the household description", 200});
  Text("referral.supporting_information.risk_to_staff", s.risk_to_staff(),
       {"the risk to staff", 500, false, true});
  Text("referral.supporting_information.notes", s.notes(), {"the notes", 2000, false, true});
}

}  // namespace

std::vector<FieldViolation> ValidateReferral(const Referral& referral,
                                             const ValidationContext& context) {
  std::vector<FieldViolation> out;
  Checker check(context, referral.referrer().source_type(), &out);
  size_t bytes = referral.ByteSizeLong();
  if (bytes > context.limits.max_referral_bytes) {
    check.Add("referral",
              absl::StrCat("the referral is larger than ", context.limits.max_referral_bytes,
                           " bytes; shorten the free-text fields"));
  }
  if (referral.has_patient()) {
    check.Patient(referral.patient());
  } else {
    check.Add(kPatient, "the patient is missing; send the person being referred");
  }
  if (referral.has_referrer()) {
    check.Referrer(referral.referrer());
  } else {
    check.Add("referral.referrer", "the referrer is missing; say who is referring");
  }
  int priority = referral.priority();
  if (!sprout::v1::Priority_IsValid(priority)) {
    check.Add("referral.priority", "the priority is not a known value; send ROUTINE or URGENT");
  } else if (priority == sprout::v1::PRIORITY_UNSPECIFIED) {
    check.Add("referral.priority", "the priority is missing; send ROUTINE or URGENT");
  } else if (priority == sprout::v1::PRIORITY_URGENT && referral.priority_reason().empty()) {
    check.Add("referral.priority_reason",
              "an urgent referral needs a reason; say why it is urgent, or send ROUTINE");
  }
  check.Text("referral.priority_reason", referral.priority_reason(),
             {"the priority reason", 500, false, true});
  check.Reasons(referral);
  check.Text("referral.what_matters_to_me", referral.what_matters_to_me(),
             {"what matters to the person", 2000, false, true});
  check.Consent(referral);
  check.Safeguarding(referral);
  check.Supporting(referral.supporting_information());
  if (referral.has_contact_by_date()) {
    std::optional<absl::CivilDay> by = ToCivilDay(referral.contact_by_date());
    if (!by.has_value()) {
      check.Add("referral.contact_by_date",
                "the contact-by date is not a real calendar date; check the year, month and day");
    } else if (*by < absl::ToCivilDay(context.now, absl::UTCTimeZone())) {
      check.Add("referral.contact_by_date",
                "the contact-by date is in the past; send today or a later date, or leave it "
                "empty");
    }
  }
  if (referral.has_authored_time()) {
    CheckTimestampNotFuture("referral.authored_time", referral.authored_time(), "the authored time",
                            context.now, context.limits.clock_skew, &out);
  }
  ValidateSourceRules(referral, context, &out);
  return out;
}

}  // namespace sprout::intake
