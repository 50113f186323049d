#include "server/pipeline/routing_adapter.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "server/common/england_time.h"
#include "server/common/proto_time.h"

namespace sprout::pipeline {
namespace {

std::optional<int> AgeOn(const sprout::v1::Date& birth, absl::CivilDay on) {
  if (birth.year() == 0) return std::nullopt;
  int age = static_cast<int>(on.year()) - birth.year();
  if (on.month() < birth.month() || (on.month() == birth.month() && on.day() < birth.day())) {
    --age;
  }
  return age;
}

sprout::v1::RoutingOutcome OutcomeProto(routing::Outcome outcome) {
  switch (outcome) {
    case routing::Outcome::kLinkWorker:
      return sprout::v1::ROUTING_OUTCOME_LINK_WORKER;
    case routing::Outcome::kPcnPool:
      return sprout::v1::ROUTING_OUTCOME_PCN_POOL;
    case routing::Outcome::kTriage:
      return sprout::v1::ROUTING_OUTCOME_TRIAGE;
  }
  return sprout::v1::ROUTING_OUTCOME_UNSPECIFIED;
}

sprout::v1::RoutingMethod MethodProto(const routing::RoutingDecision& d) {
  if (d.outcome == routing::Outcome::kTriage) return sprout::v1::ROUTING_METHOD_TRIAGE;
  if (d.deciding_rule == "continuity") return sprout::v1::ROUTING_METHOD_CONTINUITY;
  if (d.pcn_from_rule) return sprout::v1::ROUTING_METHOD_RULE;
  switch (d.resolution) {
    case routing::ResolutionMethod::kPractice:
      return sprout::v1::ROUTING_METHOD_PRACTICE;
    case routing::ResolutionMethod::kPostcode:
      return sprout::v1::ROUTING_METHOD_POSTCODE;
    case routing::ResolutionMethod::kNone:
      return sprout::v1::ROUTING_METHOD_RULE;
  }
  return sprout::v1::ROUTING_METHOD_UNSPECIFIED;
}

}  // namespace

routing::RoutingRequest MakeRoutingRequest(const sprout::v1::Referral& referral,
                                           const std::string& person_key, absl::Time now) {
  routing::RoutingRequest request;
  const absl::Time authored =
      referral.has_authored_time() ? FromProtoTime(referral.authored_time()) : now;
  request.referral_date = absl::ToCivilDay(authored, EnglandTimeZone());
  const sprout::v1::Patient& patient = referral.patient();
  if (!patient.registered_practice_code().empty()) {
    request.practice_code = patient.registered_practice_code();
  }
  if (!patient.address().postcode().empty()) request.postcode = patient.address().postcode();
  request.source_type = static_cast<routing::SourceType>(referral.referrer().source_type());
  if (!referral.referrer().organisation_code().empty()) {
    request.referrer_organisation_code = referral.referrer().organisation_code();
  }
  request.priority = referral.priority() == sprout::v1::PRIORITY_URGENT
                         ? routing::Priority::kUrgent
                         : routing::Priority::kRoutine;
  for (const sprout::v1::CodedReason& reason : referral.coded_reasons()) {
    uint64_t id = 0;
    if (absl::SimpleAtoi(reason.concept().code(), &id)) request.reasons.push_back(id);
  }
  request.age_years = AgeOn(patient.birth_date(), request.referral_date);
  if (!patient.communication().language().empty()) {
    request.language = absl::AsciiStrToLower(patient.communication().language());
  }
  for (const sprout::v1::SafeguardingFlag& flag : referral.safeguarding_flags()) {
    uint64_t id = 0;
    if (absl::SimpleAtoi(flag.code(), &id)) request.safeguarding_flags.push_back(id);
  }
  request.person_key = person_key;
  request.terminology_release = referral.terminology_release();
  return request;
}

std::string QueueNameOf(const routing::RoutingDecision& decision) {
  switch (decision.outcome) {
    case routing::Outcome::kLinkWorker:
      return absl::StrCat("pcns/", decision.pcn_code, "/linkWorkers/", decision.link_worker_id);
    case routing::Outcome::kPcnPool:
      return absl::StrCat("pcns/", decision.pcn_code);
    case routing::Outcome::kTriage:
      return absl::StrCat("triageQueues/", decision.triage_queue);
  }
  return "";
}

sprout::v1::Route MakeRoute(const routing::RoutingDecision& decision,
                            const std::string& decision_name, const std::string& pcn_display) {
  sprout::v1::Route route;
  route.set_method(MethodProto(decision));
  if (!decision.pcn_code.empty()) {
    route.set_pcn(absl::StrCat("pcns/", decision.pcn_code));
    route.set_pcn_display(pcn_display);
  }
  if (decision.outcome == routing::Outcome::kLinkWorker) {
    route.set_link_worker(QueueNameOf(decision));
  }
  if (decision.outcome == routing::Outcome::kTriage) {
    route.set_triage_queue(QueueNameOf(decision));
  }
  route.set_rule(decision.deciding_rule);
  route.set_decision(decision_name);
  route.set_directory_version(decision.directory_version);
  route.set_policy_version(decision.policy_version);
  return route;
}

sprout::v1::RoutingDecision MakeDecisionRecord(const routing::RoutingDecision& decision,
                                               const sprout::v1::Referral& referral,
                                               absl::Time decide_time) {
  sprout::v1::RoutingDecision record;
  record.set_name(referral.route().decision());
  record.set_referral(referral.name());
  *record.mutable_decide_time() = ToProtoTime(decide_time);
  *record.mutable_route() = referral.route();
  record.set_outcome(OutcomeProto(decision.outcome));
  record.set_source_type(referral.referrer().source_type());
  record.set_practice_code(referral.patient().registered_practice_code());
  for (const sprout::v1::CodedReason& reason : referral.coded_reasons()) {
    if (!reason.concept().code().empty()) *record.add_reasons() = reason.concept();
  }
  record.set_priority(referral.priority());
  sprout::v1::Explanation* explanation = record.mutable_explanation();
  for (const routing::ExplanationStep& step : decision.explanation.steps) {
    sprout::v1::ExplanationStep* s = explanation->add_steps();
    s->set_kind(step.kind);
    s->set_subject(step.subject);
    s->set_matched(step.matched);
    s->set_detail(step.detail);
  }
  for (const routing::Candidate& candidate : decision.explanation.candidates) {
    sprout::v1::Candidate* c = explanation->add_candidates();
    c->set_link_worker(
        absl::StrCat("pcns/", candidate.pcn_code, "/linkWorkers/", candidate.link_worker_id));
    c->set_accepted_this_year(static_cast<int32_t>(candidate.accepted_this_year));
    c->set_annual_cap(static_cast<int32_t>(candidate.annual_cap));
    c->set_open_caseload(static_cast<int32_t>(candidate.open_caseload));
    c->set_open_cap(static_cast<int32_t>(candidate.open_cap));
    c->set_waiting(static_cast<int32_t>(candidate.waiting));
    c->set_eligible(candidate.eligible);
    c->set_detail(candidate.detail);
  }
  explanation->set_summary(decision.explanation.summary);
  record.set_terminology_release(decision.terminology_release);
  return record;
}

}  // namespace sprout::pipeline
