// File: server/api/lifecycle_checks.cc
#include "server/api/lifecycle_checks.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"
#include "server/common/proto_time.h"
#include "server/lifecycle/wellbeing.h"

namespace sprout::api {
namespace {

using Violations = std::vector<FieldViolation>;

absl::Status Result(const Violations& violations) {
  return violations.empty() ? absl::OkStatus() : InvalidArgumentWithViolations(violations);
}

void CheckText(absl::string_view text, absl::string_view field, size_t max, bool required,
               absl::string_view example, Violations& out) {
  if (text.size() > max) {
    out.push_back({std::string(field),
                   absl::StrCat("is ", text.size(), " characters; at most ", max, " are kept")});
  } else if (required && absl::StripAsciiWhitespace(text).empty()) {
    out.push_back(
        {std::string(field), absl::StrCat("is required: say why, e.g. \"", example, "\"")});
  }
}

// The concept `code` as the wire shows it, or a violation at `field`.
void CheckConceptInto(const intake::ReasonCoder& coder, absl::string_view code,
                      absl::string_view field, absl::string_view what,
                      sprout::v1::CodedConcept& concept_out, Violations& out) {
  std::vector<intake::FieldViolation> found;
  coder.CheckConcept(field, code, what, &found);
  for (intake::FieldViolation& f : found) out.push_back({f.field, std::move(f.description)});
  uint64_t id = 0;
  if (found.empty() && absl::SimpleAtoi(code, &id)) concept_out = coder.Concept(id);
}

}  // namespace

absl::Status CheckDecline(const sprout::v1::DeclineReferralRequest& request,
                          const intake::ReasonCoder& coder, lifecycle::Step& step) {
  Violations v;
  CheckText(request.reason(), "reason", kMaxReasonText, false, "", v);
  switch (request.declined_by()) {
    case sprout::v1::DECLINED_BY_PERSON:
      if (!request.reason_code().empty()) {
        v.push_back({"reason_code",
                     "must be empty when the person declines: 871711000000103 |Social "
                     "prescribing declined| is recorded"});
      }
      break;
    case sprout::v1::DECLINED_BY_LINK_WORKER:
      if (request.reason_code().empty()) {
        v.push_back({"reason_code",
                     "is required when the link worker declines: the SCTID of the reason, "
                     "active in the loaded release (sproutctl terminology search finds one)"});
      } else {
        CheckConceptInto(coder, request.reason_code(), "reason_code", "the decline reason",
                         step.decline_code, v);
      }
      break;
    default:
      v.push_back({"declined_by",
                   "is required: DECLINED_BY_PERSON (the person said no) or "
                   "DECLINED_BY_LINK_WORKER (with a coded reason_code)"});
  }
  step.declined_by = request.declined_by();
  step.reason = request.reason();
  return Result(v);
}

absl::Status CheckReturnToTriage(const sprout::v1::ReturnToTriageRequest& request,
                                 lifecycle::Step& step) {
  Violations v;
  CheckText(request.reason(), "reason", kMaxReasonText, true,
            "the person lives outside our practices' area", v);
  step.reason = request.reason();
  return Result(v);
}

absl::Status CheckContact(const sprout::v1::RecordContactRequest& request, lifecycle::Step& step) {
  Violations v;
  if (!request.has_contact()) {
    v.push_back({"contact", "is required: type, contact_time and duration at least"});
    return Result(v);
  }
  const sprout::v1::Contact& c = request.contact();
  if (c.type() == sprout::v1::CONTACT_TYPE_UNSPECIFIED) {
    v.push_back({"contact.type",
                 "is required: CONTACT_TYPE_PHONE, _VIDEO, _MEETING, _HOME_VISIT or _GROUP"});
  }
  if (!c.has_contact_time()) {
    v.push_back({"contact.contact_time", "is required: when the contact happened (RFC 3339)"});
  } else if (FromProtoTime(c.contact_time()) > step.now + kClockSkew) {
    v.push_back(
        {"contact.contact_time", "is in the future; record a contact once it has happened"});
  }
  if (c.has_duration()) {
    const absl::Duration d = absl::Seconds(c.duration().seconds());
    if (d <= absl::ZeroDuration() || d > kMaxContactDuration) {
      v.push_back({"contact.duration", "must be more than 0 and at most 12 hours"});
    }
  }
  CheckText(c.notes(), "contact.notes", kMaxContactNotes, false, "", v);
  for (FieldViolation& w : lifecycle::CheckWellbeing(c.wellbeing(), "contact.wellbeing")) {
    v.push_back(std::move(w));
  }
  if (!c.name().empty() || !c.link_worker().empty() || c.number() != 0) {
    v.push_back({"contact.name",
                 "name, number and link_worker are output only: the server sets them; leave "
                 "them empty"});
  }
  if (request.request_id().size() > kMaxRequestId) {
    v.push_back({"request_id", "is at most 64 characters; a UUID is usual"});
  }
  step.contact = c;
  return Result(v);
}

absl::Status CheckClose(const sprout::v1::CloseReferralRequest& request,
                        const intake::ReasonCoder& coder, lifecycle::Step& step) {
  Violations v;
  const sprout::v1::Outcome& in = request.outcome();
  if (in.codes().empty()) {
    v.push_back({"outcome.codes",
                 "needs at least one outcome concept, e.g. 1230392000 |Not feeling lonely|"});
  }
  step.outcome.Clear();
  for (int i = 0; i < in.codes_size(); ++i) {
    CheckConceptInto(coder, in.codes(i).code(), absl::StrCat("outcome.codes[", i, "].code"),
                     "the outcome code", *step.outcome.add_codes(), v);
  }
  CheckText(in.summary(), "outcome.summary", kMaxOutcomeSummary, false, "", v);
  step.outcome.set_summary(in.summary());
  if (in.has_wellbeing_score_start() || in.has_wellbeing_score_end()) {
    v.push_back({"outcome.wellbeing_score_start",
                 "is worked out from the scores recorded; send them in wellbeing instead"});
  }
  for (FieldViolation& w : lifecycle::CheckWellbeing(request.wellbeing(), "wellbeing")) {
    v.push_back(std::move(w));
  }
  step.wellbeing = request.wellbeing();
  return Result(v);
}

absl::Status CheckCodingReview(const sprout::v1::ResolveCodingReviewRequest& request,
                               const intake::ReasonCoder& coder, lifecycle::Step& step) {
  Violations v;
  if (request.reason_index() < 0) {
    v.push_back({"reason_index", "must not be negative: the coded_reasons entry, from 0"});
  }
  sprout::v1::ReasonInput input;
  input.set_snomed_code(request.code());
  intake::ReasonCoding coding = coder.Code(input, "", sprout::v1::SOURCE_TYPE_UNSPECIFIED);
  for (intake::FieldViolation& w : coding.violations) {
    v.push_back({"code", std::move(w.description)});  // one field: the chosen concept
  }
  step.reason_index = request.reason_index();
  step.chosen = coding.coded.concept();
  return Result(v);
}

absl::Status CheckWithdraw(const sprout::v1::WithdrawReferralRequest& request,
                           lifecycle::Step& step) {
  Violations v;
  CheckText(request.reason(), "reason", kMaxReasonText, false, "", v);
  step.reason = request.reason();
  return Result(v);
}

}  // namespace sprout::api
