// The write side of SqliteStoreImpl: a bounded queue drained by one writer
// thread that commits many jobs per transaction (group commit). A job that
// fails before writing (e.g. ALREADY_EXISTS, a malformed name) simply fails;
// one that fails after writing part of itself makes the writer roll back and
// run the batch again without it, so a failure stores nothing of that job and
// never costs the others their commit. Callbacks run on the writer thread
// after COMMIT.
#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/status_macros.h"
#include "server/audit/audit_chain.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {
namespace {

absl::Status ShuttingDown() { return absl::UnavailableError("the store is shut down"); }

}  // namespace

absl::StatusOr<ChainState> SqliteStoreImpl::LoadChainState(Connection& db) {
  ChainState chain;
  {
    SPROUT_ASSIGN_OR_RETURN(Statement stmt,
                            db.Prepare("SELECT COALESCE(MAX(sequence), 0) FROM queue_items"));
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    chain.next_queue_sequence = (row ? stmt.ColumnInt64(0) : 0) + 1;
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

bool SqliteStoreImpl::Enqueue(Job& job, absl::Status* refusal) {
  absl::MutexLock lock(&mu_);
  if (stopping_) {
    *refusal = ShuttingDown();
    return false;
  }
  if (static_cast<int>(queue_.size()) >= options_.max_queue_depth) {
    rejected_queue_full_.fetch_add(1, std::memory_order_relaxed);
    *refusal = absl::ResourceExhaustedError(absl::StrCat(
        "the store's write queue is full (", options_.max_queue_depth, " waiting); retry later"));
    return false;
  }
  queue_.push_back(std::move(job));
  return true;
}

void SqliteStoreImpl::SubmitAsync(Submission submission, SubmitCallback done) {
  Job job;
  job.is_submission = true;
  job.proposed_episode = submission.referral.episode();
  job.submission = std::move(submission);
  job.submit_done = std::move(done);
  absl::Status refusal;
  // A refused job was not moved from: answer it here, on the caller's thread.
  if (!Enqueue(job, &refusal)) job.submit_done(refusal);
}

absl::Status SqliteStoreImpl::RunOnWriter(std::function<absl::Status(bool* partial)> apply) {
  absl::Notification done;
  absl::Status result;
  Job job;
  job.apply = std::move(apply);
  job.apply_done = [&](absl::Status s) {
    result = std::move(s);
    done.Notify();
  };
  absl::Status refusal;
  if (!Enqueue(job, &refusal)) return refusal;
  done.WaitForNotification();
  return result;
}

absl::Status SqliteStoreImpl::AppendAudit(const AuditEvent& event) {
  const absl::Status s = RunOnWriter([this, &event](bool*) { return InsertAudit(event); });
  if (s.ok()) audit_appends_.fetch_add(1, std::memory_order_relaxed);
  return s;
}

absl::Status SqliteStoreImpl::RecordDirectoryVersion(const DirectoryVersion& version) {
  if (version.version.empty()) return absl::InvalidArgumentError("directory version is empty");
  return RunOnWriter([this, &version](bool*) -> absl::Status {
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
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (writer_thread_.joinable()) writer_thread_.join();
  stopped_.store(true);
}

void SqliteStoreImpl::WriterLoop() {
  std::vector<Job> batch;
  while (true) {
    batch.clear();
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](SqliteStoreImpl* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return !self->queue_.empty() || self->stopping_;
          },
          this));
      // Drain what is queued before stopping: accepted work is never dropped.
      if (queue_.empty()) return;
      const size_t n = std::min(queue_.size(), static_cast<size_t>(options_.max_batch_size));
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(batch);
  }
}

void SqliteStoreImpl::RunBatch(std::vector<Job>& batch) {
  const size_t n = batch.size();
  std::vector<absl::StatusOr<SubmitOutcome>> results(n, absl::UnknownError("not run"));
  // A job that failed after writing part of itself is excluded, and the
  // batch runs again without it: its result stays here.
  std::vector<bool> excluded(n, false);
  absl::Status txn;
  const int64_t first_unused_sequence = chain_.next_queue_sequence;
  const int64_t referral_changes_before = chain_.referral_changes;
  ChainState before = chain_;
  bool again = true;
  while (again) {
    again = false;
    before = chain_;
    txn = writer_->ExecCached("BEGIN IMMEDIATE");
    if (!txn.ok()) break;
    for (size_t i = 0; i < n; ++i) {
      if (excluded[i]) continue;
      bool partial = false;
      results[i] = RunJob(batch[i], &partial);
      // Disk full and I/O errors can make SQLite roll back the whole
      // transaction; nothing after that point may claim to be stored.
      if (sqlite3_get_autocommit(writer_->raw()) != 0) {
        txn = results[i].ok() ? absl::InternalError("the write transaction ended unexpectedly")
                              : results[i].status();
        break;
      }
      if (!results[i].ok() && partial) {
        // Undo everything and run the batch again without this job. This
        // costs a re-run only on the rare failure after a write; a SAVEPOINT
        // per job would cost every job a copy of each page it touches.
        txn = writer_->Exec("ROLLBACK");
        chain_ = before;
        excluded[i] = true;
        again = txn.ok();
        break;
      }
    }
  }
  absl::Duration commit_time;
  if (txn.ok()) {
    const absl::Time commit_start = absl::Now();
    txn = writer_->ExecCached("COMMIT");
    commit_time = absl::Now() - commit_start;
  }
  if (options_.writer_observer) options_.writer_observer(n, commit_time, txn.ok());
  if (!txn.ok()) {
    if (sqlite3_get_autocommit(writer_->raw()) == 0) {
      writer_->Exec("ROLLBACK").IgnoreError();  // `txn` is the error to report
    }
    chain_ = before;
    txn = absl::Status(txn.code(), absl::StrCat("nothing was stored: ", txn.message()));
  } else {
    transactions_.fetch_add(1, std::memory_order_relaxed);
    int64_t largest = largest_batch_.load(std::memory_order_relaxed);
    const int64_t size = static_cast<int64_t>(n);
    while (size > largest && !largest_batch_.compare_exchange_weak(largest, size)) {
    }
    // Every queue change takes a new sequence, so this says whether any
    // committed; watchers are woken before the callers are answered.
    if (chain_.next_queue_sequence != first_unused_sequence ||
        chain_.referral_changes != referral_changes_before) {
      queue_changes_.Notify();
    }
  }
  for (size_t i = 0; i < n; ++i) {
    Job& job = batch[i];
    const absl::Status status = excluded[i] ? results[i].status()
                                : !txn.ok() ? txn
                                            : results[i].status();
    if (job.is_submission) {
      if (status.ok()) {
        submissions_.fetch_add(1, std::memory_order_relaxed);
        // A new referral is handed over only now: until COMMIT a re-run
        // might have needed it.
        if (!results[i]->replayed) results[i]->referral = std::move(job.submission.referral);
        job.submit_done(std::move(results[i]));
      } else {
        failed_submissions_.fetch_add(1, std::memory_order_relaxed);
        job.submit_done(status);
      }
    } else {
      job.apply_done(status);
    }
  }
}

absl::StatusOr<SubmitOutcome> SqliteStoreImpl::RunJob(Job& job, bool* partial) {
  if (job.is_submission) return ApplySubmission(job, partial);
  SPROUT_RETURN_IF_ERROR(job.apply(partial));
  return SubmitOutcome{};
}

}  // namespace sprout::store::sqlite
