// The rules that depend on who is referring (validator.h, ValidateSourceRules):
// one row per kind of referrer saying what it really knows, so it must send.
#include <optional>

#include "absl/strings/str_cat.h"
#include "server/intake/field_checks.h"
#include "server/intake/identifiers.h"
#include "server/intake/validator.h"

namespace sprout::intake {
namespace {

// How far ahead a planned discharge may be. A past date is accepted: a team
// may refer weeks after discharge, at a follow-up call.
constexpr int kMaxDischargeDaysAhead = 30;

// Which organisation code a kind of referrer must give.
enum class Organisation {
  kAny,          // an ODS code or a local agency id ("police:WYP", "vcse:...")
  kGpPractice,   // a GP practice ODS code
  kPharmacy,     // a community pharmacy ODS code
  kNhsTrust,     // an NHS trust ODS code ("RR8")
  kOdsProvider,  // any ODS code: an NHS trust or another NHS-commissioned provider
};

// What a kind of referrer must send. A field not named is optional for it.
struct SourceRequirements {
  // "a GP referral": the subject of every sentence below.
  const char* referral;
  Organisation organisation = Organisation::kAny;
  // The referring practitioner's name.
  bool practitioner_name = false;
  // The patient's NHS number itself; no unavailable reason is accepted.
  bool nhs_number = false;
  // An NHS service that can trace the number on the Personal Demographics
  // Service: "not known" is not accepted, "declined" and "not issued" are.
  bool nhs_number_traceable = false;
  bool registered_practice = false;
  // The patient's postcode (a registered practice does not stand in for it).
  bool postcode = false;
  // A phone, email or postal address for the person.
  bool person_contact = false;
  // DischargeDetails.
  bool discharge = false;
};

// One row per SourceType. The reasons are in the comments; client/examples/
// has a referral from each that meets its row.
std::optional<SourceRequirements> RequirementsFor(int source) {
  SourceRequirements r;
  switch (source) {
    case sprout::v1::SOURCE_TYPE_GP_PRACTICE:
      // The practice record has everything; routing is by the practice.
      r.referral = "a GP referral";
      r.organisation = Organisation::kGpPractice;
      r.practitioner_name = r.nhs_number = r.registered_practice = true;
      return r;
    case sprout::v1::SOURCE_TYPE_COMMUNITY_PHARMACY:
      // A pharmacy knows its own ODS code and usually, not always, the
      // registered practice (from the prescription).
      r.referral = "a pharmacy referral";
      r.organisation = Organisation::kPharmacy;
      return r;
    case sprout::v1::SOURCE_TYPE_POLICE:
      // An officer often has no NHS number, but knows where the person lives.
      r.referral = "a police referral";
      r.postcode = true;
      return r;
    case sprout::v1::SOURCE_TYPE_FIRE_AND_RESCUE:
      // A Safe and Well visit is made at the person's home.
      r.referral = "a fire and rescue referral";
      r.postcode = true;
      return r;
    case sprout::v1::SOURCE_TYPE_HOUSING_PROVIDER:
      r.referral = "a housing referral";
      r.postcode = true;
      return r;
    case sprout::v1::SOURCE_TYPE_JOB_CENTRE:
      // A work coach has the claimant's address and phone, not the NHS number.
      r.referral = "a job centre referral";
      r.postcode = r.person_contact = true;
      return r;
    case sprout::v1::SOURCE_TYPE_LOCAL_AUTHORITY:
      // Adult social care assesses people where they live.
      r.referral = "a social care referral";
      r.postcode = true;
      return r;
    case sprout::v1::SOURCE_TYPE_HOSPITAL_DISCHARGE:
      // The trust's patient administration system holds the traced NHS
      // number and the registered practice; the team knows ward and date.
      r.referral = "a hospital discharge referral";
      r.organisation = Organisation::kNhsTrust;
      r.nhs_number_traceable = r.registered_practice = r.discharge = true;
      return r;
    case sprout::v1::SOURCE_TYPE_MENTAL_HEALTH_SERVICE:
      // An NHS service with the care record; a named clinician refers.
      r.referral = "a mental health service referral";
      r.organisation = Organisation::kOdsProvider;
      r.practitioner_name = r.nhs_number_traceable = true;
      return r;
    case sprout::v1::SOURCE_TYPE_COMMUNITY_HEALTH_SERVICE:
      r.referral = "a community health service referral";
      r.organisation = Organisation::kOdsProvider;
      r.nhs_number_traceable = true;
      return r;
    case sprout::v1::SOURCE_TYPE_VCSE:
      // A voluntary group may meet someone at a drop-in: it may know neither
      // NHS number nor address, but must be able to pass on how to reach them.
      r.referral = "a VCSE referral";
      r.person_contact = true;
      return r;
    case sprout::v1::SOURCE_TYPE_SELF_REFERRAL:
      r.referral = "a self-referral";
      r.person_contact = true;
      return r;
    default:
      return std::nullopt;  // unset or unknown: reported as a source_type violation
  }
}

class SourceChecker {
 public:
  SourceChecker(const SourceRequirements& needs, const ValidationContext& context,
                std::vector<FieldViolation>* out)
      : needs_(needs), context_(context), out_(out) {}

  void Add(std::string field, absl::string_view what) {
    out_->push_back(FieldViolation{std::move(field), absl::StrCat(needs_.referral, what), "", ""});
  }

  void Referrer(const sprout::v1::Referrer& referrer);
  void Patient(const sprout::v1::Patient& patient);
  void Discharge(const sprout::v1::Referral& referral);

 private:
  const SourceRequirements& needs_;
  const ValidationContext& context_;
  std::vector<FieldViolation>* out_;
};

// Why `org` (ODS- or agency-shaped) is the wrong kind of code for `kind`, or
// nullptr when it is the right kind.
const char* WrongOrganisationKind(Organisation kind, const std::string& org) {
  switch (kind) {
    case Organisation::kAny:
      return nullptr;
    case Organisation::kGpPractice:
      return IsGpPracticeCode(org) ? nullptr
                                   : " needs the referring practice's ODS code; send 6 "
                                     "characters such as A81001";
    case Organisation::kPharmacy:
      return IsPharmacyCode(org) ? nullptr
                                 : " needs the pharmacy's ODS code; send 5 characters starting "
                                   "with F, such as FA123";
    case Organisation::kNhsTrust:
      return IsNhsTrustCode(org) ? nullptr
                                 : " needs the NHS trust's ODS code; send 3 characters starting "
                                   "with R, such as RR8 (the site goes in discharge.site_code)";
    case Organisation::kOdsProvider:
      return IsOdsCode(org) ? nullptr
                            : " needs the provider's ODS code (an NHS service has one); send "
                              "it in upper case, such as RR8";
  }
  return nullptr;
}

void SourceChecker::Referrer(const sprout::v1::Referrer& referrer) {
  constexpr char kOrg[] = "referral.referrer.organisation_code";
  const std::string& org = referrer.organisation_code();
  if (org.empty()) {
    Add(kOrg,
        " needs the referring organisation's code; send its ODS code or a local agency id "
        "such as police:WYP");
  } else if (IsOdsCode(org) || IsLocalAgencyId(org)) {
    // A code of neither shape is already reported by ValidateReferral.
    if (const char* wrong = WrongOrganisationKind(needs_.organisation, org)) Add(kOrg, wrong);
  }
  if (referrer.callback_phone().empty() && referrer.callback_email().empty()) {
    Add("referral.referrer.callback_phone",
        " needs a callback phone or email; send at least one so the link worker can reply and "
        "report back");
  }
  if (needs_.practitioner_name && referrer.practitioner_name().empty()) {
    Add("referral.referrer.practitioner_name", " needs the referring practitioner's name; send it");
  }
}

void SourceChecker::Patient(const sprout::v1::Patient& patient) {
  if (needs_.nhs_number && patient.nhs_number().empty()) {
    Add("referral.patient.nhs_number",
        " needs the patient's NHS number; send it from the practice record");
  }
  if (needs_.nhs_number_traceable && patient.nhs_number().empty() &&
      patient.nhs_number_unavailable_reason() ==
          sprout::v1::NHS_NUMBER_UNAVAILABLE_REASON_NOT_KNOWN) {
    Add("referral.patient.nhs_number_unavailable_reason",
        " comes from an NHS service that can trace the NHS number; trace it on the Personal "
        "Demographics Service and send it, or say the person DECLINED or was NOT_ISSUED one");
  }
  if (needs_.registered_practice && patient.registered_practice_code().empty()) {
    Add("referral.patient.registered_practice_code",
        " needs the patient's registered practice; send its ODS code");
  }
  if (needs_.postcode && patient.address().postcode().empty()) {
    Add("referral.patient.address.postcode",
        " needs the person's postcode; send it, or ZZ99 3VZ for no fixed abode");
  }
  const sprout::v1::ContactDetails& contact = patient.contact();
  if (needs_.person_contact && contact.phone().empty() && contact.email().empty() &&
      patient.address().lines_size() == 0) {
    Add("referral.patient.contact",
        " needs a way to contact the person; send a phone number, an email address or a postal "
        "address");
  }
}

void SourceChecker::Discharge(const sprout::v1::Referral& referral) {
  constexpr char kBase[] = "referral.discharge";
  if (!needs_.discharge) {
    if (referral.has_discharge()) {
      Add(kBase,
          " does not carry discharge details; leave discharge out, or send the referral as the "
          "hospital discharge team (SOURCE_TYPE_HOSPITAL_DISCHARGE)");
    }
    return;
  }
  if (!referral.has_discharge()) {
    Add(kBase, " needs the discharge details; send the ward and the discharge date");
    return;
  }
  const sprout::v1::DischargeDetails& d = referral.discharge();
  CheckText("referral.discharge.ward", d.ward(),
            {"the ward", 100, true, false, "send the ward or unit the person is leaving"}, out_);
  const std::string& trust = referral.referrer().organisation_code();
  if (!d.site_code().empty() && IsNhsTrustCode(trust) &&
      !IsNhsTrustSiteCode(d.site_code(), trust)) {
    Add("referral.discharge.site_code",
        "'s site code is not a site of the referring trust; send 5 characters starting with the "
        "trust's code (RR813 for trust RR8), or leave it out");
  }
  constexpr char kDate[] = "referral.discharge.discharge_date";
  if (!d.has_discharge_date()) {
    Add(kDate, " needs the discharge date; send the day the person leaves hospital");
    return;
  }
  std::optional<absl::CivilDay> day = ToCivilDay(d.discharge_date());
  const absl::CivilDay today = absl::ToCivilDay(context_.now, absl::UTCTimeZone());
  if (!day.has_value()) {
    Add(kDate, "'s discharge date is not a real calendar date; check the year, month and day");
  } else if (*day > today + kMaxDischargeDaysAhead) {
    Add(kDate, absl::StrCat("'s discharge date is more than ", kMaxDischargeDaysAhead,
                            " days ahead; refer the person nearer the planned discharge"));
  }
}

}  // namespace

bool SourceNeedsPostcode(int source_type) {
  std::optional<SourceRequirements> needs = RequirementsFor(source_type);
  return needs.has_value() && needs->postcode;
}

void ValidateSourceRules(const sprout::v1::Referral& referral, const ValidationContext& context,
                         std::vector<FieldViolation>* out) {
  if (!referral.has_patient() || !referral.has_referrer()) return;
  std::optional<SourceRequirements> needs = RequirementsFor(referral.referrer().source_type());
  if (!needs.has_value()) return;
  SourceChecker check(*needs, context, out);
  if (referral.referrer().source_type() != sprout::v1::SOURCE_TYPE_SELF_REFERRAL) {
    check.Referrer(referral.referrer());
  }
  check.Patient(referral.patient());
  check.Discharge(referral);
}

}  // namespace sprout::intake
