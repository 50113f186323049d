#include "server/outbox/https_message_sender.h"

#include <httplib.h>

#include "absl/strings/str_cat.h"

namespace sprout::outbox {
namespace {

// What went wrong, in words an operator can act on; names the receiver's
// address, never the message.
std::string TransportError(httplib::Error error, const Endpoint& endpoint) {
  const std::string where = absl::StrCat(endpoint.host, ":", endpoint.port);
  switch (error) {
    case httplib::Error::Connection:
      return absl::StrCat("could not connect to ", where);
    case httplib::Error::ConnectionTimeout:
      return absl::StrCat("timed out connecting to ", where);
    case httplib::Error::SSLConnection:
      return absl::StrCat("TLS handshake with ", where, " failed");
    case httplib::Error::SSLServerVerification:
      return absl::StrCat("the certificate of ", where, " did not verify");
    case httplib::Error::SSLLoadingCerts:
      return "Sprout's client certificate, key or CA file could not be loaded";
    case httplib::Error::Read:
      return absl::StrCat("no answer from ", where, " (read failed or timed out)");
    case httplib::Error::Write:
      return absl::StrCat("sending to ", where, " failed");
    default:
      return absl::StrCat("request to ", where, " failed: ", httplib::to_string(error));
  }
}

}  // namespace

SendResult HttpsMessageSender::Post(const Endpoint& endpoint, const std::string& body,
                                    absl::string_view message_id) {
  httplib::SSLClient client(endpoint.host, endpoint.port, files_.cert_chain, files_.private_key);
  client.set_ca_cert_path(files_.ca.c_str());
  client.enable_server_certificate_verification(true);
  const int64_t micros = absl::ToInt64Microseconds(timeout_);
  client.set_connection_timeout(micros / 1000000, micros % 1000000);
  client.set_read_timeout(micros / 1000000, micros % 1000000);
  client.set_write_timeout(micros / 1000000, micros % 1000000);
  client.set_keep_alive(false);
  httplib::Headers headers = {{"X-Request-ID", std::string(message_id)},
                              {"X-Correlation-ID", std::string(message_id)},
                              {"Accept", "application/fhir+json"}};
  httplib::Result result = client.Post(endpoint.path, headers, body, "application/fhir+json");
  SendResult out;
  if (!result) {
    out.transport_error = TransportError(result.error(), endpoint);
    return out;
  }
  out.http_status = result->status;
  return out;
}

}  // namespace sprout::outbox
