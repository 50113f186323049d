// The write side of PostgresStoreImpl: its statements for the shared
// group-commit writer (server/store/group_commit_writer.h).
//
// Each transaction first locks the two head rows (queue sequence, audit
// chain) and writes them back just before COMMIT, so write transactions of
// all replicas commit one after the other: sequences become visible in
// sequence order and the audit chain never forks. Each job runs under a
// SAVEPOINT: a job that fails after writing is rolled back to it and stores
// nothing, and the others still commit.
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/audit/audit_chain.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {

void PostgresStoreImpl::SubmitAsync(Submission submission, SubmitCallback done) {
  group_commit_.Submit(std::move(submission), std::move(done));
}

absl::Status PostgresStoreImpl::AppendAudit(const AuditEvent& event) {
  return group_commit_.Run([this, &event](bool*) { return InsertAudit(event); });
}

void PostgresStoreImpl::AppendAuditsAsync(std::vector<AuditEvent> events, AppendDone done) {
  group_commit_.RunAsync(
      AppendEachJob(std::move(events), [this](const AuditEvent& e) { return InsertAudit(e); }),
      std::move(done));
}

absl::Status PostgresStoreImpl::RecordDirectoryVersion(const DirectoryVersion& version) {
  if (version.version.empty()) return absl::InvalidArgumentError("directory version is empty");
  return group_commit_.Run([this, &version](bool*) -> absl::Status {
    return writer_
        ->Run(
            "INSERT INTO directory_versions (version, loaded_time_us, description) "
            "VALUES ($1, $2, $3) ON CONFLICT (version) DO NOTHING",
            Params()
                .Text(version.version)
                .Int(absl::ToUnixMicros(version.loaded_time))
                .Text(version.description))
        .status();
  });
}

void PostgresStoreImpl::Shutdown() {
  group_commit_.Stop();
  listener_stop_.store(true);
  if (listener_thread_.joinable()) listener_thread_.join();
  stopped_.store(true);
}

absl::Status PostgresStoreImpl::EnsureWriter() {
  if (writer_ != nullptr && writer_->ok()) return absl::OkStatus();
  const absl::Time now = absl::Now();
  if (!writer_backoff_.Ready(now)) return Unreachable(writer_backoff_.next_attempt());
  writer_.reset();
  writer_pid_.store(0);
  absl::StatusOr<std::unique_ptr<Connection>> conn = connector_->Connect();
  if (!conn.ok()) {
    writer_backoff_.Failed(absl::Now());
    return conn.status();
  }
  writer_backoff_.Succeeded();
  reconnects_.fetch_add(1, std::memory_order_relaxed);  // the first came from Open
  writer_ = *std::move(conn);
  writer_pid_.store(writer_->backend_pid());
  return absl::OkStatus();
}

absl::Status PostgresStoreImpl::BeginBatch() {
  SPROUT_RETURN_IF_ERROR(writer_->Exec("BEGIN"));
  // Locks both heads until COMMIT: a replica's next write transaction waits
  // here, then reads the values this one wrote.
  SPROUT_ASSIGN_OR_RETURN(
      Result heads,
      writer_->Run("SELECT q.last, a.sequence, a.hash FROM queue_sequence q, audit_chain_head a "
                   "FOR UPDATE"));
  if (heads.rows() != 1) {
    return absl::DataLossError("the queue sequence or audit chain head row is missing");
  }
  chain_.last_queue_sequence = heads.Int(0, 0);
  chain_.last_audit_sequence = heads.Int(0, 1);
  chain_.last_audit_hash = heads.Text(0, 2);
  if (chain_.last_audit_hash.empty()) chain_.last_audit_hash = audit::GenesisAuditHash();
  return absl::OkStatus();
}

absl::Status PostgresStoreImpl::Commit(bool queue_changed) {
  SPROUT_RETURN_IF_ERROR(writer_
                             ->Run("WITH q AS (UPDATE queue_sequence SET last = $1) "
                                   "UPDATE audit_chain_head SET sequence = $2, hash = $3",
                                   Params()
                                       .Int(chain_.last_queue_sequence)
                                       .Int(chain_.last_audit_sequence)
                                       .Bytes(chain_.last_audit_hash))
                             .status());
  if (queue_changed) {
    // Delivered to every listener when (and only if) this transaction commits.
    SPROUT_RETURN_IF_ERROR(
        writer_->Run("SELECT pg_notify($1, current_schema())", Params().Text(kQueueChannel))
            .status());
  }
  PGresult* res = PQexec(writer_->raw(), "COMMIT");
  const bool committed = res != nullptr && PQresultStatus(res) == PGRES_COMMAND_OK &&
                         std::string(PQcmdStatus(res)) == "COMMIT";
  absl::Status error = committed ? absl::OkStatus() : writer_->Error(res, "COMMIT");
  PQclear(res);
  if (!committed && writer_->ok() && error.ok()) {
    error = absl::InternalError("COMMIT rolled back");
  }
  if (!committed && !writer_->ok()) {
    return absl::UnavailableError(
        absl::StrCat("the connection to PostgreSQL was lost during COMMIT, so ", kOutcomeUnknown,
                     "; retry with the same request_id (connection lost)"));
  }
  return error;
}

absl::Status PostgresStoreImpl::Begin() {
  absl::Status begun = EnsureWriter();
  if (begun.ok()) begun = BeginBatch();
  if (!begun.ok() && writer_ != nullptr && !writer_->ok()) {
    // An idle connection finds out it was lost only when used (e.g. the
    // server restarted). Nothing has run yet, so reconnect and start again.
    begun = EnsureWriter();
    if (begun.ok()) begun = BeginBatch();
  }
  return begun;
}

absl::Status PostgresStoreImpl::MarkJob(size_t index) {
  return writer_->Exec(index == 0 ? "SAVEPOINT job" : "RELEASE SAVEPOINT job; SAVEPOINT job");
}

absl::Status PostgresStoreImpl::TransactionEnded(const absl::StatusOr<SubmitOutcome>& result) {
  if (writer_->ok()) return absl::OkStatus();
  return result.ok() ? writer_->Error(nullptr, "PostgreSQL") : result.status();
}

bool PostgresStoreImpl::MustUndo() const {
  // A failed statement leaves the transaction refusing everything until the
  // savepoint is restored (an ALREADY_EXISTS refusal that wrote only its
  // audit record, and no SQL error, keeps that record).
  return PQtransactionStatus(writer_->raw()) == PQTRANS_INERROR;
}

absl::Status PostgresStoreImpl::UndoJob() { return writer_->Exec("ROLLBACK TO SAVEPOINT job"); }

void PostgresStoreImpl::Abandon() {
  if (writer_ != nullptr && writer_->ok() && PQtransactionStatus(writer_->raw()) != PQTRANS_IDLE) {
    writer_->Exec("ROLLBACK").IgnoreError();  // the writer reports the first error
  }
}

}  // namespace sprout::store::postgres
