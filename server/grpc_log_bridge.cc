#include "server/grpc_log_bridge.h"

#include <grpc/support/log.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace sprout {
namespace {

void LogThroughSpdlog(gpr_log_func_args* args) {
  const std::string refusal = HandshakeRefusal(args->message);
  if (!refusal.empty()) {
    spdlog::warn("sproutd: {}", refusal);
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

std::string HandshakeRefusal(absl::string_view message) {
  // OpenSSL's verification result, logged by gRPC before the failure itself.
  if (absl::ConsumePrefix(&message, "Certificate verify failed with code ")) {
    int code = 0;
    if (!absl::SimpleAtoi(message, &code)) return "";
    return absl::StrCat("TLS handshake refused: ", X509_verify_cert_error_string(code),
                        " (X509 verification error ", code, ")");
  }
  if (absl::ConsumePrefix(&message, "Handshake failed with fatal error ")) {
    absl::ConsumeSuffix(&message, ".");
    // "SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify failed"
    const size_t routines = message.rfind("::");
    absl::string_view reason =
        routines == absl::string_view::npos ? message : message.substr(routines + 2);
    return absl::StrCat("TLS handshake refused: ", reason);
  }
  return "";
}

void RouteGrpcLogsToSpdlog() { gpr_set_log_function(LogThroughSpdlog); }

}  // namespace sprout
