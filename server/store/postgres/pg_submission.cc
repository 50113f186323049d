// The submission side of PostgresStoreImpl's writer: idempotency, episodes,
// the referral, decision, queue item, load counters, lifecycle event and
// audit record of one submission, inside the writer's open transaction.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "base/status_macros.h"
#include "server/audit/audit_chain.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/audit_query.h"
#include "server/store/names.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {

std::string DecisionReasonArray(const sprout::v1::RoutingDecision& decision) {
  std::vector<std::string> reasons;
  for (const sprout::v1::CodedConcept& reason : decision.reasons()) {
    uint64_t concept_id = 0;
    if (absl::SimpleAtoi(reason.code(), &concept_id)) {  // e.g. not "needs review"
      reasons.push_back(absl::StrCat(static_cast<int64_t>(concept_id)));
    }
  }
  return absl::StrCat("{", absl::StrJoin(reasons, ","), "}");
}

absl::StatusOr<SubmitOutcome> PostgresStoreImpl::ApplySubmission(Job& job, bool* partial) {
  Submission& s = job.submission;
  if (s.request_id.empty()) return absl::InvalidArgumentError("request_id is required");
  // The heads are locked, so a key or an open episode committed by any
  // replica is visible here. One round trip reads both.
  SPROUT_ASSIGN_OR_RETURN(
      Result seen,
      writer_->Run("SELECT k.request_hash, k.referral_id, k.queue_sequence, "
                   "(SELECT id FROM episodes WHERE person_key = $2 AND is_open "
                   "AND person_key <> '') "
                   "FROM (SELECT 1) AS one LEFT JOIN idempotency_keys k ON k.request_id = $1",
                   Params().Text(IdempotencyKeyOf(s)).Text(s.person_key)));
  const bool replay = !seen.IsNull(0, 0);
  if (replay && seen.Bytes(0, 0) != s.request_hash) {
    // The refusal is audited; that record commits although the job fails.
    s.audit.outcome = "ALREADY_EXISTS";
    SPROUT_RETURN_IF_ERROR(InsertAudit(s.audit));
    return absl::AlreadyExistsError(absl::StrCat(
        "request_id ", s.request_id,
        " was already used for a different request; use a new request_id for a new referral"));
  }
  SubmitOutcome outcome;
  if (replay) {
    const std::string referral_id = seen.Text(0, 1);
    SPROUT_ASSIGN_OR_RETURN(Result body, writer_->Run("SELECT body FROM referrals WHERE id = $1",
                                                      Params().Text(referral_id)));
    if (body.rows() == 0) {
      return absl::DataLossError(
          absl::StrCat("the referral stored for request_id ", s.request_id, " is missing"));
    }
    SPROUT_RETURN_IF_ERROR(
        cipher().OpenMessage(ReferralRecord(referral_id), body.Bytes(0, 0), &outcome.referral));
    SPROUT_RETURN_IF_ERROR(InsertAudit(s.audit));
    outcome.queue_sequence = seen.Int(0, 2);
    outcome.replayed = true;
    return outcome;
  }
  std::optional<std::string> open_episode;
  if (!seen.IsNull(0, 3)) open_episode = seen.Text(0, 3);
  SPROUT_RETURN_IF_ERROR(
      InsertSubmission(s, job.proposed_episode, open_episode, &outcome, partial));
  return outcome;
}

// Every row of a new submission in one statement (one round trip): the
// episode (unless it links to an open one), referral, decision and reasons,
// queue item, idempotency key, first lifecycle event and audit record.
// Foreign keys are checked at the end of the statement, when all exist.
constexpr char kInsertSubmission[] = R"sql(
WITH e AS (
  INSERT INTO episodes (id, person_key, pcn_code, link_worker, is_open, open_time_us)
  SELECT $1, $2, $3, $4, TRUE, $5 WHERE $6::BOOLEAN
), r AS (
  INSERT INTO referrals (id, organisation_code, person_key, episode_id, state, create_time_us,
                         link_worker, body)
  VALUES ($7, $8, $2, $1, $9, $5, $10, $11)
), d AS (
  INSERT INTO routing_decisions (id, referral_id, pcn_code, practice_code, source_type, outcome,
                                 rule, decide_time_us, body)
  VALUES ($12, $7, $13, $14, $15, $16, $17, $18, $19) RETURNING pk
), reasons AS (
  INSERT INTO decision_reasons (concept_id, decision_pk)
  SELECT DISTINCT c, d.pk FROM d, unnest($20::BIGINT[]) AS c
), q AS (
  INSERT INTO queue_items (sequence, id, referral_id, queue, pcn_code, priority, state,
                           enqueue_time_us, body)
  VALUES ($21, $22, $7, $23, $24, $25, $26, $27, $28)
), k AS (
  INSERT INTO idempotency_keys (request_id, request_hash, referral_id, queue_sequence,
                                create_time_us)
  VALUES ($29, $30, $7, $21, $5)
), ev AS (
  INSERT INTO referral_events (referral_id, state, event_time_us, actor, action)
  VALUES ($7, $9, $5, $31, $35)
)
INSERT INTO audit_records (sequence, time_us, actor_organisation, actor_role, action, resource,
                           outcome, prev_hash, hash, actor_link_worker, returned, stated_reason)
VALUES ($32, $33, $31, $34, $35, $36, $37, $38, $39, $40, $41, $42)
)sql";

absl::Status PostgresStoreImpl::InsertSubmission(Submission& s, const std::string& proposed_episode,
                                                 const std::optional<std::string>& open_episode,
                                                 SubmitOutcome* out, bool* partial) {
  sprout::v1::Referral& referral = s.referral;
  SPROUT_ASSIGN_OR_RETURN(const std::string referral_id,
                          IdFromName(referral.name(), "referrals", "referral.name"));
  SPROUT_ASSIGN_OR_RETURN(const std::string decision_id,
                          IdFromName(s.decision.name(), "routingDecisions", "decision.name"));
  SPROUT_ASSIGN_OR_RETURN(const std::string item_id,
                          IdFromName(s.queue_item.name(), "queueItems", "queue_item.name"));
  SPROUT_ASSIGN_OR_RETURN(std::string episode_id,
                          IdFromName(proposed_episode, "episodes", "referral.episode"));
  const int64_t create_us = TimestampMicros(referral.create_time());

  // One open episode per person: the unique index enforces it, and the
  // lookup ran with the heads locked, so it saw every replica's episodes.
  const bool linked = open_episode.has_value() && !s.person_key.empty();
  if (linked) episode_id = *open_episode;
  referral.set_episode(absl::StrCat("episodes/", episode_id));
  referral.set_linked_to_existing_episode(linked);

  const sprout::v1::RoutingDecision& d = s.decision;
  const int64_t sequence = chain_.last_queue_sequence + 1;
  sprout::v1::QueueItem& item = s.queue_item;
  item.set_sequence(sequence);
  const int64_t audit_sequence = chain_.last_audit_sequence + 1;
  std::string audit_hash = audit::ChainAuditHash(chain_.last_audit_hash, audit_sequence, s.audit);

  // Every failure from here on may leave part of this submission written.
  *partial = true;
  SPROUT_RETURN_IF_ERROR(
      writer_
          ->Run(kInsertSubmission,
                Params()
                    // episode: $1-$6
                    .Text(episode_id)
                    .Text(s.person_key)
                    .Text(PcnCodeOfQueue(referral.route().pcn()))
                    .Text(referral.route().link_worker())
                    .Int(create_us)
                    .Bool(!linked)
                    // referral: $7-$11
                    .Text(referral_id)
                    .Text(s.organisation_code)
                    .Int(referral.state())
                    .Text(referral.route().link_worker())
                    .Bytes(cipher().SealMessage(ReferralRecord(referral_id), referral))
                    // decision and reasons: $12-$20
                    .Text(decision_id)
                    .Text(PcnCodeOfQueue(d.route().pcn()))
                    .Text(d.practice_code())
                    .Int(d.source_type())
                    .Int(d.outcome())
                    .Text(d.route().rule())
                    .Int(TimestampMicros(d.decide_time()))
                    .Bytes(cipher().SealMessage(DecisionRecord(decision_id), d))
                    .Text(DecisionReasonArray(d))
                    // queue item: $21-$28
                    .Int(sequence)
                    .Text(item_id)
                    .Text(item.queue())
                    .Text(PcnCodeOfQueue(item.queue()))
                    .Int(item.priority())
                    .Int(item.state())
                    .Int(TimestampMicros(item.enqueue_time()))
                    .Bytes(cipher().SealMessage(QueueItemRecord(item_id), item))
                    // idempotency key and event: $29-$31
                    .Text(IdempotencyKeyOf(s))
                    .Text(s.request_hash)
                    .Text(s.audit.actor_organisation)
                    // audit record: $32-$39
                    .Int(audit_sequence)
                    .Int(absl::ToUnixMicros(s.audit.time))
                    .Text(s.audit.actor_role)
                    .Text(s.audit.action)
                    .Text(s.audit.resource)
                    .Text(s.audit.outcome)
                    .Bytes(chain_.last_audit_hash)
                    .Bytes(audit_hash)
                    // $40-$42
                    .Text(s.audit.actor_link_worker)
                    .Text(audit::ReturnedText(s.audit))
                    .Text(s.audit.stated_reason))
          .status());
  chain_.last_queue_sequence = sequence;
  chain_.last_audit_sequence = audit_sequence;
  chain_.last_audit_hash = std::move(audit_hash);

  SPROUT_RETURN_IF_ERROR(ApplyLoadChange(
      lifecycle::LoadChangeOf(nullptr, nullptr, referral, &item,
                              absl::FromUnixMicros(TimestampMicros(referral.create_time())))));
  // out->referral is filled from s.referral after COMMIT (RunBatch).
  out->queue_sequence = sequence;
  out->replayed = false;
  return absl::OkStatus();
}

absl::Status PostgresStoreImpl::AddLoad(const std::string& link_worker, int open_delta,
                                        int waiting_delta) {
  return writer_
      ->Run(
          "INSERT INTO link_worker_load AS l (link_worker, open_caseload, waiting) "
          "VALUES ($1, $2, $3) ON CONFLICT (link_worker) DO UPDATE SET "
          "open_caseload = l.open_caseload + EXCLUDED.open_caseload, "
          "waiting = l.waiting + EXCLUDED.waiting",
          Params().Text(link_worker).Int(open_delta).Int(waiting_delta))
      .status();
}

absl::Status PostgresStoreImpl::AddAccepted(const std::string& link_worker, int64_t year) {
  return writer_
      ->Run(
          "INSERT INTO link_worker_accepted AS a (link_worker, year, accepted) "
          "VALUES ($1, $2, 1) ON CONFLICT (link_worker, year) "
          "DO UPDATE SET accepted = a.accepted + 1",
          Params().Text(link_worker).Int(year))
      .status();
}

absl::Status PostgresStoreImpl::ApplyLoadChange(const lifecycle::LoadChange& change) {
  for (const lifecycle::LoadDelta& d : change.loads) {
    SPROUT_RETURN_IF_ERROR(AddLoad(d.link_worker, d.open_caseload, d.waiting));
  }
  if (!change.accepted.has_value()) return absl::OkStatus();
  return AddAccepted(change.accepted->link_worker, change.accepted->financial_year);
}

absl::Status PostgresStoreImpl::InsertAudit(const AuditEvent& event) {
  const int64_t sequence = chain_.last_audit_sequence + 1;
  std::string hash = audit::ChainAuditHash(chain_.last_audit_hash, sequence, event);
  SPROUT_RETURN_IF_ERROR(
      writer_
          ->Run(absl::StrCat("INSERT INTO audit_records (", kAuditColumns,
                             ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"),
                Params()
                    .Int(sequence)
                    .Int(absl::ToUnixMicros(event.time))
                    .Text(event.actor_organisation)
                    .Text(event.actor_role)
                    .Text(event.action)
                    .Text(event.resource)
                    .Text(event.outcome)
                    .Text(event.actor_link_worker)
                    .Text(audit::ReturnedText(event))
                    .Text(event.stated_reason)
                    .Bytes(chain_.last_audit_hash)
                    .Bytes(hash))
          .status());
  chain_.last_audit_sequence = sequence;
  chain_.last_audit_hash = std::move(hash);
  return absl::OkStatus();
}

}  // namespace sprout::store::postgres
