// sproutctl's exit codes, and how a Status maps to one.
#ifndef SPROUT_CLIENT_CLI_EXIT_CODE_H_
#define SPROUT_CLIENT_CLI_EXIT_CODE_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sprout::client::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,        // bad flags or arguments, unreadable input or certificate files
  kExitRefused = 2,      // the server refused the request
  kExitUnreachable = 3,  // cannot reach the server, UNAVAILABLE, deadline exceeded
  kExitInternal = 4,     // the server or sproutctl failed
};

// The --help footer text that documents the codes.
extern const char kExitCodeHelp[];

// UsageError()
//
// An INVALID_ARGUMENT that ExitCodeFor maps to kExitUsage (it carries a
// payload marking it as the CLI's own), so a bad flag is told apart from the
// server refusing a request.
absl::Status UsageError(absl::string_view message);

// AsUsageError()
//
// `status` marked as a usage error (same code and message); OK stays OK.
absl::Status AsUsageError(absl::Status status);

// ExitCodeFor()
//
//   OK                                                    0
//   a UsageError                                          1
//   INVALID_ARGUMENT, FAILED_PRECONDITION, ALREADY_EXISTS,
//   NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED, ABORTED,
//   OUT_OF_RANGE, RESOURCE_EXHAUSTED, UNIMPLEMENTED       2
//   UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED             3
//   INTERNAL, UNKNOWN, DATA_LOSS                          4
int ExitCodeFor(const absl::Status& status);

}  // namespace sprout::client::cli

#endif  // SPROUT_CLIENT_CLI_EXIT_CODE_H_
