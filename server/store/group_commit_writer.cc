// File: server/store/group_commit_writer.cc
#include "server/store/group_commit_writer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"

namespace sprout::store {
namespace {

absl::StatusOr<SubmitOutcome> RunJob(WriteBackend& backend, WriteJob& job, bool* partial) {
  if (job.is_submission) return backend.ApplySubmission(job, partial);
  if (absl::Status applied = job.apply(partial); !applied.ok()) return applied;
  return SubmitOutcome{};
}

}  // namespace

std::function<absl::Status(bool* partial)> AppendEachJob(
    std::vector<AuditEvent> events, std::function<absl::Status(const AuditEvent&)> insert) {
  return [events = std::move(events), insert = std::move(insert)](bool* partial) {
    for (const AuditEvent& event : events) {
      if (absl::Status inserted = insert(event); !inserted.ok()) return inserted;
      *partial = true;  // a later failure must not keep this one
    }
    return absl::OkStatus();
  };
}

GroupCommitWriter::GroupCommitWriter(GroupCommitOptions options, WriteBackend* backend)
    : options_(std::move(options)), backend_(backend) {}

GroupCommitWriter::~GroupCommitWriter() { Stop(); }

void GroupCommitWriter::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void GroupCommitWriter::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool GroupCommitWriter::Enqueue(WriteJob& job, absl::Status* refusal) {
  absl::MutexLock lock(&mu_);
  if (stopping_) {
    *refusal = absl::UnavailableError("the store is shut down");
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

void GroupCommitWriter::Submit(Submission submission, Store::SubmitCallback done) {
  WriteJob job;
  job.is_submission = true;
  job.proposed_episode = submission.referral.episode();
  job.submission = std::move(submission);
  job.submit_done = std::move(done);
  absl::Status refusal;
  // A refused job was not moved from: answer it here, on the caller's thread.
  if (!Enqueue(job, &refusal)) job.submit_done(refusal);
}

void GroupCommitWriter::RunAsync(std::function<absl::Status(bool* partial)> apply,
                                 std::function<void(absl::Status)> done) {
  WriteJob job;
  job.apply = std::move(apply);
  job.apply_done = std::move(done);
  absl::Status refusal;
  if (!Enqueue(job, &refusal)) job.apply_done(refusal);
}

absl::Status GroupCommitWriter::Run(std::function<absl::Status(bool* partial)> apply) {
  absl::Notification done;
  absl::Status result;
  RunAsync(std::move(apply), [&](absl::Status s) {
    result = std::move(s);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

size_t GroupCommitWriter::QueueDepth() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

WriterStats GroupCommitWriter::stats() const {
  WriterStats s;
  s.transactions = transactions_.load();
  s.submissions = submissions_.load();
  s.failed_submissions = failed_submissions_.load();
  s.rejected_queue_full = rejected_queue_full_.load();
  s.largest_batch = largest_batch_.load();
  return s;
}

void GroupCommitWriter::Loop() {
  std::vector<WriteJob> batch;
  while (true) {
    batch.clear();
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](GroupCommitWriter* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
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

void GroupCommitWriter::RunBatch(std::vector<WriteJob>& batch) {
  const size_t n = batch.size();
  ChainState& chain = backend_->chain();
  const bool savepoints = backend_->undo() == WriteBackend::Undo::kToSavepoint;
  std::vector<absl::StatusOr<SubmitOutcome>> results(n, absl::UnknownError("not run"));
  // A job that failed after writing is undone: its result (the failure)
  // stands whatever happens to the transaction, which holds nothing of it.
  std::vector<bool> undone(n, false);
  absl::Status txn;
  ChainState before_batch = chain;
  int64_t first_sequence = 0;
  int64_t referral_changes_before = 0;
  bool again = true;
  while (again) {
    again = false;
    chain = before_batch;
    txn = backend_->Begin();
    if (!txn.ok()) break;
    // Begin may have read the heads: the batch's changes count from there.
    before_batch = chain;
    first_sequence = chain.last_queue_sequence;
    referral_changes_before = chain.referral_changes;
    size_t run = 0;
    for (size_t i = 0; i < n; ++i) {
      if (undone[i]) continue;
      if (savepoints) {
        txn = backend_->MarkJob(run);
        if (!txn.ok()) break;
      }
      ++run;
      const ChainState before_job = chain;
      bool partial = false;
      results[i] = RunJob(*backend_, batch[i], &partial);
      txn = backend_->TransactionEnded(results[i]);
      if (!txn.ok()) break;
      if (results[i].ok() || !(partial || backend_->MustUndo())) continue;
      undone[i] = true;
      txn = backend_->UndoJob();
      if (savepoints) {
        chain = before_job;
        if (!txn.ok()) break;
        continue;
      }
      again = txn.ok();
      break;
    }
  }
  const bool changed = txn.ok() && (chain.last_queue_sequence != first_sequence ||
                                    chain.referral_changes != referral_changes_before);
  absl::Duration commit_time;
  if (txn.ok()) {
    const absl::Time commit_start = absl::Now();
    txn = backend_->Commit(changed);
    commit_time = absl::Now() - commit_start;
  }
  if (options_.observer) options_.observer(n, commit_time, txn.ok());
  if (!txn.ok()) {
    backend_->Abandon();
    chain = before_batch;
    // A COMMIT whose outcome is unknown says so; anything else stored nothing.
    if (!absl::StrContains(txn.message(), kOutcomeUnknown)) {
      txn = absl::Status(txn.code(), absl::StrCat("nothing was stored: ", txn.message()));
    }
  } else {
    transactions_.fetch_add(1, std::memory_order_relaxed);
    int64_t largest = largest_batch_.load(std::memory_order_relaxed);
    const int64_t size = static_cast<int64_t>(n);
    while (size > largest && !largest_batch_.compare_exchange_weak(largest, size)) {
    }
    // Every queue change takes a new sequence, so this says whether any
    // committed; watchers are woken before the callers are answered.
    if (changed) backend_->OnQueueChanged();
  }
  for (size_t i = 0; i < n; ++i) {
    WriteJob& job = batch[i];
    const absl::Status status = undone[i] || txn.ok() ? results[i].status() : txn;
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

}  // namespace sprout::store
