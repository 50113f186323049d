#include "server/grpc_log_bridge.h"

#include <grpc/support/log.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/common/peer_address.h"

namespace sprout {
namespace {

constexpr absl::string_view kVerifyFailed = "Certificate verify failed with code ";
constexpr absl::string_view kHandshakeFailed = "Handshake failed with fatal error ";

// Set once the bridge is installed, so that the shutdown() below does nothing
// extra in programs (tests, tools) that link this file but never route logs.
std::atomic<bool> bridge_installed{false};

PendingHandshakeRefusal& ThisThreadsRefusal() {
  thread_local PendingHandshakeRefusal pending;
  return pending;
}

void LogThroughSpdlog(gpr_log_func_args* args) {
  if (!HandshakeRefusalReason(args->message).empty()) {
    if (std::optional<std::string> unclaimed = ThisThreadsRefusal().Note(args->message)) {
      spdlog::warn("sproutd: {}", *unclaimed);
    }
    return;
  }
  switch (args->severity) {
    case GPR_LOG_SEVERITY_DEBUG:
      spdlog::debug("grpc: {} ({}:{})", args->message, args->file, args->line);
      break;
    case GPR_LOG_SEVERITY_INFO:
      spdlog::info("grpc: {} ({}:{})", args->message, args->file, args->line);
      break;
    case GPR_LOG_SEVERITY_ERROR:
      spdlog::error("grpc: {} ({}:{})", args->message, args->file, args->line);
      break;
  }
}

}  // namespace

std::string HandshakeRefusalReason(absl::string_view message) {
  // OpenSSL's verification result, logged by gRPC before the failure itself.
  if (absl::ConsumePrefix(&message, kVerifyFailed)) {
    int code = 0;
    if (!absl::SimpleAtoi(message, &code)) return "";
    return absl::StrCat(X509_verify_cert_error_string(code), " (X509 verification error ", code,
                        ")");
  }
  if (absl::ConsumePrefix(&message, kHandshakeFailed)) {
    absl::ConsumeSuffix(&message, ".");
    // "SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify failed"
    const size_t routines = message.rfind("::");
    return std::string(routines == absl::string_view::npos ? message
                                                           : message.substr(routines + 2));
  }
  return "";
}

std::string HandshakeRefusalLine(absl::string_view reason, absl::string_view peer) {
  return absl::StrCat("TLS handshake refused from ", peer, ": ", reason);
}

std::optional<std::string> PendingHandshakeRefusal::Note(absl::string_view grpc_message) {
  const std::string reason = HandshakeRefusalReason(grpc_message);
  if (reason.empty()) return std::nullopt;
  const bool closing = absl::StartsWith(grpc_message, kHandshakeFailed);
  std::optional<std::string> unclaimed;
  // A refusal already complete, or a second verification code, means the
  // held one belongs to an earlier handshake whose shutdown never came here.
  if (holding() && (handshake_failed_ || !closing)) {
    unclaimed = TakeForPeer("unknown");
  }
  if (!holding()) reason_ = reason;
  handshake_failed_ = closing;
  return unclaimed;
}

std::optional<std::string> PendingHandshakeRefusal::TakeForPeer(absl::string_view peer) {
  if (!holding()) return std::nullopt;
  std::string line = HandshakeRefusalLine(reason_, peer);
  reason_.clear();
  handshake_failed_ = false;
  return line;
}

void RouteGrpcLogsToSpdlog() {
  bridge_installed.store(true, std::memory_order_relaxed);
  gpr_set_log_function(LogThroughSpdlog);
}

}  // namespace sprout

// gRPC shuts a connection's socket down on the thread that refused its
// handshake, right after logging why (src/core/lib/security/transport/
// security_handshaker.cc, HandshakeFailedLocked). This definition stands in
// for libc's (the executable's symbol is the one shared libraries bind to), so
// the held reason is logged with the socket's peer before the socket goes.
// Every other shutdown() is passed straight to the kernel: the extra work is
// one thread-local check.
extern "C" int shutdown(int fd, int how) {
  if (sprout::bridge_installed.load(std::memory_order_relaxed)) {
    sprout::PendingHandshakeRefusal& pending = sprout::ThisThreadsRefusal();
    if (pending.holding()) {
      if (std::optional<std::string> line = pending.TakeForPeer(sprout::PeerAddressOf(fd))) {
        spdlog::warn("sproutd: {}", *line);
      }
    }
  }
  return static_cast<int>(syscall(SYS_shutdown, fd, how));
}
