// File: server/store/group_commit_writer.h
//
// The one writer both store backends use: a bounded queue of write jobs
// drained by one thread that commits many of them per transaction (group
// commit: one fsync or one server flush for a whole batch). Written once
// here: the queue and its RESOURCE_EXHAUSTED refusal when full, batching,
// undoing a job that failed after writing part of itself without costing
// the others their commit, the observer, the counters, and answering every
// job after COMMIT (never before: a caller told OK has its rows durable).
//
// A backend supplies only its statements, through WriteBackend: how to begin
// and commit a transaction, run one job, and undo one.
//
//   GroupCommitWriter writer(options, /*backend=*/this);
//   writer.Start();
//   writer.Submit(std::move(submission), std::move(done));  // answered after COMMIT
//   absl::Status s = writer.Run([&](bool* partial) { return InsertAudit(event); });
//   writer.Stop();  // answers everything queued, then joins
#ifndef SPROUT_SERVER_STORE_GROUP_COMMIT_WRITER_H_
#define SPROUT_SERVER_STORE_GROUP_COMMIT_WRITER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/store/store.h"

namespace sprout::store {

// What the writer's jobs advance and a rollback must put back: the last queue
// sequence handed out, the head of the audit chain, and a count of referral
// updates (in memory only: a batch that moved it wakes watchers even without
// a queue change). Owned by the backend, whose statements read and advance it.
struct ChainState {
  int64_t last_queue_sequence = 0;
  int64_t referral_changes = 0;
  int64_t last_audit_sequence = 0;
  std::string last_audit_hash;
};

// One unit of work: a submission, or another write run inside the batch's
// transaction (an audit record, a referral update, a claim, ...). `apply`
// sets *partial before its first write that a later failure could leave
// behind.
struct WriteJob {
  bool is_submission = false;
  Submission submission;
  std::string proposed_episode;  // submission.referral.episode() as submitted
  Store::SubmitCallback submit_done;
  std::function<absl::Status(bool* partial)> apply;
  std::function<void(absl::Status)> apply_done;
};

// The words a backend's Commit error must contain when the COMMIT may have
// happened (a connection lost during it): the writer then does not say
// "nothing was stored".
inline constexpr char kOutcomeUnknown[] = "whether it was stored is unknown";

// A backend's statements. Called on the writer thread only, one transaction
// at a time.
class WriteBackend {
 public:
  // How a job that failed after writing part of itself is undone.
  enum class Undo {
    // A SAVEPOINT before each job; roll back to it and carry on (PostgreSQL,
    // where a savepoint is cheap).
    kToSavepoint,
    // Roll the whole transaction back and run the batch again without the
    // job (SQLite: a savepoint per job would cost every job a copy of each
    // page it touches; the re-run costs only the rare failure).
    kRerunWithout,
  };

  virtual ~WriteBackend() = default;

  virtual Undo undo() const = 0;
  // Starts a write transaction (and, where the heads live in the database,
  // reads them into chain()).
  virtual absl::Status Begin() = 0;
  // kToSavepoint only: called before job `index` (0 first) of the transaction.
  virtual absl::Status MarkJob(size_t index) = 0;
  // Stores one submission inside the open transaction (other jobs carry
  // their own `apply`). *partial as for WriteJob::apply.
  virtual absl::StatusOr<SubmitOutcome> ApplySubmission(WriteJob& job, bool* partial) = 0;
  // After a job: OK while the transaction is still open; else the error that
  // ended it under the job (disk full, a lost connection). `result` is the
  // job's.
  virtual absl::Status TransactionEnded(const absl::StatusOr<SubmitOutcome>& result) = 0;
  // After a job failed without saying it wrote: whether it must be undone all
  // the same (a PostgreSQL transaction in the failed state).
  virtual bool MustUndo() const = 0;
  // Undoes the failed job: to its savepoint, or the whole transaction.
  virtual absl::Status UndoJob() = 0;
  // Makes the transaction durable. `queue_changed`: some queue item or
  // referral changed (a backend may tell other processes).
  virtual absl::Status Commit(bool queue_changed) = 0;
  // After the transaction failed: rolls it back if it is still open.
  virtual void Abandon() = 0;
  virtual ChainState& chain() = 0;
  // Called after a commit that changed a queue item or referral, before any
  // job is answered, so watchers are woken first.
  virtual void OnQueueChanged() = 0;
};

struct GroupCommitOptions {
  // Jobs waiting; beyond it Submit and Run answer RESOURCE_EXHAUSTED at once.
  int max_queue_depth = 4096;
  // Most jobs in one transaction.
  int max_batch_size = 256;
  // Told about each transaction (store.h); empty: nobody.
  WriterObserver observer;
};

struct WriterStats {
  int64_t transactions = 0;         // write transactions committed
  int64_t submissions = 0;          // submissions answered OK (new or replayed)
  int64_t failed_submissions = 0;   // submissions answered with an error by the writer
  int64_t rejected_queue_full = 0;  // refused RESOURCE_EXHAUSTED
  int64_t largest_batch = 0;        // most jobs in one transaction
};

// A job that appends each of `events` with `insert` (a backend's InsertAudit),
// all or none: for Store::AppendAuditsAsync.
std::function<absl::Status(bool* partial)> AppendEachJob(
    std::vector<AuditEvent> events, std::function<absl::Status(const AuditEvent&)> insert);

// Thread-safe.
class GroupCommitWriter {
 public:
  // `backend` must outlive the writer (or its Stop()).
  GroupCommitWriter(GroupCommitOptions options, WriteBackend* backend);
  // Stop()s.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Starts the writer thread. Call once, after the backend is ready.
  void Start();
  // Refuses new jobs (UNAVAILABLE), answers every job already queued, and
  // joins the thread. Idempotent.
  void Stop();

  // Queues a submission; `done` is called exactly once: at once on the
  // caller's thread when refused (full queue, stopped), else on the writer
  // thread after the transaction ended.
  void Submit(Submission submission, Store::SubmitCallback done);
  // Queues `apply`; `done` is called as Submit's is.
  void RunAsync(std::function<absl::Status(bool* partial)> apply,
                std::function<void(absl::Status)> done);
  // Queues `apply` and waits until its transaction ended. Must not be called
  // on the writer thread.
  absl::Status Run(std::function<absl::Status(bool* partial)> apply);

  size_t QueueDepth() const;
  WriterStats stats() const;

 private:
  // Queues `job` (moving from it); false when full or stopped, with the
  // reason in *refusal and `job` untouched.
  bool Enqueue(WriteJob& job, absl::Status* refusal);
  void Loop();
  // Runs `batch` in one transaction and answers every job.
  void RunBatch(std::vector<WriteJob>& batch);

  const GroupCommitOptions options_;
  WriteBackend* const backend_;

  mutable absl::Mutex mu_;
  std::deque<WriteJob> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;

  std::atomic<int64_t> transactions_{0};
  std::atomic<int64_t> submissions_{0};
  std::atomic<int64_t> failed_submissions_{0};
  std::atomic<int64_t> rejected_queue_full_{0};
  std::atomic<int64_t> largest_batch_{0};
};

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_GROUP_COMMIT_WRITER_H_
