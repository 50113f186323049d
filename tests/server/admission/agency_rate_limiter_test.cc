// The per-agency token bucket, on a FakeClock: exact refill times and retry
// delays, isolation between organisations, and the memory bound.
#include "server/admission/agency_rate_limiter.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"

namespace sprout::admission {
namespace {

const absl::Time kStart =
    absl::FromCivil(absl::CivilSecond(2026, 3, 2, 10, 0, 0), absl::UTCTimeZone());

// The RetryInfo retry_delay carried by `status`; -1s if there is none.
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

class AgencyRateLimiterTest : public ::testing::Test {
 protected:
  // 10 a second (one token every 100 ms), 3 at once.
  AgencyRateLimits Limits() {
    AgencyRateLimits limits;
    limits.rate_per_second = 10;
    limits.burst = 3;
    return limits;
  }
  FakeClock clock_{kStart};
};

TEST_F(AgencyRateLimiterTest, BurstIsAdmittedThenRefusedUntilTheNextToken) {
  AgencyRateLimiter limiter(Limits(), &clock_);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("Y99001").ok()) << i;
  absl::Status refused = limiter.Admit("Y99001");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryDelayOf(refused), absl::Milliseconds(100));
  google::rpc::ErrorInfo info = ErrorInfoOf(refused);
  EXPECT_EQ(info.reason(), "AGENCY_RATE_LIMITED");
  EXPECT_EQ(info.domain(), "sprout");
  EXPECT_EQ(info.metadata().at("organisation"), "Y99001");
  EXPECT_EQ(info.metadata().at("rate_per_second"), "10");
  EXPECT_EQ(info.metadata().at("burst"), "3");
  EXPECT_NE(refused.message().find("Y99001"), std::string::npos) << refused.message();
}

TEST_F(AgencyRateLimiterTest, TokensArriveExactlyAtTheRate) {
  AgencyRateLimiter limiter(Limits(), &clock_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.Admit("Y99001").ok());
  clock_.Advance(absl::Milliseconds(99));
  absl::Status early = limiter.Admit("Y99001");
  EXPECT_EQ(early.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryDelayOf(early), absl::Milliseconds(1));
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_TRUE(limiter.Admit("Y99001").ok());
  // That token was the only one: the next is 100 ms away again.
  EXPECT_EQ(RetryDelayOf(limiter.Admit("Y99001")), absl::Milliseconds(100));
  // Refusals take nothing: after 100 ms exactly one more call gets in.
  clock_.Advance(absl::Milliseconds(100));
  EXPECT_TRUE(limiter.Admit("Y99001").ok());
  EXPECT_FALSE(limiter.Admit("Y99001").ok());
}

TEST_F(AgencyRateLimiterTest, SustainedRateIsAdmittedIndefinitely) {
  AgencyRateLimiter limiter(Limits(), &clock_);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(limiter.Admit("Y99001").ok()) << i;
    clock_.Advance(absl::Milliseconds(100));
  }
}

TEST_F(AgencyRateLimiterTest, AnIdleBucketRefillsOnlyToTheBurst) {
  AgencyRateLimiter limiter(Limits(), &clock_);
  ASSERT_TRUE(limiter.Admit("Y99001").ok());
  clock_.Advance(absl::Hours(1));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("Y99001").ok()) << i;
  EXPECT_EQ(RetryDelayOf(limiter.Admit("Y99001")), absl::Milliseconds(100));
}

TEST_F(AgencyRateLimiterTest, OneAgencyFloodingLeavesAnotherItsWholeAllowance) {
  AgencyRateLimiter limiter(Limits(), &clock_);
  int admitted = 0;
  for (int i = 0; i < 1000; ++i) admitted += limiter.Admit("police:WYP").ok() ? 1 : 0;
  EXPECT_EQ(admitted, 3);
  EXPECT_EQ(limiter.refused(), 997);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("Y99001").ok()) << i;
  EXPECT_FALSE(limiter.Admit("Y99001").ok());
}

TEST_F(AgencyRateLimiterTest, RetryDelayIsRoundedUpToTheMillisecond) {
  AgencyRateLimits limits;
  limits.rate_per_second = 3;  // a token every 333.33... ms
  limits.burst = 1;
  AgencyRateLimiter limiter(limits, &clock_);
  ASSERT_TRUE(limiter.Admit("Y99001").ok());
  EXPECT_EQ(RetryDelayOf(limiter.Admit("Y99001")), absl::Milliseconds(334));
  clock_.Advance(absl::Milliseconds(333));
  EXPECT_FALSE(limiter.Admit("Y99001").ok());
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_TRUE(limiter.Admit("Y99001").ok());
}

TEST_F(AgencyRateLimiterTest, DisabledAdmitsEverythingAndTracksNothing) {
  AgencyRateLimits limits;
  limits.rate_per_second = 0;
  AgencyRateLimiter limiter(limits, &clock_);
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(limiter.Admit("Y99001").ok());
  EXPECT_EQ(limiter.tracked_organisations(), 0u);
}

TEST_F(AgencyRateLimiterTest, TrackedOrganisationsNeverExceedTheCap) {
  AgencyRateLimits limits = Limits();
  limits.max_tracked_organisations = 4;
  limits.shards = 1;
  AgencyRateLimiter limiter(limits, &clock_);
  // Every organisation is mid-burst (none has refilled) and still the table
  // stays at the cap, and each newcomer is served.
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(limiter.Admit(absl::StrCat("org-", i)).ok()) << i;
    EXPECT_LE(limiter.tracked_organisations(), 4u);
  }
  // Refilled buckets are forgotten to make room.
  clock_.Advance(absl::Seconds(1));
  for (int i = 100; i < 200; ++i) ASSERT_TRUE(limiter.Admit(absl::StrCat("org-", i)).ok());
  EXPECT_EQ(limiter.tracked_organisations(), 4u);
}

TEST_F(AgencyRateLimiterTest, ForgettingARefilledBucketChangesNoDecision) {
  AgencyRateLimits limits = Limits();
  limits.max_tracked_organisations = 2;
  limits.shards = 1;
  AgencyRateLimiter limiter(limits, &clock_);
  // A drains its bucket and B is refused mid-burst; C and D, arriving once A
  // has refilled, push A out but B is still owed its wait.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.Admit("A").ok());
  clock_.Advance(absl::Milliseconds(300));  // A full again
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.Admit("B").ok());
  ASSERT_FALSE(limiter.Admit("B").ok());
  ASSERT_TRUE(limiter.Admit("C").ok());  // evicts A, the only full bucket
  EXPECT_EQ(RetryDelayOf(limiter.Admit("B")), absl::Milliseconds(100));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("A").ok()) << i;
}

TEST_F(AgencyRateLimiterTest, ConcurrentCallersShareOneBurstExactly) {
  AgencyRateLimits limits = Limits();
  limits.burst = 500;
  AgencyRateLimiter limiter(limits, &clock_);
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) admitted += limiter.Admit("Y99001").ok() ? 1 : 0;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(admitted.load(), 500);
}

}  // namespace
}  // namespace sprout::admission
