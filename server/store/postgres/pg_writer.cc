// The write side of PostgresStoreImpl: a bounded queue drained by one writer
// thread that commits many jobs per transaction (group commit).
//
// Each transaction first locks the two head rows (queue sequence, audit
// chain) and writes them back just before COMMIT, so write transactions of
// all replicas commit one after the other: sequences become visible in
// sequence order and the audit chain never forks. Each job runs under a
// SAVEPOINT: a job that fails after writing is rolled back to it and stores
// nothing, and the others still commit. Callbacks run on the writer thread
// after COMMIT.
#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "base/status_macros.h"
#include "server/audit/audit_chain.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {
namespace {

absl::Status ShuttingDown() { return absl::UnavailableError("the store is shut down"); }

bool InFailedTransaction(const Connection& db) {
  return PQtransactionStatus(db.raw()) == PQTRANS_INERROR;
}

}  // namespace

bool PostgresStoreImpl::Enqueue(Job& job, absl::Status* refusal) {
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

void PostgresStoreImpl::SubmitAsync(Submission submission, SubmitCallback done) {
  Job job;
  job.is_submission = true;
  job.proposed_episode = submission.referral.episode();
  job.submission = std::move(submission);
  job.submit_done = std::move(done);
  absl::Status refusal;
  // A refused job was not moved from: answer it here, on the caller's thread.
  if (!Enqueue(job, &refusal)) job.submit_done(refusal);
}

absl::Status PostgresStoreImpl::RunOnWriter(std::function<absl::Status(bool* partial)> apply) {
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

absl::Status PostgresStoreImpl::AppendAudit(const AuditEvent& event) {
  return RunOnWriter([this, &event](bool*) { return InsertAudit(event); });
}

absl::Status PostgresStoreImpl::RecordDirectoryVersion(const DirectoryVersion& version) {
  if (version.version.empty()) return absl::InvalidArgumentError("directory version is empty");
  return RunOnWriter([this, &version](bool*) -> absl::Status {
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
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (writer_thread_.joinable()) writer_thread_.join();
  listener_stop_.store(true);
  if (listener_thread_.joinable()) listener_thread_.join();
  stopped_.store(true);
}

void PostgresStoreImpl::WriterLoop() {
  std::vector<Job> batch;
  while (true) {
    batch.clear();
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](PostgresStoreImpl* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
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

absl::Status PostgresStoreImpl::CommitBatch(bool queue_changed) {
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
        "the connection to PostgreSQL was lost during COMMIT, so whether it was stored is "
        "unknown; retry with the same request_id (connection lost)");
  }
  return error;
}

void PostgresStoreImpl::RunBatch(std::vector<Job>& batch) {
  const size_t n = batch.size();
  std::vector<absl::StatusOr<SubmitOutcome>> results(n, absl::UnknownError("not run"));
  absl::Status txn = EnsureWriter();
  if (txn.ok()) txn = BeginBatch();
  if (!txn.ok() && writer_ != nullptr && !writer_->ok()) {
    // An idle connection finds out it was lost only when used (e.g. the
    // server restarted). Nothing has run yet, so reconnect and start again.
    txn = EnsureWriter();
    if (txn.ok()) txn = BeginBatch();
  }
  const int64_t first_sequence = chain_.last_queue_sequence;
  const int64_t referral_changes_before = chain_.referral_changes;
  for (size_t i = 0; i < n && txn.ok(); ++i) {
    txn = writer_->Exec(i == 0 ? "SAVEPOINT job" : "RELEASE SAVEPOINT job; SAVEPOINT job");
    if (!txn.ok()) break;
    const ChainState before = chain_;
    bool partial = false;
    results[i] = RunJob(batch[i], &partial);
    if (!writer_->ok()) {
      txn = results[i].ok() ? writer_->Error(nullptr, "PostgreSQL") : results[i].status();
      break;
    }
    if (!results[i].ok() && (partial || InFailedTransaction(*writer_))) {
      // Nothing of this job stays (an ALREADY_EXISTS refusal that wrote
      // only its audit record, and no SQL error, keeps that record).
      chain_ = before;
      txn = writer_->Exec("ROLLBACK TO SAVEPOINT job");
    }
  }
  const auto changed = [&] {
    return chain_.last_queue_sequence != first_sequence ||
           chain_.referral_changes != referral_changes_before;
  };
  absl::Duration commit_time;
  if (txn.ok()) {
    const absl::Time commit_start = absl::Now();
    txn = CommitBatch(changed());
    commit_time = absl::Now() - commit_start;
  }
  if (options_.writer_observer) options_.writer_observer(n, commit_time, txn.ok());
  if (!txn.ok()) {
    if (writer_ != nullptr && writer_->ok() &&
        PQtransactionStatus(writer_->raw()) != PQTRANS_IDLE) {
      writer_->Exec("ROLLBACK").IgnoreError();  // `txn` is the error to report
    }
    if (!absl::StrContains(txn.message(), "unknown")) {
      txn = absl::Status(txn.code(), absl::StrCat("nothing was stored: ", txn.message()));
    }
  } else {
    transactions_.fetch_add(1, std::memory_order_relaxed);
    int64_t largest = largest_batch_.load(std::memory_order_relaxed);
    const int64_t size = static_cast<int64_t>(n);
    while (size > largest && !largest_batch_.compare_exchange_weak(largest, size)) {
    }
    // Every queue change takes a new sequence. Local watchers are woken
    // before the callers are answered; other replicas hear the NOTIFY.
    if (changed()) queue_changes_.Notify();
  }
  for (size_t i = 0; i < n; ++i) {
    Job& job = batch[i];
    const absl::Status status = !txn.ok() ? txn : results[i].status();
    if (job.is_submission) {
      if (status.ok()) {
        submissions_.fetch_add(1, std::memory_order_relaxed);
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

absl::StatusOr<SubmitOutcome> PostgresStoreImpl::RunJob(Job& job, bool* partial) {
  if (job.is_submission) return ApplySubmission(job, partial);
  SPROUT_RETURN_IF_ERROR(job.apply(partial));
  return SubmitOutcome{};
}

}  // namespace sprout::store::postgres
