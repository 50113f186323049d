#include "server/outbox/message_back.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace sprout::outbox {

absl::StatusOr<std::unique_ptr<MessageBack>> MessageBack::Start(MessageBackOptions options,
                                                                store::Store* store,
                                                                const Clock* clock) {
  const RetryPolicy& retry = options.delivery.retry;
  if (retry.max_attempts < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--message_back_max_attempts=", retry.max_attempts, ": must be at least 1"));
  }
  if (retry.initial_backoff <= absl::ZeroDuration() || retry.max_backoff < retry.initial_backoff) {
    return absl::InvalidArgumentError(
        "--message_back_initial_backoff must be above zero and at most "
        "--message_back_max_backoff");
  }
  if (options.send_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--message_back_timeout must be above zero");
  }
  EndpointRegistry endpoints;
  if (!options.endpoints_file.empty()) {
    if (options.tls.cert_chain.empty() || options.tls.private_key.empty() ||
        options.tls.ca.empty()) {
      return absl::InvalidArgumentError(
          "--message_back_endpoints needs mutual TLS (a certificate, key and CA); it cannot be "
          "used with --insecure_dev");
    }
    absl::StatusOr<EndpointRegistry> loaded = EndpointRegistry::Load(options.endpoints_file);
    if (!loaded.ok()) {
      return absl::Status(loaded.status().code(),
                          absl::StrCat("--message_back_endpoints: ", loaded.status().message()));
    }
    endpoints = *std::move(loaded);
  }
  // A lease outlives the longest send.
  options.delivery.lease = std::max(options.delivery.lease, 3 * options.send_timeout);
  std::unique_ptr<MessageBack> back(new MessageBack());
  back->registered_ = endpoints.size();
  back->sender_ = std::make_unique<HttpsMessageSender>(options.tls, options.send_timeout);
  back->deliverer_ = std::make_unique<OutboxDeliverer>(store, clock, std::move(endpoints),
                                                       back->sender_.get(), options.delivery);
  back->deliverer_->Start();
  return back;
}

MessageBack::~MessageBack() { Stop(); }

void MessageBack::Stop() {
  if (deliverer_ != nullptr) deliverer_->Stop();
}

}  // namespace sprout::outbox
