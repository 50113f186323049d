#include "server/intake/validator.h"

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/intake/test_referrals.h"

namespace sprout::intake {
namespace {

using ::sprout::intake::testing::TestNow;
using ::sprout::intake::testing::ValidGpReferral;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

ValidationContext Context() {
  ValidationContext c;
  c.now = TestNow();
  return c;
}

// One row per rule: a valid referral made wrong in exactly one field, and the
// single violation that must come back.
struct Row {
  const char* name;
  std::function<void(sprout::v1::Referral*)> break_it;
  const char* field;
  const char* description;
};

sprout::v1::Patient* P(sprout::v1::Referral* r) { return r->mutable_patient(); }

const std::vector<Row>& Rows() {
  static const auto* rows = new std::vector<Row>{
      // NHS number and its status.
      {"NhsNumberBadCharacter", [](auto* r) { P(r)->set_nhs_number("94347659I9"); },
       "referral.patient.nhs_number",
       "the NHS number contains a character other than digits, spaces and hyphens; send the 10 "
       "digits"},
      {"NhsNumberTooShort", [](auto* r) { P(r)->set_nhs_number("943476591"); },
       "referral.patient.nhs_number", "the NHS number does not have 10 digits; send all 10 digits"},
      {"NhsNumberAllSame", [](auto* r) { P(r)->set_nhs_number("0000000000"); },
       "referral.patient.nhs_number",
       "the NHS number has all digits the same, which is never issued; send the person's real "
       "NHS number or leave it empty with an unavailable reason"},
      {"NhsNumberCheckDigitWrong", [](auto* r) { P(r)->set_nhs_number("9434765918"); },
       "referral.patient.nhs_number",
       "the NHS number's check digit is wrong (modulus 11); check the number against the "
       "patient record"},
      {"NhsNumberCheckDigitTen", [](auto* r) { P(r)->set_nhs_number("1000000010"); },
       "referral.patient.nhs_number",
       "the NHS number's check digit is wrong (modulus 11); check the number against the "
       "patient record"},
      {"VerificationStatusMissing", [](auto* r) { P(r)->clear_nhs_number_verification_status(); },
       "referral.patient.nhs_number_verification_status",
       "the NHS number's verification status is missing; say whether the number was traced and "
       "verified on PDS (01 to 08)"},
      {"VerificationStatusSaysAbsent",
       [](auto* r) {
         P(r)->set_nhs_number_verification_status(
             sprout::v1::NHS_NUMBER_VERIFICATION_STATUS_NOT_PRESENT_TRACE_NOT_REQUIRED);
       },
       "referral.patient.nhs_number_verification_status",
       "the verification status says no number is present, but an NHS number is given; send the "
       "status that applies to the number"},
      {"VerificationStatusUnknownValue",
       [](auto* r) {
         P(r)->set_nhs_number_verification_status(
             static_cast<sprout::v1::NhsNumberVerificationStatus>(99));
       },
       "referral.patient.nhs_number_verification_status",
       "the verification status is not a known value; send a code from 01 to 08"},
      {"UnavailableReasonWithNumber",
       [](auto* r) {
         P(r)->set_nhs_number_unavailable_reason(
             sprout::v1::NHS_NUMBER_UNAVAILABLE_REASON_DECLINED);
       },
       "referral.patient.nhs_number_unavailable_reason",
       "an unavailable reason is given with an NHS number; send either the number or the reason "
       "it is unavailable, not both"},
      // Names.
      {"GivenNameMissing", [](auto* r) { P(r)->set_given_name(" "); },
       "referral.patient.given_name", "the given name is missing; send the person's given name"},
      {"GivenNameTooLong", [](auto* r) { P(r)->set_given_name(std::string(36, 'a')); },
       "referral.patient.given_name",
       "the given name is longer than 35 characters; shorten it to at most 35"},
      {"GivenNameControlCharacter", [](auto* r) { P(r)->set_given_name("Mari\x01gold"); },
       "referral.patient.given_name",
       "the given name contains a control character; remove it (line breaks and tabs are not "
       "allowed here)"},
      {"GivenNameLineBreak", [](auto* r) { P(r)->set_given_name("Mari\ngold"); },
       "referral.patient.given_name",
       "the given name contains a control character; remove it (line breaks and tabs are not "
       "allowed here)"},
      {"GivenNameNotUtf8", [](auto* r) { P(r)->set_given_name("Mari\xC3\x28gold"); },
       "referral.patient.given_name",
       "the given name is not valid UTF-8; send the text encoded as UTF-8"},
      {"FamilyNameMissing", [](auto* r) { P(r)->clear_family_name(); },
       "referral.patient.family_name", "the family name is missing; send the person's family name"},
      // Birth date.
      {"BirthDateMissing", [](auto* r) { P(r)->clear_birth_date(); }, "referral.patient.birth_date",
       "the date of birth is missing; send the person's date of birth"},
      {"BirthDateNotReal",
       [](auto* r) {
         P(r)->mutable_birth_date()->set_year(2023);
         P(r)->mutable_birth_date()->set_month(2);
         P(r)->mutable_birth_date()->set_day(29);
       },
       "referral.patient.birth_date",
       "the date of birth is not a real calendar date; check the year, month and day"},
      {"BirthDateInFuture", [](auto* r) { P(r)->mutable_birth_date()->set_year(2027); },
       "referral.patient.birth_date", "the date of birth is in the future; check the year"},
      {"AgeOver120", [](auto* r) { P(r)->mutable_birth_date()->set_year(1900); },
       "referral.patient.birth_date",
       "the date of birth gives an age over 120 years; check the year"},
      // Address.
      {"PostcodeInvalid", [](auto* r) { P(r)->mutable_address()->set_postcode("LS2 7CE"); },
       "referral.patient.address.postcode",
       "the postcode is not a valid UK postcode; send it as on the address (e.g. \"LS1 4AP\"), "
       "or a pseudo-postcode such as ZZ99 3VZ for no fixed abode"},
      {"TooManyAddressLines",
       [](auto* r) {
         for (int i = 0; i < 5; ++i) P(r)->mutable_address()->add_lines("line");
       },
       "referral.patient.address.lines",
       "the address has more than 5 lines; combine lines so there are at most 5"},
      {"EmptyAddressLine", [](auto* r) { P(r)->mutable_address()->add_lines(""); },
       "referral.patient.address.lines[1]", "the address line is missing; remove the empty line"},
      {"TownTooLong", [](auto* r) { P(r)->mutable_address()->set_town(std::string(101, 'x')); },
       "referral.patient.address.town",
       "the town is longer than 100 characters; shorten it to at most 100"},
      {"PracticeCodeInvalid", [](auto* r) { P(r)->set_registered_practice_code("Z86001"); },
       "referral.patient.registered_practice_code",
       "the registered practice is not a GP practice ODS code; send 6 characters such as A81001, "
       "in upper case"},
      {"GenderUnknownValue", [](auto* r) { P(r)->set_gender(static_cast<sprout::v1::Gender>(42)); },
       "referral.patient.gender",
       "the gender is not a known value; send MALE, FEMALE, OTHER or UNKNOWN, or leave it unset"},
      {"PreferredMethodUnknownValue",
       [](auto* r) {
         P(r)->mutable_contact()->set_preferred_method(static_cast<sprout::v1::ContactMethod>(9));
       },
       "referral.patient.contact.preferred_method",
       "the preferred contact method is not a known value; send PHONE, SMS, EMAIL, LETTER or "
       "VIA_REFERRER, or leave it unset"},
      // Contact and communication.
      {"PhoneInvalid", [](auto* r) { P(r)->mutable_contact()->set_phone("12345"); },
       "referral.patient.contact.phone",
       "the phone number is not a UK number; send 10 or 11 digits starting 0, or +44 and the "
       "number without its leading 0"},
      {"EmailInvalid", [](auto* r) { P(r)->mutable_contact()->set_email("marigold@"); },
       "referral.patient.contact.email",
       "the email address is not valid; send it as name@example.org"},
      {"PreferredSmsWithoutPhone",
       [](auto* r) {
         P(r)->mutable_contact()->clear_phone();
         P(r)->mutable_contact()->set_email("m.f@example.org");
         P(r)->mutable_contact()->set_preferred_method(sprout::v1::CONTACT_METHOD_SMS);
       },
       "referral.patient.contact.phone",
       "the preferred contact method needs a phone number; send the phone number or choose "
       "another method"},
      {"PreferredEmailWithoutEmail",
       [](auto* r) {
         P(r)->mutable_contact()->set_preferred_method(sprout::v1::CONTACT_METHOD_EMAIL);
       },
       "referral.patient.contact.email",
       "the preferred contact method is email but no email address is given; send the address "
       "or choose another method"},
      {"LanguageNotIso", [](auto* r) { P(r)->mutable_communication()->set_language("Polish"); },
       "referral.patient.communication.language",
       "the language is not an ISO 639-1 code; send two lower-case letters such as \"pl\""},
      {"InterpreterWithoutLanguage",
       [](auto* r) { P(r)->mutable_communication()->set_interpreter_required(true); },
       "referral.patient.communication.language",
       "an interpreter is required but no language is given; send the ISO 639-1 code of the "
       "person's language"},
      {"EthnicCategoryInvalid", [](auto* r) { P(r)->set_ethnic_category("ZZ"); },
       "referral.patient.ethnic_category",
       "the ethnic category is not an NHS ethnic category code; send one upper-case letter (A "
       "to Z)"},
      // Referrer.
      {"ReferrerMissing", [](auto* r) { r->clear_referrer(); }, "referral.referrer",
       "the referrer is missing; say who is referring"},
      {"SourceTypeMissing", [](auto* r) { r->mutable_referrer()->clear_source_type(); },
       "referral.referrer.source_type",
       "the source type is missing; say what kind of referrer this is (GP practice, police, "
       "self-referral...)"},
      {"SourceTypeUnknownValue",
       [](auto* r) {
         r->mutable_referrer()->set_source_type(static_cast<sprout::v1::SourceType>(99));
       },
       "referral.referrer.source_type",
       "the source type is not a known value; send one of the SourceType values"},
      {"OrganisationCodeMalformed",
       [](auto* r) { r->mutable_referrer()->set_organisation_code("park row"); },
       "referral.referrer.organisation_code",
       "the organisation code is neither an ODS code nor a local agency id; send the ODS code in "
       "upper case (e.g. A81001) or \"kind:id\" (e.g. police:WYP)"},
      {"PractitionerNameTooLong",
       [](auto* r) { r->mutable_referrer()->set_practitioner_name(std::string(101, 'x')); },
       "referral.referrer.practitioner_name",
       "the practitioner name is longer than 100 characters; shorten it to at most 100"},
      {"CallbackPhoneInvalid",
       [](auto* r) { r->mutable_referrer()->set_callback_phone("+1 555 0100"); },
       "referral.referrer.callback_phone",
       "the callback phone number is not a UK number; send 10 or 11 digits starting 0, or +44 "
       "and the number without its leading 0"},
      {"CallbackEmailInvalid",
       [](auto* r) { r->mutable_referrer()->set_callback_email("surgery at nhs"); },
       "referral.referrer.callback_email",
       "the callback email address is not valid; send it as name@example.org"},
      {"SourceCodeNotASctid", [](auto* r) { r->mutable_referrer()->set_source_code("185369009"); },
       "referral.referrer.source_code",
       "the referral source code has a wrong check digit (Verhoeff); check the code for a "
       "mistyped or swapped digit"},
      // Priority.
      {"PriorityMissing", [](auto* r) { r->clear_priority(); }, "referral.priority",
       "the priority is missing; send ROUTINE or URGENT"},
      {"PriorityUnknownValue",
       [](auto* r) { r->set_priority(static_cast<sprout::v1::Priority>(7)); }, "referral.priority",
       "the priority is not a known value; send ROUTINE or URGENT"},
      {"UrgentWithoutReason", [](auto* r) { r->set_priority(sprout::v1::PRIORITY_URGENT); },
       "referral.priority_reason",
       "an urgent referral needs a reason; say why it is urgent, or send ROUTINE"},
      // Reasons.
      {"NoReasons", [](auto* r) { r->clear_reasons(); }, "referral.reasons",
       "there are no reasons for referral; send at least one (a SNOMED code, a local code or "
       "free text)"},
      {"TooManyReasons",
       [](auto* r) {
         for (int i = 0; i < 19; ++i) r->add_reasons()->set_snomed_code("267076002");
       },
       "referral.reasons", "there are more than 20 reasons; send the 20 most important"},
      {"ReasonEmpty", [](auto* r) { r->add_reasons(); }, "referral.reasons[2]",
       "the reason is empty; set exactly one of snomed_code, local_code or free_text"},
      {"SnomedCodeNotDigits", [](auto* r) { r->mutable_reasons(0)->set_snomed_code("26707600x"); },
       "referral.reasons[0].snomed_code",
       "the reason code contains a character that is not a digit; a SNOMED CT concept id is "
       "digits only, with no spaces or terms"},
      {"SnomedCodeTooShort", [](auto* r) { r->mutable_reasons(0)->set_snomed_code("12345"); },
       "referral.reasons[0].snomed_code",
       "the reason code does not have 6 to 18 digits; send the full SNOMED CT concept id"},
      {"SnomedCodeLeadingZero",
       [](auto* r) { r->mutable_reasons(0)->set_snomed_code("0267076002"); },
       "referral.reasons[0].snomed_code",
       "the reason code starts with 0; a SNOMED CT id never has a leading zero"},
      {"SnomedCodeBadPartition",
       [](auto* r) { r->mutable_reasons(0)->set_snomed_code("1234567890"); },
       "referral.reasons[0].snomed_code",
       "the reason code has a partition (2nd and 3rd digits from the right) that does not exist; "
       "check the code was copied in full"},
      {"SnomedCodeIsDescriptionId",
       [](auto* r) { r->mutable_reasons(0)->set_snomed_code("100005014"); },
       "referral.reasons[0].snomed_code",
       "the reason code is a description id, not a concept id; send the concept id"},
      {"SnomedCodeVerhoeff", [](auto* r) { r->mutable_reasons(0)->set_snomed_code("267076003"); },
       "referral.reasons[0].snomed_code",
       "the reason code has a wrong check digit (Verhoeff); check the code for a mistyped or "
       "swapped digit"},
      {"LocalCodeSystemMissing",
       [](auto* r) { r->mutable_reasons(0)->mutable_local_code()->set_code("PV-ISOL"); },
       "referral.reasons[0].local_code.system",
       "the local code system is missing; send the name of your code system, e.g. "
       "police-vulnerability"},
      {"LocalCodeSystemMalformed",
       [](auto* r) {
         auto* c = r->mutable_reasons(0)->mutable_local_code();
         c->set_system("Police Vulnerability");
         c->set_code("PV-ISOL");
       },
       "referral.reasons[0].local_code.system",
       "the local code system is not a code system name; use lower-case letters, digits and "
       "hyphens (at most 64), e.g. housing-needs"},
      {"LocalCodeMissing",
       [](auto* r) {
         r->mutable_reasons(0)->mutable_local_code()->set_system("police-vulnerability");
       },
       "referral.reasons[0].local_code.code",
       "the local code is missing; send the code from your code system"},
      {"FreeTextBlank", [](auto* r) { r->mutable_reasons(1)->set_free_text("  "); },
       "referral.reasons[1].free_text",
       "the free-text reason is missing; describe the reason in a few words"},
      {"FreeTextTooLong",
       [](auto* r) { r->mutable_reasons(1)->set_free_text(std::string(501, 'x')); },
       "referral.reasons[1].free_text",
       "the free-text reason is longer than 500 characters; shorten it to at most 500"},
      {"WhatMattersTooLong", [](auto* r) { r->set_what_matters_to_me(std::string(2001, 'x')); },
       "referral.what_matters_to_me",
       "what matters to the person is longer than 2000 characters; shorten it to at most 2000"},
      // Consent.
      {"ConsentMissing", [](auto* r) { r->clear_consent(); }, "referral.consent",
       "consent is missing; social prescribing needs the person's agreement to the referral and "
       "to information sharing"},
      {"ReferralNotAgreed", [](auto* r) { r->mutable_consent()->set_referral_agreed(false); },
       "referral.consent.referral_agreed",
       "the person has not agreed to the referral; ask them first, then set referral_agreed"},
      {"SharingNotAgreed",
       [](auto* r) { r->mutable_consent()->set_information_sharing_agreed(false); },
       "referral.consent.information_sharing_agreed",
       "the person has not agreed to information sharing with the link worker service; ask them "
       "first, then set information_sharing_agreed"},
      {"ConsentTimeInFuture",
       [](auto* r) {
         r->mutable_consent()->mutable_obtained_time()->set_seconds(
             absl::ToUnixSeconds(TestNow() + absl::Hours(2)));
       },
       "referral.consent.obtained_time",
       "the consent time is in the future; send the time it happened (at most 5m ahead of the "
       "server clock is tolerated)"},
      // Safeguarding and supporting information.
      {"TooManySafeguardingFlags",
       [](auto* r) {
         for (int i = 0; i < 11; ++i) r->add_safeguarding_flags()->set_code("417430008");
       },
       "referral.safeguarding_flags", "there are more than 10 safeguarding flags; send at most 10"},
      {"SafeguardingCodeInvalid",
       [](auto* r) { r->add_safeguarding_flags()->set_code("1054321000000100"); },
       "referral.safeguarding_flags[0].code",
       "the safeguarding code has a wrong check digit (Verhoeff); check the code for a mistyped "
       "or swapped digit"},
      {"ConditionCodeInvalid",
       [](auto* r) { r->mutable_supporting_information()->add_condition_codes("44054006x"); },
       "referral.supporting_information.condition_codes[0]",
       "the condition code contains a character that is not a digit; a SNOMED CT concept id is "
       "digits only, with no spaces or terms"},
      {"TooManyConditionCodes",
       [](auto* r) {
         for (int i = 0; i < 21; ++i) {
           r->mutable_supporting_information()->add_condition_codes("73211009");
         }
       },
       "referral.supporting_information.condition_codes",
       "there are more than 20 condition codes; send at most 20"},
      {"NotesTooLong",
       [](auto* r) { r->mutable_supporting_information()->set_notes(std::string(2001, 'n')); },
       "referral.supporting_information.notes",
       "the notes is longer than 2000 characters; shorten it to at most 2000"},
      // Times.
      {"ContactByDateNotReal",
       [](auto* r) {
         r->mutable_contact_by_date()->set_year(2026);
         r->mutable_contact_by_date()->set_month(11);
         r->mutable_contact_by_date()->set_day(31);
       },
       "referral.contact_by_date",
       "the contact-by date is not a real calendar date; check the year, month and day"},
      {"ContactByDateInPast",
       [](auto* r) {
         r->mutable_contact_by_date()->set_year(2026);
         r->mutable_contact_by_date()->set_month(11);
         r->mutable_contact_by_date()->set_day(20);
       },
       "referral.contact_by_date",
       "the contact-by date is in the past; send today or a later date, or leave it empty"},
      {"AuthoredInFuture",
       [](auto* r) {
         r->mutable_authored_time()->set_seconds(absl::ToUnixSeconds(TestNow() + absl::Minutes(6)));
       },
       "referral.authored_time",
       "the authored time is in the future; send the time it happened (at most 5m ahead of the "
       "server clock is tolerated)"},
      {"AuthoredTimeInvalid", [](auto* r) { r->mutable_authored_time()->set_nanos(-1); },
       "referral.authored_time",
       "the authored time is not a valid timestamp; send seconds between years 1 and 9999 and "
       "nanos from 0 to 999999999"},
  };
  return *rows;
}

class OneFieldWrongTest : public ::testing::TestWithParam<Row> {};

TEST_P(OneFieldWrongTest, ReturnsExactlyTheExpectedViolation) {
  sprout::v1::Referral referral = ValidGpReferral();
  GetParam().break_it(&referral);
  EXPECT_THAT(ValidateReferral(referral, Context()),
              ElementsAre(FieldViolation{GetParam().field, GetParam().description, "", ""}));
}

INSTANTIATE_TEST_SUITE_P(Rules, OneFieldWrongTest, ::testing::ValuesIn(Rows()),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           return std::string(info.param.name);
                         });

TEST(ValidatorTest, ValidReferralHasNoViolations) {
  EXPECT_THAT(ValidateReferral(ValidGpReferral(), Context()), IsEmpty());
}

TEST(ValidatorTest, AuthoredWithinClockSkewIsAccepted) {
  sprout::v1::Referral r = ValidGpReferral();
  r.mutable_authored_time()->set_seconds(absl::ToUnixSeconds(TestNow() + absl::Minutes(4)));
  EXPECT_THAT(ValidateReferral(r, Context()), IsEmpty());
}

TEST(ValidatorTest, BirthdayTodayAtAge120IsAccepted) {
  sprout::v1::Referral r = ValidGpReferral();
  r.mutable_patient()->mutable_birth_date()->set_year(1906);
  r.mutable_patient()->mutable_birth_date()->set_month(11);
  r.mutable_patient()->mutable_birth_date()->set_day(21);
  EXPECT_THAT(ValidateReferral(r, Context()), IsEmpty());
  r.mutable_patient()->mutable_birth_date()->set_day(20);  // 120 and a day: still 120
  EXPECT_THAT(ValidateReferral(r, Context()), IsEmpty());
  r.mutable_patient()->mutable_birth_date()->set_year(1905);  // 121
  EXPECT_EQ(ValidateReferral(r, Context()).size(), 1u);
}

TEST(ValidatorTest, PseudoPostcodeAndUnicodeNamesAreAccepted) {
  sprout::v1::Referral r = ValidGpReferral();
  r.mutable_patient()->mutable_address()->set_postcode("zz99 3vz");
  r.mutable_patient()->set_given_name("Zoë-Łucja");
  // 35 characters, more than 35 bytes.
  r.mutable_patient()->set_family_name("Ó'Súilleabháin-Ñúñez-Ærøskøbingsøn");
  EXPECT_THAT(ValidateReferral(r, Context()), IsEmpty());
}

TEST(ValidatorTest, SizeLimitIsEnforced) {
  ValidationContext context = Context();
  context.limits.max_referral_bytes = 100;
  EXPECT_THAT(ValidateReferral(ValidGpReferral(), context),
              ElementsAre(FieldViolation{
                  "referral", "the referral is larger than 100 bytes; shorten the free-text fields",
                  "", ""}));
}

TEST(ValidatorTest, ManyWrongFieldsAreAllReportedInFieldOrder) {
  sprout::v1::Referral r = ValidGpReferral();
  r.mutable_patient()->set_nhs_number("9434765918");
  r.mutable_patient()->clear_family_name();
  r.mutable_patient()->mutable_address()->set_postcode("LS2 7CE");
  r.clear_priority();
  r.mutable_reasons(0)->set_snomed_code("267076003");
  r.mutable_consent()->set_referral_agreed(false);
  std::vector<FieldViolation> v = ValidateReferral(r, Context());
  std::vector<std::string> fields;
  for (const FieldViolation& f : v) fields.push_back(f.field);
  EXPECT_THAT(fields,
              ElementsAre("referral.patient.nhs_number", "referral.patient.family_name",
                          "referral.patient.address.postcode", "referral.priority",
                          "referral.reasons[0].snomed_code", "referral.consent.referral_agreed"));
}

TEST(ValidatorTest, EmptyReferralReportsEveryMissingPart) {
  std::vector<FieldViolation> v = ValidateReferral(sprout::v1::Referral(), Context());
  std::vector<std::string> fields;
  for (const FieldViolation& f : v) fields.push_back(f.field);
  EXPECT_THAT(fields, ElementsAre("referral.patient", "referral.referrer", "referral.priority",
                                  "referral.reasons", "referral.consent"));
}

TEST(ValidatorTest, DescriptionsNeverContainPatientData) {
  sprout::v1::Referral r = ValidGpReferral();
  r.mutable_patient()->set_nhs_number("943 476 5918");
  r.mutable_patient()->set_given_name(std::string(testing::kTestGivenName) + std::string(40, 'x'));
  r.mutable_patient()->set_family_name(std::string(testing::kTestFamilyName) + "\x01");
  r.mutable_patient()->mutable_address()->set_postcode("LS2 7CE");
  r.mutable_patient()->mutable_contact()->set_phone("0113 496 01");
  r.mutable_patient()->mutable_contact()->set_email("marigold.featherstonehaugh@");
  std::vector<FieldViolation> v = ValidateReferral(r, Context());
  ASSERT_EQ(v.size(), 6u);
  for (const FieldViolation& f : v) {
    for (const char* secret :
         {"9434765918", "943 476 5918", "5918", testing::kTestGivenName, testing::kTestFamilyName,
          "LS2 7CE", "LS27CE", "0113", "featherstonehaugh", "Marigold"}) {
      EXPECT_EQ(f.description.find(secret), std::string::npos) << f.field;
    }
  }
}

}  // namespace
}  // namespace sprout::intake
