// File: server/api/queue_watch_hub.h
//
// QueueWatchHub: the one place WatchQueue streams learn that queues changed.
// It holds a single Store subscription (so the store wakes one thing, however
// many watchers there are) and a thread that, after each wake, gives every
// registered watcher a turn to read what is new. Reads happen on that thread,
// never on the store's thread (store wake functions must not call the store)
// nor on gRPC's.
//
// Thread-safe. Lock order: the hub's round lock, then a watcher's own lock.
// A watcher must therefore never call Remove() while holding its own lock;
// Poke() takes neither lock and may be called from anywhere.
#ifndef SPROUT_SERVER_API_QUEUE_WATCH_HUB_H_
#define SPROUT_SERVER_API_QUEUE_WATCH_HUB_H_

#include <cstdint>
#include <memory>
#include <set>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "server/store/store.h"

namespace sprout::api {

// A watcher's side of the hub.
class QueueWatcher {
 public:
  virtual ~QueueWatcher() = default;
  // Called on the hub's thread once per round. `generation` counts store
  // wakes; a watcher that has read since the last one and has nothing left
  // to read returns at once. Must not block on the network.
  virtual void Pump(int64_t generation) = 0;
  // Ends the watch with `status` (e.g. the server is shutting down).
  virtual void Close(const absl::Status& status) = 0;
};

class QueueWatchHub {
 public:
  // REQUIRES: `store` outlives the hub.
  explicit QueueWatchHub(store::Store* store);
  QueueWatchHub(const QueueWatchHub&) = delete;
  QueueWatchHub& operator=(const QueueWatchHub&) = delete;
  // Unsubscribes from the store and stops the thread. REQUIRES: every
  // watcher has been removed.
  ~QueueWatchHub();

  store::Store* store() const { return store_; }

  // Registers `watcher` and schedules a round so it reads at once.
  void Add(QueueWatcher* watcher);
  // Unregisters `watcher`; when this returns its Pump is not running and is
  // never called again.
  void Remove(QueueWatcher* watcher);
  // Closes every registered watcher with `status`, e.g. UNAVAILABLE when the
  // server drains, so open streams do not hold the drain to its deadline.
  void CloseAll(const absl::Status& status);
  // Schedules a round without a store change (a watcher with more to read).
  void Poke();

  int watcher_count() const;

 private:
  void OnStoreChange();
  void Run();

  store::Store* const store_;

  // Guards the request for a round; never held while watchers run.
  mutable absl::Mutex wake_mu_;
  bool round_wanted_ ABSL_GUARDED_BY(wake_mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(wake_mu_) = false;
  int64_t generation_ ABSL_GUARDED_BY(wake_mu_) = 0;

  // Held for a whole round, so Remove() waits for a running Pump.
  mutable absl::Mutex round_mu_ ABSL_ACQUIRED_BEFORE(wake_mu_);
  std::set<QueueWatcher*> watchers_ ABSL_GUARDED_BY(round_mu_);

  std::thread thread_;
  std::unique_ptr<store::QueueSubscription> subscription_;
};

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_QUEUE_WATCH_HUB_H_
