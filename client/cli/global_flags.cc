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

struct DemoIdentity {
  const char* name;
  const char* uri;
};

constexpr DemoIdentity kDemoIdentities[] = {
    {"gp", "urn:sprout:org:Y99001:role:referrer"},
    {"pharmacy", "urn:sprout:org:FZ991:role:referrer"},
    {"police", "urn:sprout:org:police:WYP:role:referrer"},
    {"fire", "urn:sprout:org:fire:ZFRS:role:referrer"},
    {"housing", "urn:sprout:org:housing:HA001:role:referrer"},
    {"jobcentre", "urn:sprout:org:jobcentre:wrenfield:role:referrer"},
    {"local-authority", "urn:sprout:org:la:wrenfield-asc:role:referrer"},
    {"hospital", "urn:sprout:org:R9X:role:referrer"},
    {"mental-health", "urn:sprout:org:R9Y:role:referrer"},
    {"community-health", "urn:sprout:org:R9W:role:referrer"},
    {"vcse", "urn:sprout:org:vcse:wrenfield-neighbours:role:referrer"},
    {"self", "urn:sprout:org:portal:self:role:referrer"},
    {"linkworker", "urn:sprout:org:U99001:role:link_worker:lw:lw-u99001-01"},
    {"admin", "urn:sprout:org:admin:sprout:role:admin"},
};

}  // namespace

std::string DemoPrincipalUri(const std::string& name) {
  for (const DemoIdentity& identity : kDemoIdentities) {
    if (name == identity.name) return identity.uri;
  }
  return "";
}

absl::StatusOr<ClientOptions> ResolveClientOptions(const GlobalFlags& flags) {
  ClientOptions options;
  options.target = flags.server;
  auto deadline = ParseDeadline(flags.deadline);
  if (!deadline.ok()) return deadline.status();
  options.deadline = *deadline;
  if (flags.insecure) {
    options.insecure = true;
    options.dev_principal = flags.principal.empty() ? DemoPrincipalUri(flags.as) : flags.principal;
    if (options.dev_principal.empty() && !flags.as.empty()) {
      return UsageError(absl::StrCat("--as ", flags.as,
                                     " is not a demo identity; with --insecure pass --principal "
                                     "urn:sprout:org:...:role:..."));
    }
    return options;
  }
  if (!flags.principal.empty()) {
    return UsageError(
        "--principal only applies with --insecure; over TLS the certificate says "
        "who you are");
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
        "no client identity: pass --as NAME, a demo identity from certs/make-dev-certs (gp, "
        "police, linkworker, admin...; certs/README.md), or --cert and --key, or --insecure "
        "for a plaintext dev server");
  }
  if (!IsIdentityName(flags.as)) {
    return UsageError(absl::StrCat("--as: '", flags.as, "' is not an identity name"));
  }
  options.cert_file = absl::StrCat(dir, "/", flags.as, ".pem");
  options.key_file = absl::StrCat(dir, "/", flags.as, ".key");
  return options;
}

}  // namespace sprout::client::cli
