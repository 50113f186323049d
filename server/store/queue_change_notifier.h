// File: server/store/queue_change_notifier.h
//
// QueueChangeNotifier: the fan-out behind Store::SubscribeQueueChanges, shared
// by the backends. A backend calls Notify() after each commit that touched
// queue items (and, for PostgreSQL, on every NOTIFY and reconnection); each
// subscriber's wake function runs once per Notify.
//
// Thread-safe. Notify() may run on any thread, concurrently with Subscribe
// and with subscriptions being destroyed: a subscription's destructor waits
// until its wake function is not running, and it is never called afterwards.
#ifndef SPROUT_SERVER_STORE_QUEUE_CHANGE_NOTIFIER_H_
#define SPROUT_SERVER_STORE_QUEUE_CHANGE_NOTIFIER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/store/store.h"

namespace sprout::store {

class QueueChangeNotifier {
 public:
  QueueChangeNotifier() = default;
  QueueChangeNotifier(const QueueChangeNotifier&) = delete;
  QueueChangeNotifier& operator=(const QueueChangeNotifier&) = delete;
  // REQUIRES: every subscription has been destroyed.
  ~QueueChangeNotifier();

  std::unique_ptr<QueueSubscription> Subscribe(std::function<void()> wake);

  // Calls every current subscriber's wake function.
  void Notify();

  int subscriber_count() const;

 private:
  class Subscription;
  void Unsubscribe(int64_t id);

  // Held while wake functions run, so unsubscribing waits for a running wake.
  // Wake functions must not block, so holding it across them is cheap.
  mutable absl::Mutex mu_;
  int64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<int64_t, std::function<void()>> wakes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_QUEUE_CHANGE_NOTIFIER_H_
