// File: server/outbox/outbox_deliverer.h
//
// The delivery worker of the outcome-message outbox (server/store/outbox.h):
// one thread that leases the messages due, builds each one's FHIR Bundle
// from the referral as it was committed (fhir/message_back_bundle.h), posts
// it to the referring organisation's registered endpoint, and records what
// came of it (retry_policy.h). It wakes when a commit may have written a
// message (the store's change wake-ups) and at least every poll interval for
// retries that fall due. Several replicas may each run one: leases keep them
// off each other's messages.
#ifndef SPROUT_SERVER_OUTBOX_OUTBOX_DELIVERER_H_
#define SPROUT_SERVER_OUTBOX_OUTBOX_DELIVERER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "server/outbox/endpoint_registry.h"
#include "server/outbox/message_sender.h"
#include "server/outbox/retry_policy.h"
#include "server/store/store.h"

namespace sprout::outbox {

struct DelivererOptions {
  RetryPolicy retry;
  // How long a leased message is kept from other workers while it is sent;
  // longer than a send can take (the sender's timeout).
  absl::Duration lease = absl::Minutes(2);
  // Messages leased at a time.
  int batch = 16;
  // The longest sleep between looks at the outbox.
  absl::Duration poll = absl::Seconds(1);
  // MessageHeader.source.endpoint: Sprout's FHIR base URL.
  std::string source_endpoint = "urn:sprout:fhir";
};

// Counts since start, for logs and metrics.
struct DelivererCounts {
  int64_t delivered = 0;
  int64_t retried = 0;
  int64_t dead_letters = 0;
  int64_t no_endpoint = 0;
};

class OutboxDeliverer {
 public:
  // `store`, `clock` and `sender` must outlive it.
  OutboxDeliverer(store::Store* store, const Clock* clock, EndpointRegistry endpoints,
                  MessageSender* sender, DelivererOptions options);
  ~OutboxDeliverer();  // Stop()s

  OutboxDeliverer(const OutboxDeliverer&) = delete;
  OutboxDeliverer& operator=(const OutboxDeliverer&) = delete;

  // Starts the thread (once).
  void Start();
  // Finishes the message being sent and joins the thread. Idempotent.
  void Stop();
  // Looks at the outbox soon. Never blocks; safe from store threads.
  void Wake();

  // One pass on the calling thread: when a message is due (a read), leases
  // up to a batch of due messages,
  // sends each and records the attempt. Returns how many it tried, or the
  // store's error. For the thread and for tests.
  absl::StatusOr<int> RunOnce();

  DelivererCounts counts() const;

 private:
  void Loop();
  // Sends `entry` and returns the attempt to record.
  store::OutboxAttempt Deliver(const store::OutboxEntry& entry);

  store::Store* const store_;
  const Clock* const clock_;
  const EndpointRegistry endpoints_;
  MessageSender* const sender_;
  const DelivererOptions options_;

  mutable absl::Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  DelivererCounts counts_ ABSL_GUARDED_BY(mu_);
  absl::BitGen jitter_;  // only on the delivering thread

  std::unique_ptr<store::QueueSubscription> wakes_;
  std::thread thread_;
};

}  // namespace sprout::outbox

#endif  // SPROUT_SERVER_OUTBOX_OUTBOX_DELIVERER_H_
