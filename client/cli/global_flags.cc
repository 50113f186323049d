#include "client/cli/global_flags.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/cli/exit_code.h"

namespace sprout::client::cli {
namespace {

bool IsIdentityName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

// "10s", "500ms", "1m30s", or a bare number of seconds ("2.5").
absl::StatusOr<absl::Duration> ParseDeadline(const std::string& text) {
  absl::Duration d;
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    d = absl::Seconds(seconds);
  } else if (!absl::ParseDuration(text, &d)) {
    return UsageError(absl::StrCat("--deadline: '", text, "' is not a duration like 10s or 500ms"));
  }
  if (d <= absl::ZeroDuration()) return UsageError("--deadline: must be positive");
  return d;
}

}  // namespace

absl::StatusOr<ClientOptions> ResolveClientOptions(const GlobalFlags& flags) {
  ClientOptions options;
  options.target = flags.server;
  auto deadline = ParseDeadline(flags.deadline);
  if (!deadline.ok()) return deadline.status();
  options.deadline = *deadline;
  if (flags.insecure) {
    options.insecure = true;
    return options;
  }
  const std::string dir = flags.certs_dir.empty() ? "." : flags.certs_dir;
  options.ca_file = flags.ca.empty() ? absl::StrCat(dir, "/ca.pem") : flags.ca;
  if (flags.cert.empty() != flags.key.empty()) {
    return UsageError("--cert and --key go together");
  }
  if (!flags.cert.empty()) {
    options.cert_file = flags.cert;
    options.key_file = flags.key;
    return options;
  }
  if (flags.as.empty()) {
    return UsageError(
        "no client identity: pass --as gp|police|housing|self|linkworker|admin (certificates "
        "from certs/make-dev-certs), or --cert and --key, or --insecure for a plaintext dev "
        "server");
  }
  if (!IsIdentityName(flags.as)) {
    return UsageError(absl::StrCat("--as: '", flags.as, "' is not an identity name"));
  }
  options.cert_file = absl::StrCat(dir, "/", flags.as, ".pem");
  options.key_file = absl::StrCat(dir, "/", flags.as, ".key");
  return options;
}

}  // namespace sprout::client::cli
