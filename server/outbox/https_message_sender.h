// File: server/outbox/https_message_sender.h
//
// MessageSender over HTTPS with mutual TLS (cpp-httplib's SSLClient): Sprout
// presents its own certificate (which must allow client authentication) and
// checks the receiver's against the CA file, host name included. The files
// are read for every message, so a certificate reload is taken up at once.
#ifndef SPROUT_SERVER_OUTBOX_HTTPS_MESSAGE_SENDER_H_
#define SPROUT_SERVER_OUTBOX_HTTPS_MESSAGE_SENDER_H_

#include <string>

#include "absl/time/time.h"
#include "server/outbox/message_sender.h"

namespace sprout::outbox {

struct ClientTlsFiles {
  std::string cert_chain;   // PEM: Sprout's certificate, then its chain
  std::string private_key;  // PEM
  std::string ca;           // PEM: the CAs receivers' certificates chain to
};

class HttpsMessageSender final : public MessageSender {
 public:
  HttpsMessageSender(ClientTlsFiles files, absl::Duration timeout)
      : files_(std::move(files)), timeout_(timeout) {}

  SendResult Post(const Endpoint& endpoint, const std::string& body,
                  absl::string_view message_id) override;

 private:
  const ClientTlsFiles files_;
  const absl::Duration timeout_;
};

}  // namespace sprout::outbox

#endif  // SPROUT_SERVER_OUTBOX_HTTPS_MESSAGE_SENDER_H_
