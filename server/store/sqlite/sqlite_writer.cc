// The write side of SqliteStoreImpl: its statements for the shared
// group-commit writer (server/store/group_commit_writer.h). Transactions are
// BEGIN IMMEDIATE ... COMMIT on the one writer connection. A job that fails
// after writing part of itself rolls the transaction back and the batch runs
// again without it: SQLite copies each page a savepoint covers, so one per
// job would cost every job, where the re-run costs only the rare failure.
#include <sqlite3.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/audit/audit_chain.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {

absl::StatusOr<ChainState> SqliteStoreImpl::LoadChainState(Connection& db) {
  ChainState chain;
  {
    SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                            db.Prepare("SELECT COALESCE(MAX(sequence), 0) FROM queue_items"));
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    chain.last_queue_sequence = row ? stmt.ColumnInt64(0) : 0;
  }
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("SELECT sequence, hash FROM audit_records ORDER BY sequence DESC LIMIT 1"));
  SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (row) {
    chain.last_audit_sequence = stmt.ColumnInt64(0);
    chain.last_audit_hash = std::string(stmt.ColumnBlob(1));
  } else {
    chain.last_audit_sequence = 0;
    chain.last_audit_hash = audit::GenesisAuditHash();
  }
  return chain;
}

void SqliteStoreImpl::SubmitAsync(Submission submission, SubmitCallback done) {
  group_commit_.Submit(std::move(submission), std::move(done));
}

absl::Status SqliteStoreImpl::AppendAudit(const AuditEvent& event) {
  const absl::Status s = group_commit_.Run([this, &event](bool*) { return InsertAudit(event); });
  if (s.ok()) audit_appends_.fetch_add(1, std::memory_order_relaxed);
  return s;
}

void SqliteStoreImpl::AppendAuditsAsync(std::vector<AuditEvent> events, AppendDone done) {
  const int64_t count = static_cast<int64_t>(events.size());
  group_commit_.RunAsync(
      AppendEachJob(std::move(events), [this](const AuditEvent& e) { return InsertAudit(e); }),
      [this, count, done = std::move(done)](absl::Status s) {
        if (s.ok()) audit_appends_.fetch_add(count, std::memory_order_relaxed);
        done(std::move(s));
      });
}

absl::Status SqliteStoreImpl::RecordDirectoryVersion(const DirectoryVersion& version) {
  if (version.version.empty()) return absl::InvalidArgumentError("directory version is empty");
  return group_commit_.Run([this, &version](bool*) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(
        Statement stmt,
        writer_->Prepare("INSERT OR IGNORE INTO directory_versions (version, loaded_time_us, "
                         "description) VALUES (?, ?, ?)"));
    return stmt.BindText(1, version.version)
        .Bind(2, absl::ToUnixMicros(version.loaded_time))
        .BindText(3, version.description)
        .Run();
  });
}

void SqliteStoreImpl::Shutdown() {
  group_commit_.Stop();
  stopped_.store(true);
}

absl::Status SqliteStoreImpl::Begin() { return writer_->ExecCached("BEGIN IMMEDIATE"); }

absl::Status SqliteStoreImpl::TransactionEnded(const absl::StatusOr<SubmitOutcome>& result) {
  // Disk full and I/O errors can make SQLite roll back the whole
  // transaction; nothing after that point may claim to be stored.
  if (sqlite3_get_autocommit(writer_->raw()) == 0) return absl::OkStatus();
  return result.ok() ? absl::InternalError("the write transaction ended unexpectedly")
                     : result.status();
}

absl::Status SqliteStoreImpl::UndoJob() { return writer_->Exec("ROLLBACK"); }

absl::Status SqliteStoreImpl::Commit(bool) {
  absl::Status committed = writer_->ExecCached("COMMIT");
  // Now visible to readers (or rolled back): the cached counters may be old.
  load_counts_.Invalidate();
  return committed;
}

void SqliteStoreImpl::Abandon() {
  if (sqlite3_get_autocommit(writer_->raw()) == 0) {
    writer_->Exec("ROLLBACK").IgnoreError();  // the writer reports the first error
  }
}

}  // namespace sprout::store::sqlite
