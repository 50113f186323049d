// When a call is repeated and after how long: only retriable calls, only
// UNAVAILABLE or a limit that says when, growing back-off within its jitter,
// the server's RetryInfo delay honoured, and no more than max_attempts.
#include "client/retry_policy.h"

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "rpc/status_conversion.h"

namespace sprout::client {
namespace {

absl::Status Exhausted(absl::Duration retry_after) {
  absl::Status status = absl::ResourceExhaustedError("rate limit");
  google::rpc::RetryInfo info;
  info.mutable_retry_delay()->set_seconds(absl::ToInt64Seconds(retry_after));
  rpc::SetStatusDetail(status, info);
  return status;
}

TEST(RetryDelayTest, UnavailableBacksOffExponentiallyUpToTheCap) {
  RetryPolicy policy;
  policy.max_attempts = 10;
  policy.jitter = 0;
  const absl::Status down = absl::UnavailableError("connection refused");
  EXPECT_EQ(RetryDelay(down, 1, Idempotency::kRetriable, policy, 0.5), absl::Milliseconds(100));
  EXPECT_EQ(RetryDelay(down, 2, Idempotency::kRetriable, policy, 0.5), absl::Milliseconds(200));
  EXPECT_EQ(RetryDelay(down, 3, Idempotency::kRetriable, policy, 0.5), absl::Milliseconds(400));
  EXPECT_EQ(RetryDelay(down, 9, Idempotency::kRetriable, policy, 0.5), absl::Seconds(5));
}

TEST(RetryDelayTest, JitterStaysInsideItsBand) {
  RetryPolicy policy;  // 20% jitter
  const absl::Status down = absl::UnavailableError("down");
  EXPECT_EQ(RetryDelay(down, 1, Idempotency::kRetriable, policy, 0.0), absl::Milliseconds(80));
  EXPECT_EQ(RetryDelay(down, 1, Idempotency::kRetriable, policy, 0.5), absl::Milliseconds(100));
  EXPECT_LT(*RetryDelay(down, 1, Idempotency::kRetriable, policy, 0.999), absl::Milliseconds(120));
}

TEST(RetryDelayTest, AtMostMaxAttemptsInAll) {
  RetryPolicy policy;  // 4 attempts: 3 retries
  const absl::Status down = absl::UnavailableError("down");
  EXPECT_TRUE(RetryDelay(down, 3, Idempotency::kRetriable, policy, 0.5).has_value());
  EXPECT_FALSE(RetryDelay(down, 4, Idempotency::kRetriable, policy, 0.5).has_value());
  policy.max_attempts = 1;
  EXPECT_FALSE(RetryDelay(down, 1, Idempotency::kRetriable, policy, 0.5).has_value());
}

TEST(RetryDelayTest, AChangeThatMayHaveHappenedIsNotRepeated) {
  EXPECT_FALSE(RetryDelay(absl::UnavailableError("down"), 1, Idempotency::kOnce, RetryPolicy(), 0.5)
                   .has_value());
}

TEST(RetryDelayTest, OnlyFailuresThatSayTryAgain) {
  for (const absl::Status& status :
       {absl::InvalidArgumentError("bad"), absl::FailedPreconditionError("state"),
        absl::DeadlineExceededError("late"), absl::InternalError("bug"),
        absl::ResourceExhaustedError("a limit with no RetryInfo")}) {
    EXPECT_FALSE(RetryDelay(status, 1, Idempotency::kRetriable, RetryPolicy(), 0.5).has_value())
        << status;
  }
}

TEST(RetryDelayTest, TheServersRetryInfoIsWaitedInFull) {
  EXPECT_EQ(RetryDelay(Exhausted(absl::Seconds(2)), 1, Idempotency::kRetriable, RetryPolicy(), 0.5),
            absl::Seconds(2));
  RetryPolicy slow;
  slow.initial_backoff = absl::Seconds(3);
  slow.jitter = 0;
  EXPECT_EQ(RetryDelay(Exhausted(absl::Seconds(2)), 1, Idempotency::kRetriable, slow, 0.5),
            absl::Seconds(3));  // never sooner than our own back-off either
}

}  // namespace
}  // namespace sprout::client
