#include "server/api/queue_watch_stream.h"

#include <utility>
#include <vector>

namespace sprout::api {

sprout::v1::QueueEventType EventTypeOf(const sprout::v1::QueueItem& item) {
  switch (item.state()) {
    case sprout::v1::QUEUE_ITEM_STATE_WAITING:
      return sprout::v1::QUEUE_EVENT_TYPE_ADDED;
    case sprout::v1::QUEUE_ITEM_STATE_CLAIMED:
      return sprout::v1::QUEUE_EVENT_TYPE_UPDATED;
    default:
      return sprout::v1::QUEUE_EVENT_TYPE_REMOVED;
  }
}

QueueWatchStream::QueueWatchStream(QueueWatchHub* hub, std::string queue, int64_t after_sequence,
                                   std::function<absl::Status()> opening)
    : HubWatchStream(hub, std::move(opening)),
      queue_(std::move(queue)),
      last_sequence_(after_sequence),
      skip_done_(after_sequence == 0) {
  Start();
}

absl::StatusOr<bool> QueueWatchStream::ReadPage(std::deque<sprout::v1::QueueEvent>& out) {
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> items =
      hub()->store()->QueueItemsAfter(queue_, last_sequence_, kPageSize);
  if (!items.ok()) return items.status();
  const bool more = static_cast<int>(items->size()) == kPageSize;
  for (sprout::v1::QueueItem& item : *items) {
    last_sequence_ = item.sequence();
    if (skip_done_ && item.state() == sprout::v1::QUEUE_ITEM_STATE_DONE) continue;
    sprout::v1::QueueEvent& event = out.emplace_back();
    event.set_type(EventTypeOf(item));
    event.set_sequence(item.sequence());
    *event.mutable_item() = std::move(item);
  }
  if (!more) skip_done_ = false;  // caught up: from now on everything is news
  return more;
}

}  // namespace sprout::api
