#include "client/cli/watch_util.h"

#include "absl/strings/str_cat.h"
#include "client/cli/exit_code.h"

namespace sprout::client::cli {

absl::StatusOr<absl::Duration> ParseWatchFor(const std::string& text) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d <= absl::ZeroDuration()) {
    return UsageError(absl::StrCat("--for: '", text, "' is not a duration like 30m or 2h"));
  }
  return d;
}

}  // namespace sprout::client::cli
