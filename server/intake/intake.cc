#include "server/intake/intake.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "server/intake/identifiers.h"

namespace sprout::intake {
namespace {

// True if some violation is at `path` or below it.
bool HasViolationAt(const std::vector<FieldViolation>& violations, absl::string_view path) {
  for (const FieldViolation& v : violations) {
    if (absl::StartsWith(v.field, path) &&
        (v.field.size() == path.size() || v.field[path.size()] == '.')) {
      return true;
    }
  }
  return false;
}

void ClearOutputOnly(sprout::v1::Referral* r) {
  r->clear_name();
  r->clear_etag();
  r->clear_state();
  r->clear_create_time();
  r->clear_update_time();
  r->clear_service_code();
  r->clear_coded_reasons();
  r->clear_needs_coding_review();
  r->clear_route();
  r->clear_episode();
  r->clear_linked_to_existing_episode();
  r->clear_terminology_release();
  r->clear_outcome();
  r->clear_pseudonymised();
  r->clear_accept_time();
  r->clear_end_time();
  r->clear_contact_count();
  r->clear_first_wellbeing();
  r->clear_last_wellbeing();
  r->clear_decline();
  r->clear_requested_priority();
  r->clear_warnings();
}

std::string NormaliseName(absl::string_view name) {
  std::string out;
  bool space = false;
  for (char c : name) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::string PersonMatchKey(const sprout::v1::Patient& patient) {
  NhsNumberCheck nhs = CheckNhsNumber(patient.nhs_number());
  if (nhs.problem == NhsNumberProblem::kNone) return nhs.normalised;
  std::string postcode = NormalisePostcode(patient.address().postcode()).value_or("");
  return absl::StrFormat("%s %s|%04d-%02d-%02d|%s", NormaliseName(patient.given_name()),
                         NormaliseName(patient.family_name()), patient.birth_date().year(),
                         patient.birth_date().month(), patient.birth_date().day(), postcode);
}

absl::StatusOr<std::unique_ptr<ReferralIntake>> ReferralIntake::Create(
    std::shared_ptr<const snomed::Terminology> terminology,
    std::shared_ptr<const CodeMaps> code_maps, const Clock* clock, IntakeOptions options) {
  if (!terminology->IsActive(options.service_code)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the SNOMED CT release has no active ", options.service_code,
                     " (the service code); load a UK Clinical Edition or change the bindings"));
  }
  absl::StatusOr<snomed::Ecl> source = snomed::Ecl::Parse(options.referral_source_ecl);
  if (!source.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("referral source binding: ", source.status().message()));
  }
  std::vector<uint64_t> unknown = source->UnknownConcepts(*terminology);
  if (!unknown.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("referral source binding names concepts not in the release: ",
                     absl::StrJoin(unknown, ", ")));
  }
  absl::StatusOr<std::unique_ptr<ReasonCoder>> coder =
      ReasonCoder::Create(std::move(terminology), std::move(code_maps), options.coder);
  if (!coder.ok()) return coder.status();
  return std::unique_ptr<ReferralIntake>(
      new ReferralIntake(*std::move(coder), clock, std::move(options), *std::move(source)));
}

ReferralIntake::ReferralIntake(std::unique_ptr<ReasonCoder> coder, const Clock* clock,
                               IntakeOptions options, snomed::Ecl source_binding)
    : coder_(std::move(coder)),
      clock_(clock),
      options_(std::move(options)),
      service_code_(coder_->Concept(options_.service_code)),
      source_binding_(std::move(source_binding)) {}

void ReferralIntake::CheckSource(absl::string_view code, std::vector<FieldViolation>* out) const {
  constexpr absl::string_view kField = "referral.referrer.source_code";
  const size_t before = out->size();
  coder_->CheckConcept(kField, code, "the referral source code", out);
  uint64_t id = 0;
  if (out->size() != before || !absl::SimpleAtoi(code, &id)) return;
  if (!source_binding_.Matches(coder_->terminology(), id)) {
    out->push_back(FieldViolation{
        std::string(kField),
        absl::StrCat("the referral source code is not a kind of referral source (",
                     source_binding_.text(),
                     "); send e.g. 185369008 |Referred by pharmacist|, or leave it empty"),
        "", ""});
  }
}

absl::StatusOr<IntakeResult> ReferralIntake::Process(const sprout::v1::Referral& input) const {
  const absl::Time now = clock_->Now();
  ValidationContext context;
  context.now = now;
  context.limits = options_.limits;
  std::vector<FieldViolation> violations = ValidateReferral(input, context);

  IntakeResult result;
  sprout::v1::Referral& out = result.referral;
  out = input;
  ClearOutputOnly(&out);

  // Code every reason that is itself well formed, so coding problems are
  // reported together with validation problems.
  bool needs_review = false;
  const int reasons = std::min(input.reasons_size(), options_.limits.max_reasons);
  for (int i = 0; i < reasons; ++i) {
    const std::string path = absl::StrCat("referral.reasons[", i, "]");
    if (HasViolationAt(violations, path)) continue;
    ReasonCoding coding = coder_->Code(input.reasons(i), path, input.referrer().source_type());
    if (!coding.violations.empty()) {
      for (FieldViolation& v : coding.violations) violations.push_back(std::move(v));
      continue;
    }
    coding.more.insert(coding.more.begin(), std::move(coding.coded));
    for (sprout::v1::CodedReason& coded : coding.more) {
      needs_review = needs_review || coded.method() == sprout::v1::CODING_METHOD_NEEDS_REVIEW;
      *out.add_coded_reasons() = std::move(coded);
    }
  }
  const int flags =
      std::min(input.safeguarding_flags_size(), options_.limits.max_safeguarding_flags);
  for (int i = 0; i < flags; ++i) {
    const std::string path = absl::StrCat("referral.safeguarding_flags[", i, "].code");
    if (HasViolationAt(violations, path)) continue;
    coder_->CheckConcept(path, input.safeguarding_flags(i).code(), "the safeguarding code",
                         &violations);
  }
  const sprout::v1::SupportingInformation& info = input.supporting_information();
  const int conditions = std::min(info.condition_codes_size(), options_.limits.max_condition_codes);
  for (int i = 0; i < conditions; ++i) {
    const std::string path =
        absl::StrCat("referral.supporting_information.condition_codes[", i, "]");
    if (HasViolationAt(violations, path)) continue;
    coder_->CheckConcept(path, info.condition_codes(i), "the condition code", &violations);
  }
  const std::string& source_code = input.referrer().source_code();
  if (!source_code.empty() && !HasViolationAt(violations, "referral.referrer.source_code")) {
    CheckSource(source_code, &violations);
  }
  if (!violations.empty()) return InvalidReferralError(violations);

  // Valid: normalise identifiers and add what Sprout derives.
  sprout::v1::Patient* patient = out.mutable_patient();
  if (!patient->nhs_number().empty()) {
    patient->set_nhs_number(CheckNhsNumber(patient->nhs_number()).normalised);
  }
  if (!patient->address().postcode().empty()) {
    patient->mutable_address()->set_postcode(
        NormalisePostcode(patient->address().postcode()).value_or(""));
  }
  if (!out.has_authored_time()) {
    out.mutable_authored_time()->set_seconds(absl::ToUnixSeconds(now));
  }
  *out.mutable_service_code() = service_code_;
  out.set_needs_coding_review(needs_review);
  out.set_terminology_release(coder_->release_label());
  result.person_match_key = PersonMatchKey(*patient);
  return result;
}

}  // namespace sprout::intake
