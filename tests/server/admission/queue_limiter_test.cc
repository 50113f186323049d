// The per-PCN queue limit over a fake count of waiting items, on a FakeClock.
#include "server/admission/queue_limiter.h"

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"

namespace sprout::admission {
namespace {

absl::Duration RetryDelayOf(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryInfoTypeUrl);
  google::rpc::RetryInfo retry;
  if (!payload || !retry.ParseFromString(std::string(*payload))) return absl::Seconds(-1);
  return absl::Seconds(retry.retry_delay().seconds()) +
         absl::Nanoseconds(retry.retry_delay().nanos());
}

google::rpc::ErrorInfo ErrorInfoOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  auto payload = status.GetPayload(kErrorInfoTypeUrl);
  if (payload) {
    EXPECT_TRUE(info.ParseFromString(std::string(*payload)));
  }
  return info;
}

class QueueLimiterTest : public ::testing::Test {
 protected:
  QueueLimiterTest() {
    limits_.max_waiting = 3;
    limits_.retry_after = absl::Seconds(60);
    limits_.recount_interval = absl::Seconds(30);
  }

  // What the "store" holds, and how often it was counted.
  QueueLimiter::WaitingCounter Counter() {
    return [this](absl::string_view queue) -> absl::StatusOr<int64_t> {
      ++counts_[std::string(queue)];
      if (!store_ok_) return absl::UnavailableError("store down");
      return stored_[std::string(queue)];
    };
  }

  QueueLimits limits_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 3, 2, 10, 0, 0), absl::UTCTimeZone())};
  std::map<std::string, int64_t> stored_;
  std::map<std::string, int> counts_;
  bool store_ok_ = true;
};

TEST_F(QueueLimiterTest, LimitedQueueIsThePcnOrTheTriageQueue) {
  EXPECT_EQ(QueueLimiter::LimitedQueueOf("pcns/U99001/linkWorkers/lw-1"), "pcns/U99001");
  EXPECT_EQ(QueueLimiter::LimitedQueueOf("pcns/U99001"), "pcns/U99001");
  EXPECT_EQ(QueueLimiter::LimitedQueueOf("triageQueues/Z1W0A"), "triageQueues/Z1W0A");
}

TEST_F(QueueLimiterTest, FullPcnIsRefusedWithRetryInfoNamingIt) {
  stored_["pcns/U99001"] = 2;
  QueueLimiter limiter(limits_, Counter(), &clock_);
  ASSERT_TRUE(limiter.Reserve("pcns/U99001").ok());  // the third place
  absl::Status refused = limiter.Reserve("pcns/U99001");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryDelayOf(refused), absl::Seconds(60));
  google::rpc::ErrorInfo info = ErrorInfoOf(refused);
  EXPECT_EQ(info.reason(), "PCN_QUEUE_FULL");
  EXPECT_EQ(info.metadata().at("queue"), "pcns/U99001");
  EXPECT_EQ(info.metadata().at("waiting"), "3");
  EXPECT_EQ(info.metadata().at("limit"), "3");
  EXPECT_NE(refused.message().find("pcns/U99001"), std::string::npos) << refused.message();
}

TEST_F(QueueLimiterTest, AFullPcnDoesNotAffectAnother) {
  stored_["pcns/U99001"] = 3;
  QueueLimiter limiter(limits_, Counter(), &clock_);
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(limiter.Reserve("pcns/U99001").ok());
  EXPECT_EQ(limiter.refused(), 100);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Reserve("pcns/U99002").ok()) << i;
  EXPECT_TRUE(limiter.Reserve("triageQueues/Z1W0A").ok());
  EXPECT_EQ(limiter.Occupancy("pcns/U99002"), 3);
}

TEST_F(QueueLimiterTest, PlacesAreKeptOnlyForItemsAdded) {
  QueueLimiter limiter(limits_, Counter(), &clock_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.Reserve("pcns/U99001").ok());
  EXPECT_FALSE(limiter.Reserve("pcns/U99001").ok());  // places held count
  limiter.Settle("pcns/U99001", /*added=*/false);     // the commit failed, or was a replay
  EXPECT_EQ(limiter.Occupancy("pcns/U99001"), 2);
  limiter.Settle("pcns/U99001", /*added=*/true);
  limiter.Settle("pcns/U99001", /*added=*/true);
  EXPECT_EQ(limiter.Occupancy("pcns/U99001"), 2);
  EXPECT_TRUE(limiter.Reserve("pcns/U99001").ok());
  EXPECT_FALSE(limiter.Reserve("pcns/U99001").ok());
}

TEST_F(QueueLimiterTest, StoreIsCountedOncePerIntervalAndFollowsItemsLeaving) {
  stored_["pcns/U99001"] = 3;
  QueueLimiter limiter(limits_, Counter(), &clock_);
  for (int i = 0; i < 50; ++i) ASSERT_FALSE(limiter.Reserve("pcns/U99001").ok());
  EXPECT_EQ(counts_["pcns/U99001"], 1);
  // Link workers pick two referrals up; the limiter learns at the recount.
  stored_["pcns/U99001"] = 1;
  clock_.Advance(absl::Seconds(29));
  EXPECT_FALSE(limiter.Reserve("pcns/U99001").ok());
  EXPECT_EQ(counts_["pcns/U99001"], 1);
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(limiter.Reserve("pcns/U99001").ok());
  EXPECT_EQ(counts_["pcns/U99001"], 2);
  EXPECT_EQ(limiter.Occupancy("pcns/U99001"), 2);
}

TEST_F(QueueLimiterTest, NoteLeftWaitingFreesAPlaceAtOnce) {
  stored_["pcns/U99001"] = 3;
  QueueLimiter limiter(limits_, Counter(), &clock_);
  ASSERT_FALSE(limiter.Reserve("pcns/U99001").ok());
  limiter.NoteLeftWaiting("pcns/U99001/linkWorkers/lw-u99001-01");
  EXPECT_TRUE(limiter.Reserve("pcns/U99001").ok());
  EXPECT_EQ(counts_["pcns/U99001"], 1);
}

TEST_F(QueueLimiterTest, UncountableStoreDoesNotBlockSubmissions) {
  store_ok_ = false;
  QueueLimiter limiter(limits_, Counter(), &clock_);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.Reserve("pcns/U99001").ok()) << i;
  // Once the store answers, the count is taken and the limit applies.
  store_ok_ = true;
  stored_["pcns/U99001"] = 3;
  EXPECT_FALSE(limiter.Reserve("pcns/U99001").ok());
}

TEST_F(QueueLimiterTest, FailedRecountKeepsTheLastCount) {
  stored_["pcns/U99001"] = 3;
  QueueLimiter limiter(limits_, Counter(), &clock_);
  ASSERT_FALSE(limiter.Reserve("pcns/U99001").ok());
  store_ok_ = false;
  clock_.Advance(absl::Seconds(30));
  EXPECT_FALSE(limiter.Reserve("pcns/U99001").ok());
  EXPECT_EQ(counts_["pcns/U99001"], 2);
  // And the failed recount is not retried on every call.
  EXPECT_FALSE(limiter.Reserve("pcns/U99001").ok());
  EXPECT_EQ(counts_["pcns/U99001"], 2);
}

TEST_F(QueueLimiterTest, ConcurrentFirstCallersWaitForOneCountAndShareTheRoom) {
  std::atomic<int> counted{0};
  QueueLimiter limiter(
      limits_,
      [&counted](absl::string_view) -> absl::StatusOr<int64_t> {
        ++counted;
        absl::SleepFor(absl::Milliseconds(20));  // a slow store: others arrive meanwhile
        return 1;
      },
      &clock_);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) admitted += limiter.Reserve("pcns/U99001").ok() ? 1 : 0;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(counted.load(), 1);
  EXPECT_EQ(admitted.load(), 2);  // 1 waiting + 2 = the limit of 3
}

TEST_F(QueueLimiterTest, DisabledAdmitsEverythingWithoutCounting) {
  limits_.max_waiting = 0;
  stored_["pcns/U99001"] = 1000000;
  QueueLimiter limiter(limits_, Counter(), &clock_);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(limiter.Reserve("pcns/U99001").ok());
  EXPECT_TRUE(counts_.empty());
}

}  // namespace
}  // namespace sprout::admission
