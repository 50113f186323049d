#include "client/retry_policy.h"

#include <algorithm>
#include <cmath>

#include "google/rpc/error_details.pb.h"
#include "rpc/status_conversion.h"

namespace sprout::client {

std::optional<absl::Duration> RetryDelay(const absl::Status& status, int retry,
                                         Idempotency idempotency, const RetryPolicy& policy,
                                         double random) {
  if (idempotency != Idempotency::kRetriable || retry < 1 || retry >= policy.max_attempts) {
    return std::nullopt;
  }
  const std::optional<google::rpc::RetryInfo> asked =
      rpc::GetStatusDetail<google::rpc::RetryInfo>(status);
  if (status.code() == absl::StatusCode::kResourceExhausted && !asked.has_value()) {
    return std::nullopt;  // a limit that gives no time: retrying would only add load
  }
  if (status.code() != absl::StatusCode::kUnavailable &&
      status.code() != absl::StatusCode::kResourceExhausted) {
    return std::nullopt;
  }
  const absl::Duration backoff =
      std::min(policy.max_backoff, policy.initial_backoff * std::pow(policy.multiplier, retry - 1));
  const absl::Duration jittered = backoff * (1.0 + policy.jitter * (2.0 * random - 1.0));
  if (asked.has_value()) {
    const absl::Duration server_delay = absl::Seconds(asked->retry_delay().seconds()) +
                                        absl::Nanoseconds(asked->retry_delay().nanos());
    return std::max(server_delay, jittered);
  }
  return jittered;
}

}  // namespace sprout::client
