// The --for flag of watch commands.
#ifndef SPROUT_CLIENT_CLI_WATCH_UTIL_H_
#define SPROUT_CLIENT_CLI_WATCH_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sprout::client::cli {

// Parses --for ("30m", "2h", "90s"); a usage error if not a positive duration.
absl::StatusOr<absl::Duration> ParseWatchFor(const std::string& text);

// A stream that ran until its --for deadline ended normally.
inline absl::Status EndOfWatch(absl::Status status) {
  if (status.code() == absl::StatusCode::kDeadlineExceeded) return absl::OkStatus();
  return status;
}

}  // namespace sprout::client::cli

#endif  // SPROUT_CLIENT_CLI_WATCH_UTIL_H_
