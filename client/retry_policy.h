// When a Sprout client calls again after a failure, and how long it waits
// first (AIP-194): only calls that cannot do twice what they do, only for
// failures that say "try again", with exponential back-off and jitter, and
// never sooner than the server asked.
#ifndef SPROUT_CLIENT_RETRY_POLICY_H_
#define SPROUT_CLIENT_RETRY_POLICY_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace sprout::client {

struct RetryPolicy {
  // Attempts in all, the first included; 1 turns retries off.
  int max_attempts = 4;
  // The first back-off, growing by `multiplier` per retry up to `max_backoff`.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  double multiplier = 2.0;
  absl::Duration max_backoff = absl::Seconds(5);
  // Each back-off is moved by up to this fraction either way, so clients
  // that failed together do not come back together.
  double jitter = 0.2;
};

// Whether a call may be repeated without repeating its effect.
enum class Idempotency {
  // Reads; SubmitReferral and RecordContact with a request_id (the server
  // answers a repeat with what the first stored).
  kRetriable,
  // Other changes (accept, close, ...): a lost answer may hide a done change.
  kOnce,
};

// RetryDelay()
//
// The wait before retry number `retry` (1 for the first) after `status`, or
// nullopt when the call is not repeated. Repeated, for kRetriable calls and
// within max_attempts: UNAVAILABLE (no server reached, or one starting or
// draining), and RESOURCE_EXHAUSTED carrying a google.rpc.RetryInfo (a rate
// or queue limit that says when). A RetryInfo's delay is waited in full;
// otherwise the back-off with jitter, `random` in [0, 1) choosing where in
// the jitter band.
std::optional<absl::Duration> RetryDelay(const absl::Status& status, int retry,
                                         Idempotency idempotency, const RetryPolicy& policy,
                                         double random);

}  // namespace sprout::client

#endif  // SPROUT_CLIENT_RETRY_POLICY_H_
