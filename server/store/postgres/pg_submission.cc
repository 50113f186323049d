// The submission side of PostgresStoreImpl's writer: the PostgreSQL
// statements of the shared submission job (server/store/submission_write.h),
// every row of a new submission in one round trip, and the load counters and
// audit records other writes share.
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
#include "server/store/submission_write.h"

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
  return ApplySubmissionJob(*this, cipher(), chain_, job, partial);
}

absl::StatusOr<SubmissionStatements::Lookup> PostgresStoreImpl::LookUpSubmission(
    const Submission& s) {
  // The heads are locked, so a key or an open episode committed by any
  // replica is visible here. One round trip reads both.
  SPROUT_ASSIGN_OR_RETURN(
      Result row,
      writer_->Run("SELECT k.request_hash, k.referral_id, k.queue_sequence, "
                   "(SELECT id FROM episodes WHERE person_key = $2 AND is_open "
                   "AND person_key <> '') "
                   "FROM (SELECT 1) AS one LEFT JOIN idempotency_keys k ON k.request_id = $1",
                   Params().Text(IdempotencyKeyOf(s)).Text(s.person_key)));
  Lookup seen;
  seen.seen = !row.IsNull(0, 0);
  if (seen.seen) {
    seen.request_hash = row.Text(0, 0);
    seen.referral_id = row.Text(0, 1);
    seen.queue_sequence = row.Int(0, 2);
  }
  if (!row.IsNull(0, 3)) seen.open_episode = row.Text(0, 3);
  return seen;
}

absl::StatusOr<std::optional<std::string>> PostgresStoreImpl::ReadReferralBody(
    const std::string& referral_id) {
  SPROUT_ASSIGN_OR_RETURN(Result body, writer_->Run("SELECT body FROM referrals WHERE id = $1",
                                                    Params().Text(referral_id)));
  if (body.rows() == 0) return std::nullopt;
  return std::string(body.Bytes(0, 0));
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

absl::Status PostgresStoreImpl::InsertSubmissionRows(const Submission& s, const NewRows& rows) {
  const sprout::v1::Referral& referral = s.referral;
  const sprout::v1::RoutingDecision& d = s.decision;
  const sprout::v1::QueueItem& item = s.queue_item;
  const int64_t audit_sequence = chain_.last_audit_sequence + 1;
  std::string audit_hash = audit::ChainAuditHash(chain_.last_audit_hash, audit_sequence, s.audit);
  SPROUT_RETURN_IF_ERROR(
      writer_
          ->Run(kInsertSubmission,
                Params()
                    // episode: $1-$6
                    .Text(rows.episode_id)
                    .Text(s.person_key)
                    .Text(PcnCodeOfQueue(referral.route().pcn()))
                    .Text(referral.route().link_worker())
                    .Int(rows.create_us)
                    .Bool(!rows.linked)
                    // referral: $7-$11
                    .Text(rows.referral_id)
                    .Text(s.organisation_code)
                    .Int(referral.state())
                    .Text(referral.route().link_worker())
                    .Bytes(cipher().SealMessage(ReferralRecord(rows.referral_id), referral))
                    // decision and reasons: $12-$20
                    .Text(rows.decision_id)
                    .Text(PcnCodeOfQueue(d.route().pcn()))
                    .Text(d.practice_code())
                    .Int(d.source_type())
                    .Int(d.outcome())
                    .Text(d.route().rule())
                    .Int(TimestampMicros(d.decide_time()))
                    .Bytes(cipher().SealMessage(DecisionRecord(rows.decision_id), d))
                    .Text(DecisionReasonArray(d))
                    // queue item: $21-$28
                    .Int(rows.sequence)
                    .Text(rows.item_id)
                    .Text(item.queue())
                    .Text(PcnCodeOfQueue(item.queue()))
                    .Int(item.priority())
                    .Int(item.state())
                    .Int(TimestampMicros(item.enqueue_time()))
                    .Bytes(cipher().SealMessage(QueueItemRecord(rows.item_id), item))
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
  chain_.last_audit_sequence = audit_sequence;
  chain_.last_audit_hash = std::move(audit_hash);
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
