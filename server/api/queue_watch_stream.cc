#include "server/api/queue_watch_stream.h"

#include <utility>
#include <vector>

#include "server/api/grpc_status.h"

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

QueueWatchStream::QueueWatchStream(QueueWatchHub* hub, std::string queue, int64_t after_sequence)
    : hub_(hub),
      queue_(std::move(queue)),
      last_sequence_(after_sequence),
      skip_done_(after_sequence == 0) {
  // Headers now, so the client knows the watch is established before the
  // first change arrives.
  StartSendInitialMetadata();
  hub_->Add(this);
}

void QueueWatchStream::Pump(int64_t generation) {
  absl::MutexLock lock(&mu_);
  if (finished_ || writing_ || !pending_.empty()) return;
  if (!more_ && read_generation_ == generation) return;
  read_generation_ = generation;
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> items =
      hub_->store()->QueueItemsAfter(queue_, last_sequence_, kPageSize);
  if (!items.ok()) {
    FinishLocked(ToGrpcStatus(items.status()));
    return;
  }
  more_ = static_cast<int>(items->size()) == kPageSize;
  for (sprout::v1::QueueItem& item : *items) {
    last_sequence_ = item.sequence();
    if (skip_done_ && item.state() == sprout::v1::QUEUE_ITEM_STATE_DONE) continue;
    sprout::v1::QueueEvent& event = pending_.emplace_back();
    event.set_type(EventTypeOf(item));
    event.set_sequence(item.sequence());
    *event.mutable_item() = std::move(item);
  }
  if (!more_) skip_done_ = false;  // caught up: from now on everything is news
  if (!pending_.empty()) {
    WriteNextLocked();
  } else if (more_) {
    hub_->Poke();  // a page of history was all skipped; read on
  }
}

void QueueWatchStream::Close(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  FinishLocked(ToGrpcStatus(status));
}

void QueueWatchStream::WriteNextLocked() {
  writing_ = true;
  StartWrite(&pending_.front());
}

void QueueWatchStream::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  if (!pending_.empty()) pending_.pop_front();
  if (!ok) {
    // The stream is broken (the client went away); nothing more can be sent.
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the watch stream closed"));
    return;
  }
  if (finish_pending_) {
    FinishLocked(finish_status_);
    return;
  }
  if (!pending_.empty()) {
    WriteNextLocked();
  } else {
    // Pump skips a stream while it writes, so a store wake that came during
    // the write has not been read for yet: ask for a round, which reads if
    // the wake generation moved on (or there was more) and is cheap if not.
    hub_->Poke();
  }
}

void QueueWatchStream::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the watch was cancelled"));
}

void QueueWatchStream::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  if (writing_) {
    // Finish only once the write in flight completes.
    finish_pending_ = true;
    finish_status_ = status;
    return;
  }
  finished_ = true;
  Finish(status);
}

void QueueWatchStream::OnDone() {
  hub_->Remove(this);  // waits for a Pump in progress; see the hub's lock order
  delete this;
}

}  // namespace sprout::api
