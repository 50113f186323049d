#include "server/outbox/retry_policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sprout::outbox {

absl::Duration BackoffAfter(const RetryPolicy& policy, int attempts_made, double jitter) {
  absl::Duration wait = policy.initial_backoff;
  for (int i = 1; i < attempts_made && wait < policy.max_backoff; ++i) wait *= 2;
  wait = std::min(wait, policy.max_backoff);
  return wait * std::clamp(jitter, 0.8, 1.2);
}

store::OutboxAttempt DecideAttempt(const RetryPolicy& policy, absl::string_view message_id,
                                   int attempts_made, const SendResult& result, absl::Time now,
                                   double jitter) {
  store::OutboxAttempt attempt;
  attempt.message_id = std::string(message_id);
  attempt.time = now;
  const int status = result.http_status;
  if (status >= 200 && status < 300) {
    attempt.state = sprout::v1::OUTBOX_MESSAGE_STATE_DELIVERED;
    return attempt;
  }
  const bool retryable = status == 0 || status == 408 || status == 429 || status >= 500;
  attempt.error =
      status == 0 ? result.transport_error : absl::StrCat("HTTP ", status, " from the receiver");
  if (!retryable) {
    attempt.state = sprout::v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER;
    absl::StrAppend(&attempt.error, "; refused, not retried");
    return attempt;
  }
  const int made = attempts_made + 1;
  if (made >= policy.max_attempts) {
    attempt.state = sprout::v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER;
    absl::StrAppend(&attempt.error, "; gave up after ", made, " attempts");
    return attempt;
  }
  attempt.state = sprout::v1::OUTBOX_MESSAGE_STATE_PENDING;
  attempt.next_attempt_time = now + BackoffAfter(policy, made, jitter);
  return attempt;
}

}  // namespace sprout::outbox
