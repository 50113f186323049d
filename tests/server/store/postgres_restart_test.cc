// PostgreSQL stopped and started under the store: calls during the outage
// fail UNAVAILABLE quickly, work resumes by itself, subscribers are woken
// after the listener reconnects, and submissions retried with their
// request_id are stored exactly once.
//
// Needs SPROUT_TEST_PG_DSN and SPROUT_TEST_PG_CTL (a pg_ctl wrapper for the
// test server, from deploy/lib/throwaway-postgres.sh). Runs alone (ctest
// RUN_SERIAL): it takes the server away from every other test.
#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "server/store/postgres/postgres_store.h"
#include "tests/server/store/pg_test_util.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store::testing {
namespace {

std::string PgCtl() {
  const char* ctl = std::getenv("SPROUT_TEST_PG_CTL");
  return ctl != nullptr ? ctl : "";
}

// Runs the pg_ctl wrapper with `args` ("stop -m fast", "start").
bool RunPgCtl(const std::string& args) {
  return std::system(absl::StrCat(PgCtl(), " ", args, " >/dev/null 2>&1").c_str()) == 0;
}

class PostgresRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPgDsn().empty()) GTEST_SKIP() << kNoPgMessage;
    if (PgCtl().empty()) {
      GTEST_SKIP() << "SPROUT_TEST_PG_CTL is not set; deploy/test provides it "
                      "(deploy/lib/throwaway-postgres.sh)";
    }
    absl::StatusOr<std::unique_ptr<PgTestSchema>> schema = PgTestSchema::Create();
    ASSERT_TRUE(schema.ok()) << schema.status();
    schema_ = *std::move(schema);
    PostgresStoreOptions options;
    options.cipher = ::sprout::store::testing::TestBodyCipher();
    options.conninfo = schema_->conninfo();
    options.pool_size = 2;
    absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  void TearDown() override {
    if (stopped_) RunPgCtl("start");  // never leave the server down
    if (store_ != nullptr) store_->Shutdown();
  }

  void Stop() {
    ASSERT_TRUE(RunPgCtl("stop -m fast"));
    stopped_ = true;
  }
  void Start() {
    ASSERT_TRUE(RunPgCtl("start"));
    stopped_ = false;
  }

  std::unique_ptr<PgTestSchema> schema_;
  std::unique_ptr<PostgresStore> store_;
  bool stopped_ = false;
};

TEST_F(PostgresRestartTest, OutageFailsFastThenWorkResumesAndSubscribersAreWoken) {
  ASSERT_TRUE(store_->Submit(MakeSubmission(Spec("before"))).ok());
  std::atomic<int> wakes{0};
  std::unique_ptr<QueueSubscription> sub = store_->SubscribeQueueChanges([&] { ++wakes; });
  absl::SleepFor(absl::Milliseconds(300));

  Stop();
  const int wakes_while_down = wakes.load();
  for (int i = 0; i < 5; ++i) {
    const absl::Time start = absl::Now();
    absl::StatusOr<SubmitOutcome> out = store_->Submit(MakeSubmission(Spec("during")));
    EXPECT_EQ(out.status().code(), absl::StatusCode::kUnavailable) << out.status();
    absl::StatusOr<sprout::v1::Referral> read = store_->GetReferral("before");
    EXPECT_EQ(read.status().code(), absl::StatusCode::kUnavailable) << read.status();
    EXPECT_LT(absl::Now() - start, absl::Seconds(2)) << "calls during the outage must not hang";
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(store_->GetReferral("during").status().code(), absl::StatusCode::kUnavailable);

  Start();
  // No writes at all: the wake comes from the listener reconnecting.
  for (int i = 0; i < 500 && wakes.load() == wakes_while_down; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_GT(wakes.load(), wakes_while_down) << "subscribers were not woken after reconnecting";

  // Work resumes by itself (within the 2 s back-off ceiling).
  absl::StatusOr<SubmitOutcome> after = absl::UnknownError("not tried");
  for (int i = 0; i < 50 && !after.ok(); ++i) {
    after = store_->Submit(MakeSubmission(Spec("after")));
    if (!after.ok()) absl::SleepFor(absl::Milliseconds(100));
  }
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_FALSE(after->replayed);
  ASSERT_TRUE(store_->GetReferral("before").ok());
  EXPECT_GE(store_->stats().reconnects, 1);
}

TEST_F(PostgresRestartTest, EveryAcknowledgedSubmissionIsStoredExactlyOnce) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 40;
  absl::Mutex mu;
  std::map<std::string, int64_t> acknowledged;  // referral id -> queue sequence
  std::atomic<int> acks{0};
  std::atomic<int> unavailable{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = absl::StrCat("rs", t, "-", i);
        const absl::Time deadline = absl::Now() + absl::Seconds(60);
        while (true) {
          // The same request (and request_id) every time, as a client retries.
          absl::StatusOr<SubmitOutcome> out = store_->Submit(MakeSubmission(Spec(id)));
          if (out.ok()) {
            absl::MutexLock lock(&mu);
            acknowledged[id] = out->queue_sequence;
            ++acks;
            break;
          }
          ASSERT_EQ(out.status().code(), absl::StatusCode::kUnavailable) << out.status();
          ++unavailable;
          ASSERT_LT(absl::Now(), deadline) << "no recovery: " << out.status();
          absl::SleepFor(absl::Milliseconds(20));
        }
      }
    });
  }
  while (acks.load() < kThreads * kPerThread / 4) absl::SleepFor(absl::Milliseconds(5));
  Stop();
  absl::SleepFor(absl::Milliseconds(500));
  Start();
  for (std::thread& t : threads) t.join();
  EXPECT_GT(unavailable.load(), 0) << "the restart did not interrupt any submission";

  const size_t total = kThreads * kPerThread;
  ASSERT_EQ(acknowledged.size(), total);
  // Exactly once: one referral and one queue item per request.
  std::vector<std::string> listed;
  std::string token;
  do {
    absl::StatusOr<Page<sprout::v1::Referral>> page = store_->ListReferrals("A81001", 100, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& r : page->items) listed.push_back(r.name());
    token = page->next_page_token;
  } while (!token.empty());
  EXPECT_EQ(listed.size(), total);
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()).size(), total);
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> items =
      store_->QueueItemsAfter("pcns/U12345/linkWorkers/lw-1", 0, 10000);
  ASSERT_TRUE(items.ok()) << items.status();
  EXPECT_EQ(items->size(), total);
  // A retry now gets the original, with the sequence first acknowledged.
  for (const auto& [id, sequence] : acknowledged) {
    absl::StatusOr<SubmitOutcome> again = store_->Submit(MakeSubmission(Spec(id)));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_TRUE(again->replayed) << id;
    EXPECT_EQ(again->queue_sequence, sequence) << id;
  }
  absl::StatusOr<AuditVerification> v = store_->VerifyAuditChain();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->intact()) << v->message;
}

}  // namespace
}  // namespace sprout::store::testing
