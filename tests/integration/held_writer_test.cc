// A held writer stalls only the calls that need it. The test takes SQLite's
// write lock from outside (as a long backup or a stuck disk would hold the
// writer), sends more audited reads than sproutd has pool threads, and shows
// that a store read needing no audit record is still answered, on that same
// pool, while the lock is held; that no audited read is answered before its
// record could be written; and that all of them finish once the lock goes.
#include <sqlite3.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

constexpr int kPoolThreads = 2;
constexpr int kAuditedReads = 3 * kPoolThreads;

class HeldWriterTest : public testing::SproutdSuite<HeldWriterTest> {
 protected:
  static void SetUpTestSuite() {
    StartServer("held_writer", {absl::StrCat("--blocking_threads=", kPoolThreads)});
  }

  // sprout_writer_queue_depth from the metrics endpoint; -1 if unreadable.
  static double WriterQueueDepth() {
    return testing::ScrapeSample(server_->metrics_port(), "sprout_writer_queue_depth");
  }
};

TEST_F(HeldWriterTest, ACallNeedingNoWriterIsServedWhileAuditedReadsWaitForIt) {
  auto gp = v1::ReferralService::NewStub(server_->Channel("gp"));
  v1::SubmitReferralRequest submit;
  submit.set_request_id("held-writer-1");
  *submit.mutable_referral() = testing::GpReferral();
  v1::SubmitReferralResponse submitted;
  ASSERT_TRUE(gp->SubmitReferral(Context().get(), submit, &submitted).ok());

  // Hold the database's write lock, as another process could.
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(server_->database_file().c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::atomic<bool> lock_held{true};

  absl::Mutex mu;
  int answered_while_held = 0;
  std::vector<grpc::StatusCode> codes;
  std::vector<std::thread> readers;
  // The reads are sent one after another until their audit records are seen
  // waiting for the writer: the writer takes whatever is queued as one batch
  // and waits on the lock with it, so only a record queued behind that batch
  // shows in sprout_writer_queue_depth.
  bool queued_behind_the_writer = false;
  for (int i = 0; i < kAuditedReads; ++i) {
    readers.emplace_back([&] {
      v1::GetReferralRequest get;
      get.set_name(submitted.referral().name());
      v1::Referral referral;
      const grpc::Status s =
          gp->GetReferral(testing::ContextWithDeadline(60).get(), get, &referral);
      absl::MutexLock lock(&mu);
      if (lock_held.load() && s.ok()) ++answered_while_held;
      codes.push_back(s.error_code());
    });
    const absl::Time deadline = absl::Now() + absl::Milliseconds(200);
    while (!queued_behind_the_writer && absl::Now() < deadline) {
      queued_behind_the_writer = WriterQueueDepth() >= 1;
      if (!queued_behind_the_writer) absl::SleepFor(absl::Milliseconds(5));
    }
  }
  EXPECT_TRUE(queued_behind_the_writer) << "the audited reads never reached the writer";

  // A routing-log read runs on the same pool and needs no audit record.
  auto admin = v1::AdminService::NewStub(server_->Channel("admin"));
  v1::QueryRoutingLogRequest query;
  v1::QueryRoutingLogResponse log;
  const grpc::Status served =
      admin->QueryRoutingLog(testing::ContextWithDeadline(20).get(), query, &log);
  size_t finished_before = 0;
  {
    absl::MutexLock lock(&mu);
    finished_before = codes.size();
  }

  {
    absl::MutexLock lock(&mu);
    lock_held.store(false);
  }
  ASSERT_EQ(sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(holder);
  for (std::thread& t : readers) t.join();

  EXPECT_TRUE(served.ok()) << served.error_message();
  // Served while every audited read still waited: they did not hold the pool.
  EXPECT_EQ(finished_before, 0u);
  EXPECT_EQ(log.decisions_size(), 1);
  // No audited read was answered before its record could be written.
  EXPECT_EQ(answered_while_held, 0);
  // Each then finished: with its record written, or, had the writer given up
  // on the lock (its busy timeout), refused UNAVAILABLE rather than answered
  // unaudited.
  ASSERT_EQ(codes.size(), static_cast<size_t>(kAuditedReads));
  for (grpc::StatusCode code : codes) {
    EXPECT_THAT(code, ::testing::AnyOf(grpc::StatusCode::OK, grpc::StatusCode::UNAVAILABLE));
  }
}

}  // namespace
}  // namespace sprout
