// File: server/outbox/message_sender.h
//
// Sends one outcome message to a receiver and says how it went. The real
// one posts over mutual TLS (https_message_sender.h); tests of the delivery
// worker give it a fake.
#ifndef SPROUT_SERVER_OUTBOX_MESSAGE_SENDER_H_
#define SPROUT_SERVER_OUTBOX_MESSAGE_SENDER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "server/outbox/endpoint_registry.h"
#include "server/outbox/retry_policy.h"

namespace sprout::outbox {

class MessageSender {
 public:
  virtual ~MessageSender() = default;
  // POSTs `body` (a FHIR JSON Bundle) to `endpoint`, with `message_id` as
  // the request's X-Request-ID. Blocks until answered or timed out; called
  // from the delivery worker's thread only.
  virtual SendResult Post(const Endpoint& endpoint, const std::string& body,
                          absl::string_view message_id) = 0;
};

}  // namespace sprout::outbox

#endif  // SPROUT_SERVER_OUTBOX_MESSAGE_SENDER_H_
