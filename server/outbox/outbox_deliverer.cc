#include "server/outbox/outbox_deliverer.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/fhir/message_back_bundle.h"
#include "server/lifecycle/states.h"
#include "spdlog/spdlog.h"

namespace sprout::outbox {

OutboxDeliverer::OutboxDeliverer(store::Store* store, const Clock* clock,
                                 EndpointRegistry endpoints, MessageSender* sender,
                                 DelivererOptions options)
    : store_(store),
      clock_(clock),
      endpoints_(std::move(endpoints)),
      sender_(sender),
      options_(std::move(options)) {}

OutboxDeliverer::~OutboxDeliverer() { Stop(); }

void OutboxDeliverer::Start() {
  if (thread_.joinable()) return;
  wakes_ = store_->SubscribeQueueChanges([this] { Wake(); });
  thread_ = std::thread([this] { Loop(); });
}

void OutboxDeliverer::Stop() {
  wakes_.reset();  // no wake runs after this
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void OutboxDeliverer::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

DelivererCounts OutboxDeliverer::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

void OutboxDeliverer::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      woken_ = false;
    }
    absl::StatusOr<int> tried = RunOnce();
    if (!tried.ok()) {
      // The store is busy, shutting down or lost its database: the messages
      // stay in the outbox, due, and the next pass tries again.
      spdlog::warn("sproutd: outbox: could not read due messages: {}",
                   std::string(tried.status().message()));
    }
    const bool more = tried.ok() && *tried == options_.batch;
    absl::MutexLock lock(&mu_);
    if (more) continue;
    auto woken_or_stopping = [this]()
                                 ABSL_SHARED_LOCKS_REQUIRED(mu_) { return woken_ || stopping_; };
    mu_.AwaitWithTimeout(absl::Condition(&woken_or_stopping), options_.poll);
  }
}

absl::StatusOr<int> OutboxDeliverer::RunOnce() {
  // A read first: with nothing due, no write transaction is spent leasing.
  absl::StatusOr<std::optional<absl::Time>> next = store_->NextOutboxAttempt();
  if (!next.ok()) return next.status();
  if (!next->has_value() || **next > clock_->Now()) return 0;
  absl::StatusOr<std::vector<store::OutboxEntry>> due =
      store_->LeaseDueOutboxMessages(clock_->Now(), options_.lease, options_.batch);
  if (!due.ok()) return due.status();
  for (const store::OutboxEntry& entry : *due) {
    store::OutboxAttempt attempt = Deliver(entry);
    const std::string& name = entry.message.name();
    if (absl::Status recorded = store_->RecordOutboxAttempt(attempt); !recorded.ok()) {
      // The lease ends and the message is due again: sent twice at worst,
      // which its MessageHeader.id lets the receiver see.
      spdlog::warn("sproutd: outbox: {}: could not record the attempt: {}", name,
                   std::string(recorded.message()));
      continue;
    }
    absl::MutexLock lock(&mu_);
    switch (attempt.state) {
      case sprout::v1::OUTBOX_MESSAGE_STATE_DELIVERED:
        ++counts_.delivered;
        spdlog::info("sproutd: outbox: {} ({} {}) delivered to {}", name, entry.message.referral(),
                     std::string(lifecycle::StateName(entry.message.referral_state())),
                     entry.message.organisation_code());
        break;
      case sprout::v1::OUTBOX_MESSAGE_STATE_PENDING:
        ++counts_.retried;
        spdlog::info("sproutd: outbox: {} for {} not delivered ({}); next attempt in {}", name,
                     entry.message.organisation_code(), attempt.error,
                     absl::FormatDuration(absl::Trunc(attempt.next_attempt_time - attempt.time,
                                                      absl::Milliseconds(100))));
        break;
      case sprout::v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER:
        ++counts_.dead_letters;
        spdlog::error(
            "sproutd: outbox: {} for {} is a dead letter: {}; fix the receiver, then "
            "sproutctl admin outbox redeliver {}",
            name, entry.message.organisation_code(), attempt.error, name);
        break;
      default:
        ++counts_.no_endpoint;
        spdlog::warn("sproutd: outbox: {}: {}", name, attempt.error);
        break;
    }
  }
  return static_cast<int>(due->size());
}

store::OutboxAttempt OutboxDeliverer::Deliver(const store::OutboxEntry& entry) {
  const std::string& organisation = entry.message.organisation_code();
  absl::string_view id = entry.message.name();
  id.remove_prefix(id.find('/') + 1);
  std::optional<Endpoint> endpoint = endpoints_.Find(organisation);
  if (!endpoint.has_value()) {
    store::OutboxAttempt attempt;
    attempt.message_id = std::string(id);
    attempt.time = clock_->Now();
    attempt.state = sprout::v1::OUTBOX_MESSAGE_STATE_NO_ENDPOINT;
    attempt.error = absl::StrCat("organisation ", organisation.empty() ? "(none)" : organisation,
                                 " has no message-back endpoint registered");
    return attempt;
  }
  fhir::MessageBackAddress address{options_.source_endpoint, endpoint->url, organisation};
  const std::string body =
      fhir::MessageBackBundle(entry.referral, id, address, clock_->Now()).dump();
  SendResult result = sender_->Post(*endpoint, body, id);
  return DecideAttempt(options_.retry, id, entry.message.attempts(), result, clock_->Now(),
                       absl::Uniform(jitter_, 0.8, 1.2));
}

}  // namespace sprout::outbox
