#include "server/outbox/retry_policy.h"

#include "gtest/gtest.h"

namespace sprout::outbox {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

TEST(BackoffTest, DoublesFromTheInitialWaitUpToTheCap) {
  RetryPolicy policy;  // 5 s doubling to 15 min
  EXPECT_EQ(BackoffAfter(policy, 1, 1.0), absl::Seconds(5));
  EXPECT_EQ(BackoffAfter(policy, 2, 1.0), absl::Seconds(10));
  EXPECT_EQ(BackoffAfter(policy, 4, 1.0), absl::Seconds(40));
  EXPECT_EQ(BackoffAfter(policy, 9, 1.0), absl::Minutes(15));
  EXPECT_EQ(BackoffAfter(policy, 1000, 1.0), absl::Minutes(15));
}

TEST(BackoffTest, JitterSpreadsTheWaitWithinTwentyPercent) {
  RetryPolicy policy;
  EXPECT_EQ(BackoffAfter(policy, 2, 0.8), absl::Seconds(8));
  EXPECT_EQ(BackoffAfter(policy, 2, 1.2), absl::Seconds(12));
  EXPECT_EQ(BackoffAfter(policy, 2, 5.0), absl::Seconds(12));  // clamped
}

TEST(DecideAttemptTest, TwoHundredsAreDelivered) {
  store::OutboxAttempt a = DecideAttempt({}, "m-1", 3, {202, ""}, kNow, 1.0);
  EXPECT_EQ(a.state, sprout::v1::OUTBOX_MESSAGE_STATE_DELIVERED);
  EXPECT_EQ(a.message_id, "m-1");
  EXPECT_EQ(a.time, kNow);
  EXPECT_EQ(a.error, "");
}

TEST(DecideAttemptTest, NoAnswerAndServerTroubleAreRetriedAfterTheBackoff) {
  for (int status : {0, 408, 429, 500, 503}) {
    store::OutboxAttempt a =
        DecideAttempt({}, "m-1", 1, {status, "could not connect to h:1"}, kNow, 1.0);
    EXPECT_EQ(a.state, sprout::v1::OUTBOX_MESSAGE_STATE_PENDING) << status;
    EXPECT_EQ(a.next_attempt_time, kNow + absl::Seconds(10)) << status;  // the second failure
  }
  EXPECT_EQ(DecideAttempt({}, "m", 0, {0, "could not connect to h:1"}, kNow, 1.0).error,
            "could not connect to h:1");
  EXPECT_EQ(DecideAttempt({}, "m", 0, {503, ""}, kNow, 1.0).error, "HTTP 503 from the receiver");
}

TEST(DecideAttemptTest, ARefusalIsADeadLetterAtOnce) {
  for (int status : {400, 401, 403, 404, 422}) {
    store::OutboxAttempt a = DecideAttempt({}, "m-1", 0, {status, ""}, kNow, 1.0);
    EXPECT_EQ(a.state, sprout::v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER) << status;
    EXPECT_NE(a.error.find("refused, not retried"), std::string::npos) << a.error;
  }
}

TEST(DecideAttemptTest, TheLastAllowedAttemptGivesUpAndSaysSo) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  EXPECT_EQ(DecideAttempt(policy, "m", 1, {503, ""}, kNow, 1.0).state,
            sprout::v1::OUTBOX_MESSAGE_STATE_PENDING);
  store::OutboxAttempt last = DecideAttempt(policy, "m", 2, {503, ""}, kNow, 1.0);
  EXPECT_EQ(last.state, sprout::v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER);
  EXPECT_EQ(last.error, "HTTP 503 from the receiver; gave up after 3 attempts");
}

}  // namespace
}  // namespace sprout::outbox
