// Holds the current Directory snapshot and swaps it atomically on reload.
#ifndef SPROUT_SERVER_ROUTING_DIRECTORY_HOLDER_H_
#define SPROUT_SERVER_ROUTING_DIRECTORY_HOLDER_H_

#include <functional>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "server/routing/directory.h"

namespace sprout::routing {

// A DirectoryHolder owns a reference to the current directory. Thread-safe:
// Get() and Replace() may be called concurrently. A caller that took a snapshot
// with Get() keeps using it unchanged for as long as it holds the pointer, so a
// reload never disturbs a routing decision in flight.
class DirectoryHolder {
 public:
  // REQUIRES: `initial` is not null.
  explicit DirectoryHolder(std::shared_ptr<const Directory> initial)
      : current_(std::move(initial)) {}

  // The current snapshot. Never null.
  std::shared_ptr<const Directory> Get() const {
    absl::MutexLock lock(&mu_);
    return current_;
  }

  // Replace()
  //
  // Makes `next` current. What it must satisfy (the routing policy's PCNs and
  // link workers) is checked before, by whoever built it (RoutingReloader,
  // through MakeRoutingConfig). INVALID_ARGUMENT if `next` is null.
  absl::Status Replace(std::shared_ptr<const Directory> next);

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const Directory> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_DIRECTORY_HOLDER_H_
