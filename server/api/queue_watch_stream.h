// File: server/api/queue_watch_stream.h
//
// One WatchQueue stream: catches up from the requested sequence, then sends
// every change to the queue as the store commits it, in sequence order
// (HubWatchStream does the waking and writing).
#ifndef SPROUT_SERVER_API_QUEUE_WATCH_STREAM_H_
#define SPROUT_SERVER_API_QUEUE_WATCH_STREAM_H_

#include <cstdint>
#include <deque>
#include <string>

#include "server/api/hub_watch_stream.h"
#include "sprout/v1/queue.pb.h"
#include "sprout/v1/queue_service.pb.h"

namespace sprout::api {

// What a queue item's change means to a watcher of its queue.
sprout::v1::QueueEventType EventTypeOf(const sprout::v1::QueueItem& item);

class QueueWatchStream final : public HubWatchStream<sprout::v1::QueueEvent> {
 public:
  // How many items one read takes from the store.
  static constexpr int kPageSize = 100;

  // Starts streaming `queue` after `after_sequence` (0: the items waiting
  // now, without the history of items already done). Deletes itself when
  // the call ends. `opening` as for HubWatchStream. REQUIRES: `hub`
  // outlives the call.
  QueueWatchStream(QueueWatchHub* hub, std::string queue, int64_t after_sequence,
                   std::function<absl::Status()> opening = nullptr);

 private:
  absl::StatusOr<bool> ReadPage(std::deque<sprout::v1::QueueEvent>& out) override;

  const std::string queue_;
  // Guarded by the base's lock: ReadPage is its only user.
  int64_t last_sequence_;
  // While catching up from 0, items already done are history, not news.
  bool skip_done_;
};

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_QUEUE_WATCH_STREAM_H_
