// The shared group-commit writer against a fake backend that records the
// statements it is asked for: batching, both ways of undoing a failed job,
// the full queue, a failed COMMIT, and stopping. Each backend's own tests
// (and the conformance suite) run it against the real databases.
#include "server/store/group_commit_writer.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store {
namespace {

using ::testing::ElementsAre;

// Records each statement; jobs advance the chain's queue sequence. Begin can
// be held shut to let jobs pile up into one batch.
class FakeBackend final : public WriteBackend {
 public:
  explicit FakeBackend(Undo undo) : undo_(undo) {}

  Undo undo() const override { return undo_; }
  absl::Status Begin() override {
    {
      absl::MutexLock lock(&mu_);
      in_begin_ = true;
      mu_.Await(absl::Condition(&begin_open_));
    }
    Log("BEGIN");
    return absl::OkStatus();
  }
  absl::Status MarkJob(size_t index) override {
    Log(absl::StrCat("MARK ", index));
    return absl::OkStatus();
  }
  absl::StatusOr<SubmitOutcome> ApplySubmission(WriteJob& job, bool* partial) override {
    Log(absl::StrCat("SUBMIT ", job.submission.request_id));
    SubmitOutcome outcome;
    outcome.queue_sequence = ++chain_.last_queue_sequence;
    return outcome;
  }
  absl::Status TransactionEnded(const absl::StatusOr<SubmitOutcome>&) override {
    return absl::OkStatus();
  }
  bool MustUndo() const override { return false; }
  absl::Status UndoJob() override {
    Log("UNDO");
    return absl::OkStatus();
  }
  absl::Status Commit(bool queue_changed) override {
    Log(queue_changed ? "COMMIT changed" : "COMMIT");
    return commit_error_;
  }
  void Abandon() override { Log("ABANDON"); }
  ChainState& chain() override { return chain_; }
  void OnQueueChanged() override { Log("WAKE"); }

  void OpenBegin() {
    absl::MutexLock lock(&mu_);
    begin_open_ = true;
  }
  // Until the writer has taken a batch and waits in Begin.
  void AwaitWriterInBegin() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&in_begin_));
  }
  void FailCommits(absl::Status error) { commit_error_ = std::move(error); }
  std::vector<std::string> log() const {
    absl::MutexLock lock(&mu_);
    return log_;
  }
  void Log(std::string line) {
    absl::MutexLock lock(&mu_);
    log_.push_back(std::move(line));
  }

 private:
  const Undo undo_;
  mutable absl::Mutex mu_;
  bool begin_open_ ABSL_GUARDED_BY(mu_) = false;
  bool in_begin_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> log_ ABSL_GUARDED_BY(mu_);
  ChainState chain_;  // writer thread only
  absl::Status commit_error_;
};

// A job that takes a sequence and, with `fail_after_writing`, fails having
// written (so it must be undone).
std::function<absl::Status(bool*)> Step(FakeBackend& backend, const std::string& name,
                                        bool fail_after_writing = false) {
  return [&backend, name, fail_after_writing](bool* partial) -> absl::Status {
    backend.Log(absl::StrCat("APPLY ", name));
    ++backend.chain().last_queue_sequence;
    if (!fail_after_writing) return absl::OkStatus();
    *partial = true;
    return absl::FailedPreconditionError(absl::StrCat(name, " failed after writing"));
  };
}

// Collects the answers of RunAsync jobs in the order they arrive.
struct Answers {
  absl::Mutex mu;
  std::vector<std::string> got ABSL_GUARDED_BY(mu);
  std::function<void(absl::Status)> For(const std::string& name) {
    return [this, name](absl::Status s) {
      absl::MutexLock lock(&mu);
      got.push_back(absl::StrCat(name, ": ", s.ok() ? "OK" : std::string(s.message())));
    };
  }
  void WaitFor(size_t n) {
    std::pair<Answers*, size_t> until(this, n);
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](std::pair<Answers*, size_t>* a)
             ABSL_NO_THREAD_SAFETY_ANALYSIS { return a->first->got.size() >= a->second; },
        &until));
  }
  std::vector<std::string> All() {
    absl::MutexLock lock(&mu);
    return got;
  }
};

// Queues a job that writes nothing and waits until the writer holds it in
// Begin: whatever is queued next waits for the following transaction, which
// then takes it all. The gate's own transaction logs kGate.
void HoldWriter(GroupCommitWriter& writer, FakeBackend& backend, Answers& answers) {
  writer.RunAsync([](bool*) { return absl::OkStatus(); }, answers.For("gate"));
  backend.AwaitWriterInBegin();
}
const std::vector<std::string> kGate = {"BEGIN", "MARK 0", "COMMIT"};
const std::vector<std::string> kGateWithoutSavepoint = {"BEGIN", "COMMIT"};

std::vector<std::string> Then(std::vector<std::string> first,
                              const std::vector<std::string>& rest) {
  first.insert(first.end(), rest.begin(), rest.end());
  return first;
}

TEST(GroupCommitWriterTest, JobsQueuedWhileATransactionRunsCommitTogether) {
  FakeBackend backend(WriteBackend::Undo::kToSavepoint);
  std::vector<size_t> batches;
  GroupCommitOptions options;
  options.observer = [&](size_t jobs, absl::Duration, bool committed) {
    if (committed) batches.push_back(jobs);
  };
  GroupCommitWriter writer(options, &backend);
  writer.Start();
  Answers answers;
  HoldWriter(writer, backend, answers);
  for (const char* name : {"a", "b", "c"}) writer.RunAsync(Step(backend, name), answers.For(name));
  EXPECT_EQ(writer.QueueDepth(), 3u);
  backend.OpenBegin();
  answers.WaitFor(4);
  writer.Stop();
  EXPECT_THAT(answers.All(), ElementsAre("gate: OK", "a: OK", "b: OK", "c: OK"));
  EXPECT_EQ(backend.log(), Then(kGate, {"BEGIN", "MARK 0", "APPLY a", "MARK 1", "APPLY b", "MARK 2",
                                        "APPLY c", "COMMIT changed", "WAKE"}));
  EXPECT_THAT(batches, ElementsAre(1, 3));
  EXPECT_EQ(writer.stats().transactions, 2);
  EXPECT_EQ(writer.stats().largest_batch, 3);
}

// Runs a, a job that fails after writing, and c in one batch with `undo`;
// returns the statements. Each job's answer and the chain are checked here:
// the failed job alone fails, and its sequence is given back (no gap).
std::vector<std::string> RunBatchWithAFailedJob(WriteBackend::Undo undo) {
  FakeBackend backend(undo);
  GroupCommitWriter writer({}, &backend);
  writer.Start();
  Answers answers;
  HoldWriter(writer, backend, answers);
  writer.RunAsync(Step(backend, "a"), answers.For("a"));
  writer.RunAsync(Step(backend, "bad", /*fail_after_writing=*/true), answers.For("bad"));
  writer.RunAsync(Step(backend, "c"), answers.For("c"));
  backend.OpenBegin();
  answers.WaitFor(4);
  writer.Stop();
  EXPECT_THAT(answers.All(),
              ElementsAre("gate: OK", "a: OK", "bad: bad failed after writing", "c: OK"));
  EXPECT_EQ(backend.chain().last_queue_sequence, 2);
  return backend.log();
}

TEST(GroupCommitWriterTest, SavepointUndoCostsOnlyTheFailedJobAndGivesBackItsSequence) {
  EXPECT_EQ(RunBatchWithAFailedJob(WriteBackend::Undo::kToSavepoint),
            Then(kGate, {"BEGIN", "MARK 0", "APPLY a", "MARK 1", "APPLY bad", "UNDO", "MARK 2",
                         "APPLY c", "COMMIT changed", "WAKE"}));
}

TEST(GroupCommitWriterTest, RerunUndoRunsTheBatchAgainWithoutTheFailedJob) {
  EXPECT_EQ(RunBatchWithAFailedJob(WriteBackend::Undo::kRerunWithout),
            Then(kGateWithoutSavepoint, {"BEGIN", "APPLY a", "APPLY bad", "UNDO", "BEGIN",
                                         "APPLY a", "APPLY c", "COMMIT changed", "WAKE"}));
}

TEST(GroupCommitWriterTest, AFailedCommitStoresNothingAndSaysSo) {
  FakeBackend backend(WriteBackend::Undo::kToSavepoint);
  backend.FailCommits(absl::UnavailableError("disk on fire"));
  GroupCommitWriter writer({}, &backend);
  writer.Start();
  backend.OpenBegin();
  absl::StatusOr<SubmitOutcome> outcome;
  absl::Notification done;
  writer.Submit(testing::MakeSubmission(testing::Spec("s1")), [&](auto r) {
    outcome = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(outcome.status().message(), "nothing was stored: disk on fire");
  EXPECT_EQ(backend.chain().last_queue_sequence, 0);  // given back
  EXPECT_THAT(backend.log(),
              ElementsAre("BEGIN", "MARK 0", "SUBMIT req-s1", "COMMIT changed", "ABANDON"));
  EXPECT_EQ(writer.stats().failed_submissions, 1);
}

TEST(GroupCommitWriterTest, ACommitWhoseOutcomeIsUnknownIsNotCalledNothingStored) {
  FakeBackend backend(WriteBackend::Undo::kToSavepoint);
  backend.FailCommits(absl::UnavailableError(absl::StrCat("lost; ", kOutcomeUnknown)));
  GroupCommitWriter writer({}, &backend);
  writer.Start();
  backend.OpenBegin();
  const absl::Status s = writer.Run(Step(backend, "a"));
  EXPECT_EQ(s.message(), absl::StrCat("lost; ", kOutcomeUnknown));
}

TEST(GroupCommitWriterTest, AFullQueueIsRefusedAtOnceOnTheCallersThread) {
  FakeBackend backend(WriteBackend::Undo::kToSavepoint);
  GroupCommitOptions options;
  options.max_queue_depth = 2;
  GroupCommitWriter writer(options, &backend);
  writer.Start();
  Answers answers;
  HoldWriter(writer, backend, answers);
  writer.RunAsync(Step(backend, "a"), answers.For("a"));
  writer.RunAsync(Step(backend, "b"), answers.For("b"));
  writer.RunAsync(Step(backend, "c"), answers.For("c"));
  // Answered before the writer moved: on this thread, at once.
  EXPECT_THAT(answers.All(),
              ElementsAre("c: the store's write queue is full (2 waiting); retry later"));
  EXPECT_EQ(writer.stats().rejected_queue_full, 1);
  backend.OpenBegin();
  answers.WaitFor(4);
  writer.Stop();
  EXPECT_THAT(answers.All(),
              ElementsAre("c: the store's write queue is full (2 waiting); retry later", "gate: OK",
                          "a: OK", "b: OK"));
}

TEST(GroupCommitWriterTest, StopAnswersWhatIsQueuedThenRefuses) {
  FakeBackend backend(WriteBackend::Undo::kRerunWithout);
  GroupCommitWriter writer({}, &backend);
  writer.Start();
  Answers answers;
  writer.RunAsync(Step(backend, "a"), answers.For("a"));
  writer.RunAsync(Step(backend, "b"), answers.For("b"));
  backend.OpenBegin();
  writer.Stop();
  EXPECT_THAT(answers.All(), ElementsAre("a: OK", "b: OK"));
  const absl::Status late = writer.Run(Step(backend, "late"));
  EXPECT_EQ(late.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(late.message(), "the store is shut down");
  writer.Stop();  // idempotent
}

}  // namespace
}  // namespace sprout::store
