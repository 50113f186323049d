// The submission side of SqliteStoreImpl's writer: the SQLite statements of
// the shared submission job (server/store/submission_write.h), one per row,
// and the load counters, decisions and audit records other writes share.
#include <sqlite3.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "base/status_macros.h"
#include "server/audit/audit_chain.h"
#include "server/lifecycle/caseload_accounting.h"
#include "server/store/audit_query.h"
#include "server/store/names.h"
#include "server/store/sqlite/sqlite_store_impl.h"
#include "server/store/submission_write.h"

namespace sprout::store::sqlite {

absl::StatusOr<SubmitOutcome> SqliteStoreImpl::ApplySubmission(Job& job, bool* partial) {
  return ApplySubmissionJob(*this, cipher(), chain_, job, partial);
}

absl::StatusOr<SubmissionStatements::Lookup> SqliteStoreImpl::LookUpSubmission(
    const Submission& s) {
  Lookup seen;
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("SELECT request_hash, referral_id, queue_sequence FROM idempotency_keys "
                         "WHERE request_id = ?"));
    stmt.BindText(1, IdempotencyKeyOf(s));
    SPROUT_ASSIGN_OR_RETURN(seen.seen, stmt.Step());
    if (seen.seen) {
      seen.request_hash = stmt.ColumnText(0);
      seen.referral_id = stmt.ColumnText(1);
      seen.queue_sequence = stmt.ColumnInt64(2);
      return seen;  // a replay or a refusal: the episode does not matter
    }
  }
  if (!s.person_key.empty()) {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare(
            "SELECT id FROM episodes WHERE person_key = ? AND is_open = 1 AND person_key != ''"));
    stmt.BindText(1, s.person_key);
    SPROUT_ASSIGN_OR_RETURN(bool open, stmt.Step());
    if (open) seen.open_episode = stmt.ColumnText(0);
  }
  return seen;
}

absl::StatusOr<std::optional<std::string>> SqliteStoreImpl::ReadReferralBody(
    const std::string& referral_id) {
  SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                          writer_->Prepare("SELECT body FROM referrals WHERE id = ?"));
  stmt.BindText(1, referral_id);
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::nullopt;
  return std::string(stmt.ColumnBlob(0));
}

absl::Status SqliteStoreImpl::InsertSubmissionRows(const Submission& s, const NewRows& rows) {
  const sprout::v1::Referral& referral = s.referral;
  if (!rows.linked) {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("INSERT INTO episodes (id, person_key, pcn_code, link_worker, is_open, "
                         "open_time_us) VALUES (?, ?, ?, ?, 1, ?)"));
    SPROUT_RETURN_IF_ERROR(stmt.BindText(1, rows.episode_id)
                               .BindText(2, s.person_key)
                               .BindText(3, PcnCodeOfQueue(referral.route().pcn()))
                               .BindText(4, referral.route().link_worker())
                               .Bind(5, rows.create_us)
                               .Run());
  }
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("INSERT INTO referrals (id, organisation_code, person_key, episode_id, "
                         "state, create_time_us, link_worker, body) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    SPROUT_RETURN_IF_ERROR(
        stmt.BindText(1, rows.referral_id)
            .BindText(2, s.organisation_code)
            .BindText(3, s.person_key)
            .BindText(4, rows.episode_id)
            .Bind(5, referral.state())
            .Bind(6, rows.create_us)
            .BindText(7, referral.route().link_worker())
            .BindBlob(8, cipher().SealMessage(ReferralRecord(rows.referral_id), referral))
            .Run());
  }
  SPROUT_RETURN_IF_ERROR(InsertDecision(s.decision, rows.decision_id, rows.referral_id));
  {
    const sprout::v1::QueueItem& item = s.queue_item;
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("INSERT INTO queue_items (sequence, id, referral_id, queue, pcn_code, "
                         "priority, state, enqueue_time_us, body) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    SPROUT_RETURN_IF_ERROR(
        stmt.Bind(1, rows.sequence)
            .BindText(2, rows.item_id)
            .BindText(3, rows.referral_id)
            .BindText(4, item.queue())
            .BindText(5, PcnCodeOfQueue(item.queue()))
            .Bind(6, item.priority())
            .Bind(7, item.state())
            .Bind(8, TimestampMicros(item.enqueue_time()))
            .BindBlob(9, cipher().SealMessage(QueueItemRecord(rows.item_id), item))
            .Run());
  }
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("INSERT INTO idempotency_keys (request_id, request_hash, referral_id, "
                         "queue_sequence, create_time_us) VALUES (?, ?, ?, ?, ?)"));
    SPROUT_RETURN_IF_ERROR(stmt.BindText(1, IdempotencyKeyOf(s))
                               .BindText(2, s.request_hash)
                               .BindText(3, rows.referral_id)
                               .Bind(4, rows.sequence)
                               .Bind(5, rows.create_us)
                               .Run());
  }
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("INSERT INTO referral_events (referral_id, state, event_time_us, actor, "
                         "action) VALUES (?, ?, ?, ?, ?)"));
    SPROUT_RETURN_IF_ERROR(stmt.BindText(1, rows.referral_id)
                               .Bind(2, referral.state())
                               .Bind(3, rows.create_us)
                               .BindText(4, s.audit.actor_organisation)
                               .BindText(5, s.audit.action)
                               .Run());
  }
  return InsertAudit(s.audit);
}

absl::Status SqliteStoreImpl::InsertDecision(const sprout::v1::RoutingDecision& d,
                                             const std::string& decision_id,
                                             const std::string& referral_id) {
  {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("INSERT INTO routing_decisions (id, referral_id, pcn_code, "
                         "practice_code, source_type, outcome, rule, decide_time_us, body) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    SPROUT_RETURN_IF_ERROR(stmt.BindText(1, decision_id)
                               .BindText(2, referral_id)
                               .BindText(3, PcnCodeOfQueue(d.route().pcn()))
                               .BindText(4, d.practice_code())
                               .Bind(5, d.source_type())
                               .Bind(6, d.outcome())
                               .BindText(7, d.route().rule())
                               .Bind(8, TimestampMicros(d.decide_time()))
                               .BindBlob(9, cipher().SealMessage(DecisionRecord(decision_id), d))
                               .Run());
  }
  const int64_t decision_pk = sqlite3_last_insert_rowid(writer_->raw());
  for (const sprout::v1::CodedConcept& reason : d.reasons()) {
    uint64_t concept_id = 0;
    if (!absl::SimpleAtoi(reason.code(), &concept_id)) continue;  // e.g. needs review
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare(
            "INSERT OR IGNORE INTO decision_reasons (concept_id, decision_pk) VALUES (?, ?)"));
    SPROUT_RETURN_IF_ERROR(
        stmt.Bind(1, static_cast<int64_t>(concept_id)).Bind(2, decision_pk).Run());
  }
  return absl::OkStatus();
}

absl::Status SqliteStoreImpl::AddLoad(const std::string& link_worker, int open_delta,
                                      int waiting_delta) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare(
          "INSERT INTO link_worker_load (link_worker, open_caseload, waiting) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (link_worker) DO UPDATE SET open_caseload = open_caseload + ?2, "
          "waiting = waiting + ?3"));
  return stmt.BindText(1, link_worker).Bind(2, open_delta).Bind(3, waiting_delta).Run();
}

absl::Status SqliteStoreImpl::ApplyLoadChange(const lifecycle::LoadChange& change) {
  for (const lifecycle::LoadDelta& d : change.loads) {
    SPROUT_RETURN_IF_ERROR(AddLoad(d.link_worker, d.open_caseload, d.waiting));
  }
  if (!change.accepted.has_value()) return absl::OkStatus();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("INSERT INTO link_worker_accepted (link_worker, year, accepted) "
                       "VALUES (?1, ?2, 1) ON CONFLICT (link_worker, year) "
                       "DO UPDATE SET accepted = accepted + 1"));
  return stmt.BindText(1, change.accepted->link_worker)
      .Bind(2, change.accepted->financial_year)
      .Run();
}

absl::Status SqliteStoreImpl::InsertAudit(const AuditEvent& event) {
  const int64_t sequence = chain_.last_audit_sequence + 1;
  std::string hash = audit::ChainAuditHash(chain_.last_audit_hash, sequence, event);
  SPROUT_ASSIGN_OR_RETURN(Statement stmt, writer_->Prepare(absl::StrCat(
                                              "INSERT INTO audit_records (", kAuditColumns,
                                              ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")));
  SPROUT_RETURN_IF_ERROR(stmt.Bind(1, sequence)
                             .Bind(2, absl::ToUnixMicros(event.time))
                             .BindText(3, event.actor_organisation)
                             .BindText(4, event.actor_role)
                             .BindText(5, event.action)
                             .BindText(6, event.resource)
                             .BindText(7, event.outcome)
                             .BindText(8, event.actor_link_worker)
                             .BindText(9, audit::ReturnedText(event))
                             .BindText(10, event.stated_reason)
                             .BindBlob(11, chain_.last_audit_hash)
                             .BindBlob(12, hash)
                             .Run());
  chain_.last_audit_sequence = sequence;
  chain_.last_audit_hash = std::move(hash);
  return absl::OkStatus();
}

}  // namespace sprout::store::sqlite
