// Behaviour specific to the SQLite backend: group commit, the bounded queue,
// persistence across reopen, start-up checks and audit tamper detection.
#include "server/store/sqlite/sqlite_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store {
namespace {

using ::sprout::store::testing::MakeAudit;
using ::sprout::store::testing::MakeSubmission;
using ::sprout::store::testing::Spec;
using ::sprout::store::testing::TempDir;
using ::testing::HasSubstr;

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteStoreOptions Options() const {
    SqliteStoreOptions options;
    options.cipher = ::sprout::store::testing::TestBodyCipher();
    options.path = dir_.File("sprout.db");
    return options;
  }
  std::unique_ptr<SqliteStore> MustOpen(const SqliteStoreOptions& options) {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }
  // Runs `sql` on a separate raw connection, as an operator or attacker could.
  void RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(Options().path.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  TempDir dir_;
};

TEST_F(SqliteStoreTest, ConcurrentSubmissionsShareTransactions) {
  std::unique_ptr<SqliteStore> store = MustOpen(Options());
  ASSERT_NE(store, nullptr);
  constexpr int kCount = 400;
  std::atomic<int> ok{0};
  std::atomic<int> remaining{kCount};
  absl::Notification all_done;
  for (int i = 0; i < kCount; ++i) {
    store->SubmitAsync(MakeSubmission(Spec(absl::StrCat("g", i))),
                       [&](absl::StatusOr<SubmitOutcome> r) {
                         if (r.ok()) ok.fetch_add(1);
                         if (remaining.fetch_sub(1) == 1) all_done.Notify();
                       });
  }
  all_done.WaitForNotification();
  EXPECT_EQ(ok.load(), kCount);
  const SqliteStoreStats stats = store->stats();
  EXPECT_EQ(stats.submissions, kCount);
  // Group commit: far fewer fsyncs than submissions.
  EXPECT_LT(stats.transactions, kCount / 2);
  EXPECT_GT(stats.largest_batch, 1);
  EXPECT_LE(stats.largest_batch, Options().max_batch_size);
}

TEST_F(SqliteStoreTest, EachCommitsWalFsyncIsTimedAndReported) {
  absl::Mutex mu;
  std::map<std::string, int> syncs;
  absl::Duration total;
  SqliteStoreOptions options = Options();
  options.sync_observer = [&](absl::string_view file, absl::Duration took) {
    absl::MutexLock lock(&mu);
    ++syncs[std::string(file)];
    total += took;
  };
  std::unique_ptr<SqliteStore> store = MustOpen(options);
  ASSERT_NE(store, nullptr);
  int before = 0;
  {
    absl::MutexLock lock(&mu);
    before = syncs["wal"];
  }
  constexpr int kCommits = 3;
  for (int i = 0; i < kCommits; ++i) {
    ASSERT_TRUE(store->Submit(MakeSubmission(Spec(absl::StrCat("s", i)))).ok());
  }
  absl::MutexLock lock(&mu);
  // synchronous=FULL: every commit syncs the WAL, one after another here.
  EXPECT_GE(syncs["wal"] - before, kCommits);
  EXPECT_GT(total, absl::ZeroDuration());
  for (const auto& [file, count] : syncs) {
    EXPECT_THAT(file, ::testing::AnyOf("wal", "database", "journal")) << count;
  }
}

TEST_F(SqliteStoreTest, FullQueueAnswersResourceExhaustedAtOnce) {
  SqliteStoreOptions options = Options();
  options.max_queue_depth = 1;
  options.busy_timeout = absl::Seconds(30);
  // Callbacks may run after a loop iteration (and, if an assertion fails,
  // during the store's shutdown): declare their state before the store.
  constexpr int kSubmissions = 3;
  const std::thread::id test_thread = std::this_thread::get_id();
  std::atomic<int> accepted_ok{0};
  std::atomic<int> pending{kSubmissions};
  std::atomic<int> inline_refusals{0};
  std::atomic<int> other_inline_answers{0};
  std::unique_ptr<SqliteStore> store = MustOpen(options);
  ASSERT_NE(store, nullptr);

  // Another connection holds the write lock, so the writer blocks in BEGIN
  // and the queue cannot drain.
  sqlite3* blocker = nullptr;
  ASSERT_EQ(sqlite3_open(options.path.c_str(), &blocker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  for (int i = 0; i < kSubmissions; ++i) {
    store->SubmitAsync(MakeSubmission(Spec(absl::StrCat("q", i))),
                       [&](absl::StatusOr<SubmitOutcome> r) {
                         if (std::this_thread::get_id() == test_thread) {
                           if (r.status().code() == absl::StatusCode::kResourceExhausted) {
                             inline_refusals.fetch_add(1);
                           } else {
                             other_inline_answers.fetch_add(1);
                           }
                         } else if (r.ok()) {
                           accepted_ok.fetch_add(1);
                         }
                         pending.fetch_sub(1);
                       });
  }
  const int refused = inline_refusals.load();
  EXPECT_EQ(other_inline_answers.load(), 0);
  EXPECT_GE(refused, 1);
  EXPECT_EQ(store->stats().rejected_queue_full, refused);

  ASSERT_EQ(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(blocker);
  store->Shutdown();  // drains what was accepted
  EXPECT_EQ(pending.load(), 0);
  EXPECT_EQ(accepted_ok.load(), kSubmissions - refused);
}

TEST_F(SqliteStoreTest, FailureInsideABatchCostsOnlyThatSubmission) {
  SqliteStoreOptions options = Options();
  options.busy_timeout = absl::Seconds(30);
  constexpr int kJobs = 5;
  std::vector<absl::StatusOr<SubmitOutcome>> results(kJobs, absl::UnknownError("pending"));
  std::atomic<int> pending{kJobs};
  absl::Notification all_done;
  std::unique_ptr<SqliteStore> store = MustOpen(options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Submit(MakeSubmission(Spec("taken"))).ok());

  // Hold the write lock so the next submissions queue up and commit together.
  sqlite3* blocker = nullptr;
  ASSERT_EQ(sqlite3_open(options.path.c_str(), &blocker), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(blocker, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::vector<Submission> jobs;
  jobs.push_back(MakeSubmission(Spec("first")));                    // may commit alone
  jobs.push_back(MakeSubmission(Spec("opens").PersonKey("pk-1")));  // opens an episode
  jobs.push_back(MakeSubmission(Spec("joins").PersonKey("pk-1")));  // joins it
  // A new request whose referral id is in use: it opens an episode, then
  // fails on the referral row, so the batch must be rolled back and re-run.
  Submission clash = MakeSubmission(Spec("taken").PersonKey("pk-clash"));
  clash.request_id = "req-clash";
  clash.decision.set_name("routingDecisions/d-clash");
  clash.queue_item.set_name("queueItems/q-clash");
  clash.referral.set_episode("episodes/e-clash");
  jobs.push_back(std::move(clash));
  jobs.push_back(MakeSubmission(Spec("last")));
  for (int i = 0; i < kJobs; ++i) {
    store->SubmitAsync(std::move(jobs[i]), [&, i](absl::StatusOr<SubmitOutcome> r) {
      results[i] = std::move(r);
      if (pending.fetch_sub(1) == 1) all_done.Notify();
    });
  }
  ASSERT_EQ(sqlite3_exec(blocker, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(blocker);
  all_done.WaitForNotification();

  EXPECT_EQ(results[3].status().code(), absl::StatusCode::kAlreadyExists) << results[3].status();
  for (int i : {0, 1, 2, 4}) ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status();
  EXPECT_FALSE(results[1]->referral.linked_to_existing_episode());
  EXPECT_TRUE(results[2]->referral.linked_to_existing_episode());
  EXPECT_EQ(results[2]->referral.episode(), "episodes/e-opens");
  EXPECT_EQ(results[2]->referral.name(), "referrals/joins");
  EXPECT_LT(results[2]->queue_sequence, results[4]->queue_sequence);
  EXPECT_EQ(store->GetRoutingDecision("d-clash").status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(store->FindOpenEpisode("pk-clash").value().has_value());  // rolled back
  EXPECT_FALSE(store->FindOpenEpisode("pk-1").value()->episode_id.empty());
  const SqliteStoreStats stats = store->stats();
  EXPECT_LE(stats.transactions, 3);  // "taken", then the queued jobs in one or two batches
  EXPECT_EQ(stats.failed_submissions, 1);
  absl::StatusOr<AuditVerification> v = store->VerifyAuditChain();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, 5);  // the failed submission left no audit record
}

TEST_F(SqliteStoreTest, ReopenedStoreKeepsEverythingAndContinuesTheSequences) {
  int64_t last_sequence = 0;
  {
    std::unique_ptr<SqliteStore> store = MustOpen(Options());
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 3; ++i) {
      absl::StatusOr<SubmitOutcome> out =
          store->Submit(MakeSubmission(Spec(absl::StrCat("p", i)).PersonKey("pk")));
      ASSERT_TRUE(out.ok()) << out.status();
      last_sequence = out->queue_sequence;
    }
  }
  std::unique_ptr<SqliteStore> store = MustOpen(Options());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->GetReferral("p2").ok());
  EXPECT_TRUE(store->FindOpenEpisode("pk")->has_value());
  absl::StatusOr<SubmitOutcome> replay = store->Submit(MakeSubmission(Spec("p0")));
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->replayed);
  absl::StatusOr<SubmitOutcome> next = store->Submit(MakeSubmission(Spec("p3")));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_GT(next->queue_sequence, last_sequence);
  absl::StatusOr<AuditVerification> v = store->VerifyAuditChain();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, 5);
}

// The durability contract: what was acknowledged survives kill -9. (kill -9
// keeps the OS page cache, so this checks that nothing is acknowledged before
// its COMMIT and that the store recovers, not that fsync reached the disk.)
TEST_F(SqliteStoreTest, AcknowledgedSubmissionsSurviveKill9) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child submits as fast as it can, 64 in flight, and reports each
    // acknowledgement's number on the pipe from the commit callback.
    ::close(fds[0]);
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Options());
    if (!store.ok()) ::_exit(3);
    std::atomic<int> in_flight{0};
    for (int i = 0;; ++i) {
      while (in_flight.load() >= 64) ::usleep(50);
      in_flight.fetch_add(1);
      (*store)->SubmitAsync(MakeSubmission(Spec(absl::StrCat("k", i))),
                            [&in_flight, fd = fds[1], i](absl::StatusOr<SubmitOutcome> r) {
                              if (r.ok() && ::write(fd, &i, sizeof i) != sizeof i) ::_exit(4);
                              in_flight.fetch_sub(1);
                            });
    }
  }
  ::close(fds[1]);
  std::vector<int> acked;
  int i = 0;
  while (acked.size() < 300 && ::read(fds[0], &i, sizeof i) == sizeof i) acked.push_back(i);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
  while (::read(fds[0], &i, sizeof i) == sizeof i) acked.push_back(i);  // sent before death
  ::close(fds[0]);
  ASSERT_GE(acked.size(), 300u);

  std::unique_ptr<SqliteStore> store = MustOpen(Options());  // integrity check included
  ASSERT_NE(store, nullptr);
  int missing = 0;
  for (int id : acked) {
    if (!store->GetReferral(absl::StrCat("k", id)).ok()) ++missing;
  }
  EXPECT_EQ(missing, 0) << "of " << acked.size() << " acknowledged";
  absl::StatusOr<AuditVerification> v = store->VerifyAuditChain();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_GE(v->records_checked, static_cast<int64_t>(acked.size()));
  absl::StatusOr<SubmitOutcome> next = store->Submit(MakeSubmission(Spec("after-crash")));
  EXPECT_TRUE(next.ok()) << next.status();
}

TEST_F(SqliteStoreTest, SecondOpenOfTheSameFileFailsFast) {
  std::unique_ptr<SqliteStore> first = MustOpen(Options());
  ASSERT_NE(first, nullptr);
  absl::StatusOr<std::unique_ptr<SqliteStore>> second = SqliteStore::Open(Options());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(),
              HasSubstr(absl::StrCat("another process holds ", Options().path)));
  first.reset();
  EXPECT_TRUE(SqliteStore::Open(Options()).ok());  // released on close
}

TEST_F(SqliteStoreTest, UnopenablePathIsAClearError) {
  SqliteStoreOptions options;
  options.cipher = ::sprout::store::testing::TestBodyCipher();
  options.path = dir_.File("missing-dir/sprout.db");
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("missing-dir/sprout.db"));
}

TEST_F(SqliteStoreTest, FileThatIsNotADatabaseIsDataLoss) {
  {
    std::ofstream f(Options().path, std::ios::binary);
    f << std::string(8192, 'x');
  }
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Options());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
  EXPECT_THAT(store.status().message(), HasSubstr(Options().path));
}

TEST_F(SqliteStoreTest, CorruptPageIsDetectedAtOpen) {
  {
    std::unique_ptr<SqliteStore> store = MustOpen(Options());
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(store->Submit(MakeSubmission(Spec(absl::StrCat("c", i)))).ok());
    }
  }  // closing the last connection checkpoints the WAL into the main file
  // Overwrite the middle of the file (b-tree pages, not the header).
  {
    std::fstream f(Options().path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekg(0, std::ios::end);
    const std::streamoff size = f.tellg();
    ASSERT_GT(size, 4096 * 8);
    f.seekp(4096 * 3);
    const std::string junk(4096 * 4, '\xA5');
    f.write(junk.data(), junk.size());
  }
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Options());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
}

TEST_F(SqliteStoreTest, AlteredAuditRecordIsDetected) {
  std::unique_ptr<SqliteStore> store = MustOpen(Options());
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store->Submit(MakeSubmission(Spec(absl::StrCat("a", i)))).ok());
  }
  ASSERT_TRUE(store->VerifyAuditChain()->intact());
  // The table refuses updates; someone with the file can drop the guard.
  RawExec(
      "DROP TRIGGER audit_records_no_update;"
      "UPDATE audit_records SET resource = 'referrals/a9' WHERE sequence = 2;");
  absl::StatusOr<AuditVerification> v = store->VerifyAuditChain();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_FALSE(v->intact());
  EXPECT_EQ(v->first_bad_sequence, 2);
  EXPECT_EQ(v->records_checked, 2);
  EXPECT_THAT(v->message, HasSubstr("altered"));
}

TEST_F(SqliteStoreTest, FlippedHashByteIsDetected) {
  std::unique_ptr<SqliteStore> store = MustOpen(Options());
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store
                    ->AppendAudit(MakeAudit("GetReferral", "referrals/x",
                                            absl::FromUnixSeconds(1767225600 + i)))
                    .ok());
  }
  // Flip one bit of record 3's stored hash through a second raw connection.
  RawExec("DROP TRIGGER audit_records_no_update;");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(Options().path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* read = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT hash FROM audit_records WHERE sequence = 3", -1, &read,
                               nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(read), SQLITE_ROW);
  std::string hash(static_cast<const char*>(sqlite3_column_blob(read, 0)),
                   sqlite3_column_bytes(read, 0));
  sqlite3_finalize(read);
  ASSERT_EQ(hash.size(), 32u);
  hash[7] ^= 0x01;
  sqlite3_stmt* write = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE audit_records SET hash = ? WHERE sequence = 3", -1,
                               &write, nullptr),
            SQLITE_OK);
  sqlite3_bind_blob(write, 1, hash.data(), static_cast<int>(hash.size()), SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(write), SQLITE_DONE);
  sqlite3_finalize(write);
  sqlite3_close(db);
  absl::StatusOr<AuditVerification> v = store->VerifyAuditChain();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->first_bad_sequence, 3);
}

TEST_F(SqliteStoreTest, DeletedAuditRecordIsDetected) {
  std::unique_ptr<SqliteStore> store = MustOpen(Options());
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(store
                    ->AppendAudit(MakeAudit("GetReferral", "referrals/x",
                                            absl::FromUnixSeconds(1767225600 + i)))
                    .ok());
  }
  RawExec("DROP TRIGGER audit_records_no_delete; DELETE FROM audit_records WHERE sequence = 2;");
  absl::StatusOr<AuditVerification> v = store->VerifyAuditChain();
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->first_bad_sequence, 3);
}

TEST_F(SqliteStoreTest, AuditRecordsRefuseUpdates) {
  std::unique_ptr<SqliteStore> store = MustOpen(Options());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->AppendAudit(MakeAudit("GetReferral", "referrals/x", absl::Now())).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(Options().path.c_str(), &db), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "UPDATE audit_records SET outcome = 'x'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM audit_records", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, FullDiskIsResourceExhaustedAndStoresNothingPartial) {
  SqliteStoreOptions options = Options();
  options.max_size_bytes = 256 * 1024;  // stands in for a full volume
  std::unique_ptr<SqliteStore> store = MustOpen(options);
  ASSERT_NE(store, nullptr);
  absl::Status failure;
  int stored = 0;
  for (int i = 0; i < 5000 && failure.ok(); ++i) {
    absl::StatusOr<SubmitOutcome> out = store->Submit(MakeSubmission(Spec(absl::StrCat("f", i))));
    if (out.ok()) {
      ++stored;
    } else {
      failure = out.status();
    }
  }
  ASSERT_FALSE(failure.ok()) << "the size limit was never reached";
  EXPECT_EQ(failure.code(), absl::StatusCode::kResourceExhausted) << failure;
  EXPECT_THAT(failure.message(), HasSubstr("disk full"));
  EXPECT_GT(stored, 0);
  // What was acknowledged is intact, and the failed referral left nothing.
  EXPECT_TRUE(store->GetReferral(absl::StrCat("f", stored - 1)).ok());
  EXPECT_EQ(store->GetReferral(absl::StrCat("f", stored)).status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<AuditVerification> v = store->VerifyAuditChain();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, stored);
}

TEST_F(SqliteStoreTest, BadOptionsAreInvalidArgument) {
  SqliteStoreOptions options = Options();
  options.max_batch_size = 0;
  EXPECT_EQ(SqliteStore::Open(options).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SqliteStore::Open(SqliteStoreOptions{}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Without a cipher there is no way to keep patient data encrypted at rest.
  SqliteStoreOptions no_cipher = Options();
  no_cipher.cipher = nullptr;
  EXPECT_EQ(SqliteStore::Open(no_cipher).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sprout::store

namespace sprout::store {
namespace {

// A page whose filter rarely matches stops at the scan budget and returns
// short, even empty, with a token; following the tokens still yields every
// match exactly once, newest first.
TEST(SqliteRoutingLogTest, ScanBudgetGivesShortPagesThatStillCoverEveryMatch) {
  testing::TempDir dir;
  SqliteStoreOptions options;
  options.cipher = ::sprout::store::testing::TestBodyCipher();
  options.path = dir.File("sprout.db");
  options.routing_log_scan_budget = absl::ZeroDuration();  // one time window per call
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  const absl::Time t0 = absl::FromUnixSeconds(1767225600);
  std::vector<std::string> expected;
  for (int i = 0; i < 60; ++i) {
    // One decision every 3 hours; every tenth from practice A81999.
    const bool match = i % 10 == 0;
    ASSERT_TRUE((*store)
                    ->Submit(MakeSubmission(Spec(absl::StrCat("r", i))
                                                .Time(t0 + absl::Hours(3 * i))
                                                .PracticeCode(match ? "A81999" : "A81001")))
                    .ok());
    if (match) expected.insert(expected.begin(), absl::StrCat("routingDecisions/d-r", i));
  }
  RoutingLogQuery query;
  query.practice_code = "A81999";
  std::vector<std::string> seen;
  std::string token;
  int calls = 0;
  int short_pages = 0;
  do {
    absl::StatusOr<Page<sprout::v1::RoutingDecision>> page =
        (*store)->QueryRoutingLog(query, 4, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& d : page->items) seen.push_back(d.name());
    if (page->items.size() < 4 && !page->next_page_token.empty()) ++short_pages;
    token = page->next_page_token;
    ASSERT_LT(++calls, 1000) << "the tokens never ran out";
  } while (!token.empty());
  EXPECT_EQ(seen, expected);
  EXPECT_GT(short_pages, 0) << "the budget never cut a page short";

  // With the default budget the same query fills its pages.
  (*store)->Shutdown();
  store->reset();
  options.routing_log_scan_budget = SqliteStoreOptions().routing_log_scan_budget;
  store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<Page<sprout::v1::RoutingDecision>> first = (*store)->QueryRoutingLog(query, 4, "");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->items.size(), 4u);
}

}  // namespace
}  // namespace sprout::store
