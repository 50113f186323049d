#include "server/pipeline/referral_pipeline.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/errors.h"
#include "server/pipeline/routing_adapter.h"
#include "server/pipeline/store_caseload_view.h"

namespace sprout::pipeline {
namespace {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

// Deterministic bytes of the request as the client sent it, for the
// idempotency fingerprint: the same referral always hashes the same.
std::string CanonicalBytes(const sprout::v1::Referral& input) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  input.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

}  // namespace

std::string RequestIdProblem(absl::string_view request_id) {
  if (request_id.empty()) {
    return "request_id is required: send a new UUID with each referral and reuse it on retries";
  }
  if (request_id.size() > 128) return "request_id is longer than 128 characters; use a UUID";
  for (char c : request_id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return "request_id may hold only letters, digits, '-', '_' and '.'; use a UUID";
  }
  return "";
}

absl::StatusOr<PreparedReferral> ReferralPipeline::Prepare(const sprout::v1::Referral& input,
                                                           const auth::Principal& caller) const {
  absl::StatusOr<intake::IntakeResult> coded = deps_.intake->Get()->Process(input);
  if (!coded.ok()) return coded.status();

  const absl::Time now = deps_.clock->Now();
  PreparedReferral out;
  out.person_key = deps_.person_hasher->HexDigest(coded->person_match_key);
  sprout::v1::Referral& referral = out.referral;
  referral = std::move(coded->referral);

  // One snapshot for the whole referral: the decision, its directory version
  // and the PCN's display name all come from the configuration in force when
  // routing began, even if a reload swaps it meanwhile.
  const std::shared_ptr<const routing::RoutingConfig> config = deps_.routing_config->Get();
  StoreCaseloadView caseload(deps_.store);
  absl::StatusOr<routing::RoutingDecision> decision =
      config->router->Route(MakeRoutingRequest(referral, out.person_key, now), caseload);
  if (!decision.ok()) return decision.status();

  const std::string referral_id = deps_.ids->NewId();
  referral.set_name(absl::StrCat("referrals/", referral_id));
  referral.set_state(sprout::v1::REFERRAL_STATE_QUEUED);
  *referral.mutable_create_time() = ToProtoTime(now);
  *referral.mutable_update_time() = ToProtoTime(now);
  if (!referral.has_authored_time()) *referral.mutable_authored_time() = ToProtoTime(now);
  referral.set_episode(absl::StrCat("episodes/", deps_.ids->NewId()));
  referral.set_etag(absl::StrCat("\"", referral_id, "-1\""));
  std::string pcn_display;
  if (!decision->pcn_code.empty()) {
    if (const routing::Pcn* pcn = config->directory->FindPcn(decision->pcn_code)) {
      pcn_display = pcn->name;
    }
  }
  *referral.mutable_route() =
      MakeRoute(*decision, absl::StrCat("routingDecisions/", deps_.ids->NewId()), pcn_display);
  (void)caller;
  // Routing decides the priority (a rule may raise it); the referral, its
  // decision record and its queue item all carry that one value.
  referral.set_requested_priority(referral.priority());
  referral.set_priority(decision->queue_priority == routing::QueuePriority::kUrgent
                            ? sprout::v1::PRIORITY_URGENT
                            : sprout::v1::PRIORITY_ROUTINE);
  for (const routing::RoutingWarning& warning : decision->warnings) {
    sprout::v1::IntakeWarning* w = referral.add_warnings();
    w->set_reason(warning.reason);
    w->set_field(warning.field);
    w->set_description(warning.description);
  }

  out.decision = MakeDecisionRecord(*decision, referral, now);

  sprout::v1::QueueItem& item = out.queue_item;
  item.set_name(absl::StrCat("queueItems/", deps_.ids->NewId()));
  item.set_referral(referral.name());
  item.set_queue(QueueNameOf(*decision));
  item.set_priority(referral.priority());
  *item.mutable_enqueue_time() = ToProtoTime(now);
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
  for (const sprout::v1::CodedConcept& reason : out.decision.reasons())
    *item.add_reasons() = reason;
  item.set_source_type(referral.referrer().source_type());
  item.set_has_safeguarding_flags(referral.safeguarding_flags_size() > 0);
  item.set_etag(absl::StrCat("\"", item.name().substr(item.name().find('/') + 1), "-1\""));
  return out;
}

absl::StatusOr<PreparedReferral> ReferralPipeline::Preview(const sprout::v1::Referral& input,
                                                           const auth::Principal& caller) const {
  absl::StatusOr<PreparedReferral> prepared = Prepare(input, caller);
  if (!prepared.ok()) return prepared;
  sprout::v1::Referral& referral = prepared->referral;
  referral.clear_name();
  referral.clear_etag();
  referral.clear_state();
  referral.clear_episode();
  referral.clear_create_time();
  referral.clear_update_time();
  referral.mutable_route()->clear_decision();
  sprout::v1::RoutingDecision& decision = prepared->decision;
  decision.clear_name();
  decision.clear_referral();
  *decision.mutable_route() = referral.route();
  prepared->queue_item.clear_name();
  prepared->queue_item.clear_referral();
  prepared->queue_item.clear_etag();
  return prepared;
}

void ReferralPipeline::SubmitAsync(absl::string_view request_id, const sprout::v1::Referral& input,
                                   const auth::Principal& caller,
                                   store::Store::SubmitCallback done) const {
  // The rate limit comes first, so a refused call costs one map probe. It
  // applies to idempotent replays too: only the store can tell a replay
  // (there is no cheap look-up by request_id), and a refused replay is safe:
  // nothing is stored, and the retry after retry_delay gets the original.
  // Exempting request_ids this process remembers committing was rejected:
  // an agency could resend one such id to get unlimited intake, routing and
  // writer work past its limit.
  // Refusals are not audited, like the other refusals of SubmitReferral: no
  // patient data was disclosed or stored, and an audit write per refused
  // call would make a flood cost what it is refused to save.
  if (deps_.agency_limits != nullptr) {
    if (absl::Status admitted = deps_.agency_limits->Admit(caller.organisation_code);
        !admitted.ok()) {
      done(std::move(admitted));
      return;
    }
  }
  if (std::string problem = RequestIdProblem(request_id); !problem.empty()) {
    done(InvalidArgumentWithViolations({{"request_id", problem}}));
    return;
  }
  absl::StatusOr<PreparedReferral> prepared = Prepare(input, caller);
  if (!prepared.ok()) {
    done(prepared.status());
    return;
  }
  if (deps_.queue_limits != nullptr) {
    // Only once routed is the queue known. The place held now is given back
    // when the commit ends, kept if it added a waiting item.
    std::string limited_queue =
        admission::QueueLimiter::LimitedQueueOf(prepared->queue_item.queue());
    if (absl::Status held = deps_.queue_limits->Reserve(limited_queue); !held.ok()) {
      done(std::move(held));
      return;
    }
    done = [limits = deps_.queue_limits, limited_queue = std::move(limited_queue),
            inner = std::move(done)](absl::StatusOr<store::SubmitOutcome> outcome) {
      limits->Settle(limited_queue, outcome.ok() && !outcome->replayed);
      inner(std::move(outcome));
    };
  }
  store::Submission submission;
  submission.request_id = std::string(request_id);
  submission.request_hash = Sha256Hex(CanonicalBytes(input));
  submission.organisation_code = caller.organisation_code;
  submission.person_key = std::move(prepared->person_key);
  submission.referral = std::move(prepared->referral);
  submission.decision = std::move(prepared->decision);
  submission.queue_item = std::move(prepared->queue_item);
  submission.audit.actor_organisation = caller.organisation_code;
  submission.audit.actor_role = std::string(auth::RoleName(caller.role));
  submission.audit.action = "SubmitReferral";
  submission.audit.resource = submission.referral.name();
  submission.audit.outcome = "OK";
  submission.audit.time = deps_.clock->Now();
  deps_.store->SubmitAsync(std::move(submission), std::move(done));
}

absl::Status StampReferrer(const auth::Principal& caller, sprout::v1::Referral& referral) {
  sprout::v1::Referrer* referrer = referral.mutable_referrer();
  if (referrer->organisation_code().empty()) {
    referrer->set_organisation_code(caller.organisation_code);
  } else if (referrer->organisation_code() != caller.organisation_code) {
    return InvalidArgumentWithViolations(
        {{"referral.referrer.organisation_code",
          absl::StrCat("must be your own organisation, ", caller.organisation_code,
                       " (as in your client certificate), or left empty")}});
  }
  return absl::OkStatus();
}

}  // namespace sprout::pipeline
