#include "client/cli/exit_code.h"

#include <utility>

#include "absl/strings/cord.h"

namespace sprout::client::cli {
namespace {

constexpr char kUsagePayload[] = "sprout.cli/usage";

}  // namespace

const char kExitCodeHelp[] =
    "Exit codes:\n"
    "  0  success\n"
    "  1  usage error: bad flags or arguments, unreadable input or certificate files\n"
    "  2  the server refused the request (INVALID_ARGUMENT, FAILED_PRECONDITION,\n"
    "     ALREADY_EXISTS, NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED, ABORTED,\n"
    "     RESOURCE_EXHAUSTED, ...); the reasons are printed on stderr\n"
    "  3  cannot reach the server: UNAVAILABLE or deadline exceeded\n"
    "  4  internal error (INTERNAL, UNKNOWN, DATA_LOSS)\n";

absl::Status UsageError(absl::string_view message) {
  return AsUsageError(absl::InvalidArgumentError(message));
}

absl::Status AsUsageError(absl::Status status) {
  if (!status.ok()) status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (status.GetPayload(kUsagePayload).has_value()) return kExitUsage;
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnimplemented:
      return kExitRefused;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kCancelled:
      return kExitUnreachable;
    default:
      return kExitInternal;
  }
}

}  // namespace sprout::client::cli
