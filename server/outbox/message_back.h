// File: server/outbox/message_back.h
//
// The message back to referrers as sproutd runs it: the registry of
// endpoints read from its file, the HTTPS sender with Sprout's certificate
// and the delivery worker, started together and stopped together.
#ifndef SPROUT_SERVER_OUTBOX_MESSAGE_BACK_H_
#define SPROUT_SERVER_OUTBOX_MESSAGE_BACK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "server/outbox/https_message_sender.h"
#include "server/outbox/outbox_deliverer.h"
#include "server/store/store.h"

namespace sprout::outbox {

struct MessageBackOptions {
  // The registry file (endpoint_registry.h); empty: nobody has registered,
  // and every message is recorded as NO_ENDPOINT.
  std::string endpoints_file;
  // Sprout's client certificate and the CA receivers chain to. Required
  // when endpoints_file is set.
  ClientTlsFiles tls;
  absl::Duration send_timeout = absl::Seconds(10);
  DelivererOptions delivery;
};

class MessageBack {
 public:
  // Loads the registry, checks the options and starts the worker.
  // INVALID_ARGUMENT (one line naming the flag or file line) for bad
  // options or a bad registry; NOT_FOUND for a registry file that cannot be
  // read.
  static absl::StatusOr<std::unique_ptr<MessageBack>> Start(MessageBackOptions options,
                                                            store::Store* store,
                                                            const Clock* clock);
  ~MessageBack();  // Stop()s

  void Stop();
  void Wake() { deliverer_->Wake(); }
  DelivererCounts counts() const { return deliverer_->counts(); }
  // How many organisations registered an endpoint.
  size_t registered() const { return registered_; }

 private:
  MessageBack() = default;

  std::unique_ptr<HttpsMessageSender> sender_;
  std::unique_ptr<OutboxDeliverer> deliverer_;
  size_t registered_ = 0;
};

}  // namespace sprout::outbox

#endif  // SPROUT_SERVER_OUTBOX_MESSAGE_BACK_H_
