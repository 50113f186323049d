// File: server/outbox/retry_policy.h
//
// What a delivery attempt's result means for its message: delivered, tried
// again later (exponential back-off with jitter), or given up on as a dead
// letter that administrators see and can redeliver. Never silently dropped.
#ifndef SPROUT_SERVER_OUTBOX_RETRY_POLICY_H_
#define SPROUT_SERVER_OUTBOX_RETRY_POLICY_H_

#include <string>

#include "absl/time/time.h"
#include "server/store/outbox.h"

namespace sprout::outbox {

struct RetryPolicy {
  // The wait after the first failure; doubled after each further one.
  absl::Duration initial_backoff = absl::Seconds(5);
  // The longest wait between attempts.
  absl::Duration max_backoff = absl::Minutes(15);
  // Attempts before a message becomes a dead letter (with the defaults,
  // about three and a half hours of trying).
  int max_attempts = 20;
};

// How a send went.
struct SendResult {
  // The receiver's HTTP status; 0 when it never answered (no connection, a
  // TLS failure, a timeout).
  int http_status = 0;
  // Why there was no answer, e.g. "connection refused"; no patient data.
  std::string transport_error;
};

// The wait before attempt `attempts_made + 1`: initial * 2^(attempts_made-1),
// at most max_backoff, scaled by `jitter` (in [0.8, 1.2]; spreads retries
// from many messages so a receiver coming back is not hit all at once).
absl::Duration BackoffAfter(const RetryPolicy& policy, int attempts_made, double jitter);

// The attempt record for `message` (with `attempts_made` before this one)
// after `result` at `now`:
//   2xx                    DELIVERED
//   408, 429, 5xx, no answer  PENDING after the back-off, or DEAD_LETTER
//                          once max_attempts have been made
//   any other status       DEAD_LETTER at once: the receiver refused this
//                          message, and sending it again would not change that
store::OutboxAttempt DecideAttempt(const RetryPolicy& policy, absl::string_view message_id,
                                   int attempts_made, const SendResult& result, absl::Time now,
                                   double jitter);

}  // namespace sprout::outbox

#endif  // SPROUT_SERVER_OUTBOX_RETRY_POLICY_H_
