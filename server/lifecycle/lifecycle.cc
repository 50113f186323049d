// File: server/lifecycle/lifecycle.cc
#include "server/lifecycle/lifecycle.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "server/common/errors.h"
#include "server/common/proto_time.h"
#include "server/lifecycle/states.h"
#include "server/lifecycle/wellbeing.h"

namespace sprout::lifecycle {
namespace {

using sprout::v1::QueueItem;
using sprout::v1::Referral;

std::string LinkWorkerName(const auth::Principal& p) {
  return absl::StrCat("pcns/", p.organisation_code, "/linkWorkers/", p.link_worker_id);
}

// "pcns/{pcn}" of "pcns/{pcn}/linkWorkers/{id}".
std::string PcnNameOf(absl::string_view link_worker) {
  const size_t slash = link_worker.find("/linkWorkers/");
  return std::string(link_worker.substr(0, slash));
}

sprout::v1::CodedConcept Concept(absl::string_view code, absl::string_view display) {
  sprout::v1::CodedConcept c;
  c.set_code(std::string(code));
  c.set_display(std::string(display));
  return c;
}

// The item leaves the queues: acted on.
QueueItem Done(const QueueItem& item) {
  QueueItem next = item;
  next.set_state(sprout::v1::QUEUE_ITEM_STATE_DONE);
  next.clear_claimed_by();
  next.clear_lease_expire_time();
  return next;
}

// The item waits on `queue` again, unclaimed.
QueueItem WaitingOn(const QueueItem& item, const std::string& queue) {
  QueueItem next = item;
  next.set_queue(queue);
  next.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
  next.clear_claimed_by();
  next.clear_lease_expire_time();
  return next;
}

// FAILED_PRECONDITION when someone other than `me` holds a live claim.
absl::Status CheckNotClaimedByAnother(const QueueItem* item, const std::string& me,
                                      absl::Time now) {
  if (item == nullptr || item->state() != sprout::v1::QUEUE_ITEM_STATE_CLAIMED) {
    return absl::OkStatus();
  }
  if (item->claimed_by() == me || FromProtoTime(item->lease_expire_time()) <= now) {
    return absl::OkStatus();
  }
  return FailedPreconditionWithViolation(
      "QUEUE_ITEM_CLAIMED", "QUEUE_ITEM_STATE", item->name(),
      absl::StrCat("is claimed by another link worker until ",
                   absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", FromProtoTime(item->lease_expire_time()),
                                    absl::UTCTimeZone()),
                   "; wait for the claim to lapse or ask them to release it"));
}

void EndIn(ReferralState state, absl::Time now, Referral& next, Change& change) {
  next.set_state(state);
  *next.mutable_end_time() = ToProtoTime(now);
  change.end_episode = true;
}

absl::Status ApplyAccept(const Step& step, const QueueItem* item, Referral& next, Change& change) {
  const std::string me = LinkWorkerName(step.actor);
  SPROUT_RETURN_IF_ERROR(CheckNotClaimedByAnother(item, me, step.now));
  next.set_state(sprout::v1::REFERRAL_STATE_ACCEPTED);
  next.mutable_route()->set_link_worker(me);
  *next.mutable_accept_time() = ToProtoTime(step.now);
  if (item != nullptr) change.queue_item = Done(*item);
  change.recorded_code = Concept(kReferralToSocialPrescribing, kReferralToSocialPrescribingTerm);
  change.once_per_episode = true;
  return absl::OkStatus();
}

absl::Status ApplyDecline(const Step& step, const QueueItem* item, Referral& next, Change& change) {
  sprout::v1::Decline* decline = next.mutable_decline();
  decline->set_declined_by(step.declined_by);
  if (step.declined_by == sprout::v1::DECLINED_BY_PERSON) {
    *decline->mutable_code() = Concept(kSocialPrescribingDeclined, kSocialPrescribingDeclinedTerm);
    change.recorded_code = decline->code();
  } else {
    *decline->mutable_code() = step.decline_code;
  }
  if (item != nullptr) change.queue_item = Done(*item);
  EndIn(sprout::v1::REFERRAL_STATE_DECLINED, step.now, next, change);
  return absl::OkStatus();
}

absl::Status ApplyReturnToTriage(const Step& step, const QueueItem* item, Referral& next,
                                 Change& change) {
  next.set_state(sprout::v1::REFERRAL_STATE_RETURNED_TO_TRIAGE);
  sprout::v1::Route* route = next.mutable_route();
  route->clear_link_worker();
  route->clear_pcn();
  route->clear_pcn_display();
  route->set_triage_queue(step.triage_queue);
  route->set_method(sprout::v1::ROUTING_METHOD_TRIAGE);
  if (item != nullptr) change.queue_item = WaitingOn(*item, step.triage_queue);
  return absl::OkStatus();
}

// The routing decision of a move by hand to `next`'s new route, from `from`
// (the old PCN or triage queue), for the routing log: who moved it and where,
// with the referral's reasons so routing-log filters still find it. The
// reason given is in the audit trail, not here (the log is pseudonymous).
sprout::v1::RoutingDecision ReassignmentDecision(const Step& step, const std::string& from,
                                                 const Referral& next) {
  sprout::v1::RoutingDecision d;
  // One decision per version of the referral, named by the version this
  // change makes ("{id}-{n}", the etag without its quotes).
  const std::string etag = NextEtag(next);
  d.set_name(
      absl::StrCat("routingDecisions/", absl::StripSuffix(absl::StripPrefix(etag, "\""), "\"")));
  d.set_referral(next.name());
  *d.mutable_decide_time() = ToProtoTime(step.now);
  d.set_outcome(sprout::v1::ROUTING_OUTCOME_LINK_WORKER);
  d.set_source_type(next.referrer().source_type());
  d.set_practice_code(next.patient().registered_practice_code());
  for (const sprout::v1::CodedReason& r : next.coded_reasons()) {
    if (!r.concept().code().empty()) *d.add_reasons() = r.concept();
  }
  d.set_priority(next.priority());
  d.set_terminology_release(next.terminology_release());
  sprout::v1::ExplanationStep* s = d.mutable_explanation()->add_steps();
  s->set_kind("reassigned");
  s->set_subject(absl::StrCat(from, " -> ", step.link_worker));
  s->set_matched(true);
  s->set_detail(absl::StrCat("An administrator (", step.actor.organisation_code,
                             ") reassigned it by hand; the reason given is in the audit trail"));
  d.mutable_explanation()->set_summary(
      absl::StrCat("Reassigned by an administrator from ", from, " to ", step.link_worker, "."));
  return d;
}

absl::Status ApplyReassign(const Step& step, Standing standing, const QueueItem* item,
                           Referral& next, Change& change) {
  const std::string target_pcn = PcnNameOf(step.link_worker);
  const bool from_triage = next.state() == sprout::v1::REFERRAL_STATE_RETURNED_TO_TRIAGE;
  const bool other_pcn = next.route().pcn() != target_pcn;
  if ((from_triage || other_pcn) && standing != Standing::kAdministrator) {
    return ErrorWithInfo(absl::StatusCode::kPermissionDenied, "TRANSITION_NOT_PERMITTED",
                         absl::StrCat("only an administrator may move a referral ",
                                      from_triage ? "out of triage" : "to another PCN",
                                      "; the PCN team may reassign within ", next.route().pcn()),
                         {{"method", "ReassignReferral"}});
  }
  if ((from_triage || other_pcn) && absl::StripAsciiWhitespace(step.reason).empty()) {
    // A move another PCN did not choose is explained in the routing log.
    return InvalidArgumentWithViolations(
        {{"reason", absl::StrCat("is required to move a referral ",
                                 from_triage ? "out of triage" : "to another PCN",
                                 "; say why, in at most 500 characters")}});
  }
  if (next.route().link_worker() == step.link_worker) {
    return InvalidArgumentWithViolations(
        {{"link_worker",
          absl::StrCat("already holds ", next.name(), "; name another link worker of the PCN")}});
  }
  const std::string previous_pcn = next.route().pcn();
  const std::string next_from_triage_queue = next.route().triage_queue();
  sprout::v1::Route* route = next.mutable_route();
  route->set_link_worker(step.link_worker);
  if (other_pcn || from_triage) {
    route->set_pcn(target_pcn);
    route->set_pcn_display(step.pcn_display);
    route->clear_triage_queue();
  }
  if (from_triage) next.set_state(sprout::v1::REFERRAL_STATE_QUEUED);
  if (item != nullptr && !IsAccepted(next.state())) {
    change.queue_item = WaitingOn(*item, step.link_worker);
  }
  if (other_pcn || from_triage) {
    const std::string from = from_triage ? next_from_triage_queue : previous_pcn;
    change.decision = ReassignmentDecision(step, from, next);
    route->set_method(sprout::v1::ROUTING_METHOD_REASSIGNED);
    route->set_rule("");
    route->set_decision(change.decision->name());
    route->set_directory_version(step.directory_version);
    *change.decision->mutable_route() = *route;
  }
  return absl::OkStatus();
}

absl::Status ApplyRecordContact(const Step& step, Referral& next, Change& change) {
  next.set_state(sprout::v1::REFERRAL_STATE_IN_PROGRESS);
  next.set_contact_count(next.contact_count() + 1);
  sprout::v1::Contact contact = step.contact;
  contact.set_link_worker(LinkWorkerName(step.actor));
  if (contact.has_wellbeing()) {
    RecordWellbeing(contact.wellbeing(), step.now, next);
    *contact.mutable_wellbeing() = next.last_wellbeing();
  }
  change.contact = std::move(contact);
  return absl::OkStatus();
}

absl::Status ApplyClose(const Step& step, Referral& next, Change& change) {
  RecordWellbeing(step.wellbeing, step.now, next);
  sprout::v1::Outcome outcome = step.outcome;
  if (next.first_wellbeing().swemwbs().total() > 0) {
    outcome.set_wellbeing_score_start(next.first_wellbeing().swemwbs().total());
  }
  if (next.last_wellbeing().swemwbs().total() > 0) {
    outcome.set_wellbeing_score_end(next.last_wellbeing().swemwbs().total());
  }
  *next.mutable_outcome() = std::move(outcome);
  EndIn(sprout::v1::REFERRAL_STATE_CLOSED, step.now, next, change);
  return absl::OkStatus();
}

absl::Status ApplyWithdraw(const Step& step, const QueueItem* item, Referral& next,
                           Change& change) {
  if (item != nullptr) change.queue_item = Done(*item);
  EndIn(sprout::v1::REFERRAL_STATE_WITHDRAWN, step.now, next, change);
  return absl::OkStatus();
}

absl::Status ApplyResolveCodingReview(const Step& step, const QueueItem* item, Referral& next,
                                      Change& change) {
  if (step.reason_index < 0 || step.reason_index >= next.coded_reasons_size()) {
    return InvalidArgumentWithViolations(
        {{"reason_index",
          absl::StrCat("is ", step.reason_index, "; ", next.name(), " has ",
                       next.coded_reasons_size(), " coded reasons, numbered from 0")}});
  }
  sprout::v1::CodedReason* reason = next.mutable_coded_reasons(step.reason_index);
  if (reason->method() != sprout::v1::CODING_METHOD_NEEDS_REVIEW) {
    return FailedPreconditionWithViolation(
        "REASON_NOT_FLAGGED", "CODED_REASON",
        absl::StrCat(next.name(), "/codedReasons/", step.reason_index),
        "is not flagged for coding review; only a reason coded NEEDS_REVIEW can be resolved");
  }
  *reason->mutable_concept() = step.chosen;
  reason->set_method(sprout::v1::CODING_METHOD_REVIEWED);
  reason->set_reviewed_by(auth::PrincipalUri(step.actor));
  *reason->mutable_review_time() = ToProtoTime(step.now);
  bool still_flagged = false;
  for (const sprout::v1::CodedReason& r : next.coded_reasons()) {
    still_flagged |= r.method() == sprout::v1::CODING_METHOD_NEEDS_REVIEW;
  }
  next.set_needs_coding_review(still_flagged);
  // The queue shows the coded reasons: an item still on a queue shows the new one.
  if (item != nullptr && item->state() != sprout::v1::QUEUE_ITEM_STATE_DONE) {
    QueueItem updated = *item;
    updated.clear_reasons();
    for (const sprout::v1::CodedReason& r : next.coded_reasons()) {
      if (!r.concept().code().empty()) *updated.add_reasons() = r.concept();
    }
    change.queue_item = std::move(updated);
  }
  return absl::OkStatus();
}

}  // namespace

std::string NextEtag(const Referral& referral) {
  absl::string_view etag = referral.etag();
  absl::ConsumePrefix(&etag, "\"");
  absl::ConsumeSuffix(&etag, "\"");
  const size_t dash = etag.rfind('-');
  int64_t version = 0;
  if (dash != absl::string_view::npos && absl::SimpleAtoi(etag.substr(dash + 1), &version)) {
    etag = etag.substr(0, dash);
  } else {
    // Never versioned: the referral's id. (A view of name(), not of a copy.)
    etag = absl::string_view(referral.name());
    etag.remove_prefix(etag.rfind('/') + 1);
  }
  return absl::StrCat("\"", etag, "-", version + 1, "\"");
}

absl::StatusOr<Change> Apply(const Step& step, Standing standing, const Referral& referral,
                             const QueueItem* item) {
  SPROUT_RETURN_IF_ERROR(CheckTransition(step.transition, standing, referral));
  Change change;
  Referral& next = change.referral;
  next = referral;
  switch (step.transition) {
    case Transition::kAccept:
      SPROUT_RETURN_IF_ERROR(ApplyAccept(step, item, next, change));
      break;
    case Transition::kDecline:
      SPROUT_RETURN_IF_ERROR(ApplyDecline(step, item, next, change));
      break;
    case Transition::kReturnToTriage:
      SPROUT_RETURN_IF_ERROR(ApplyReturnToTriage(step, item, next, change));
      break;
    case Transition::kReassign:
      SPROUT_RETURN_IF_ERROR(ApplyReassign(step, standing, item, next, change));
      break;
    case Transition::kRecordContact:
      SPROUT_RETURN_IF_ERROR(ApplyRecordContact(step, next, change));
      break;
    case Transition::kClose:
      SPROUT_RETURN_IF_ERROR(ApplyClose(step, next, change));
      break;
    case Transition::kWithdraw:
      SPROUT_RETURN_IF_ERROR(ApplyWithdraw(step, item, next, change));
      break;
    case Transition::kResolveCodingReview:
      SPROUT_RETURN_IF_ERROR(ApplyResolveCodingReview(step, item, next, change));
      break;
  }
  next.set_etag(NextEtag(referral));
  *next.mutable_update_time() = ToProtoTime(step.now);
  return change;
}

}  // namespace sprout::lifecycle
