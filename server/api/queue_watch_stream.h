// File: server/api/queue_watch_stream.h
//
// One WatchQueue stream: catches up from the requested sequence, then sends
// every change to the queue as the store commits it, in sequence order, one
// message in flight at a time. It holds at most one page of events, so a slow
// client costs bounded memory: the stream simply falls behind and reads on
// when it catches up (the sequence is the cursor, the store the buffer).
#ifndef SPROUT_SERVER_API_QUEUE_WATCH_STREAM_H_
#define SPROUT_SERVER_API_QUEUE_WATCH_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <deque>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/api/queue_watch_hub.h"
#include "sprout/v1/queue.pb.h"

namespace sprout::api {

// What a queue item's change means to a watcher of its queue.
sprout::v1::QueueEventType EventTypeOf(const sprout::v1::QueueItem& item);

class QueueWatchStream final : public grpc::ServerWriteReactor<sprout::v1::QueueEvent>,
                               public QueueWatcher {
 public:
  // How many items one read takes from the store.
  static constexpr int kPageSize = 100;

  // Starts streaming `queue` after `after_sequence` (0: the items waiting
  // now, without the history of items already done). Deletes itself when
  // the call ends. REQUIRES: `hub` outlives the call.
  QueueWatchStream(QueueWatchHub* hub, std::string queue, int64_t after_sequence);

  // QueueWatcher
  void Pump(int64_t generation) override;
  void Close(const absl::Status& status) override;

  // grpc::ServerWriteReactor
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Writes the next pending event, or finishes if that was asked for.
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  QueueWatchHub* const hub_;
  const std::string queue_;

  absl::Mutex mu_;
  std::deque<sprout::v1::QueueEvent> pending_ ABSL_GUARDED_BY(mu_);
  int64_t last_sequence_ ABSL_GUARDED_BY(mu_);
  // The store wake generation last read for, and whether the last read
  // filled a page (so there may be more without a new wake).
  int64_t read_generation_ ABSL_GUARDED_BY(mu_) = -1;
  bool more_ ABSL_GUARDED_BY(mu_) = true;
  // While catching up from 0, items already done are history, not news.
  bool skip_done_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // A Finish that waits for the write in flight.
  bool finish_pending_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status finish_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_QUEUE_WATCH_STREAM_H_
