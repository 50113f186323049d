// File: server/api/hub_watch_stream.h
//
// HubWatchStream: what every server-streaming watch (a queue, a referral)
// shares. Woken by the QueueWatchHub after each store change, it reads what
// is new after its cursor, then writes it one message at a time. It holds at
// most one page of events, so a slow client costs bounded memory: the stream
// falls behind and reads on when it catches up (the sequence is the cursor,
// the store the buffer). A derived class says only how to read a page.
#ifndef SPROUT_SERVER_API_HUB_WATCH_STREAM_H_
#define SPROUT_SERVER_API_HUB_WATCH_STREAM_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/api/grpc_status.h"
#include "server/api/queue_watch_hub.h"

namespace sprout::api {

template <typename Event>
class HubWatchStream : public grpc::ServerWriteReactor<Event>, public QueueWatcher {
 public:
  // QueueWatcher
  void Pump(int64_t generation) final {
    absl::MutexLock lock(&mu_);
    if (finished_ || writing_ || !pending_.empty()) return;
    if (!more_ && read_generation_ == generation) return;
    read_generation_ = generation;
    if (opening_) {
      // Once, before anything is read: on the hub's thread, never gRPC's.
      const absl::Status opened = std::exchange(opening_, nullptr)();
      if (!opened.ok()) {
        FinishLocked(ToGrpcStatus(opened));
        return;
      }
    }
    absl::StatusOr<bool> more = ReadPage(pending_);
    if (!more.ok()) {
      FinishLocked(ToGrpcStatus(more.status()));
      return;
    }
    more_ = *more;
    if (!pending_.empty()) {
      WriteNextLocked();
    } else if (more_) {
      hub_->Poke();  // a page was all skipped; read on
    }
  }

  void Close(const absl::Status& status) final {
    absl::MutexLock lock(&mu_);
    FinishLocked(ToGrpcStatus(status));
  }

  // grpc::ServerWriteReactor
  void OnWriteDone(bool ok) final {
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
      // Pump skips a stream while it writes, so a store wake that came
      // during the write has not been read for yet: ask for a round, which
      // reads if the wake generation moved on (or there was more).
      hub_->Poke();
    }
  }

  void OnCancel() final {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the watch was cancelled"));
  }

  void OnDone() final {
    hub_->Remove(this);  // waits for a Pump in progress; see the hub's lock order
    delete this;
  }

 protected:
  // REQUIRES: `hub` outlives the call. The derived constructor calls Start()
  // last. `opening` runs once before the first read and may block (check who
  // may watch, write the audit record of the watch); an error ends the watch
  // with it before any event is sent. Null when there is nothing to do.
  HubWatchStream(QueueWatchHub* hub, std::function<absl::Status()> opening)
      : hub_(hub), opening_(std::move(opening)) {}
  ~HubWatchStream() override = default;

  // Sends headers, so the client knows the watch is established before the
  // first change arrives, and registers with the hub, which reads at once.
  void Start() {
    this->StartSendInitialMetadata();
    hub_->Add(this);
  }

  // Appends to `out` what is new after the derived class's cursor (and
  // advances it). Returns true when a full page was read, so more may
  // follow without a new store change. Runs on the hub's thread under the
  // stream's lock; may read the store, never the network.
  virtual absl::StatusOr<bool> ReadPage(std::deque<Event>& out) = 0;

  QueueWatchHub* hub() const { return hub_; }

 private:
  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    writing_ = true;
    this->StartWrite(&pending_.front());
  }

  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    if (writing_) {
      // Finish only once the write in flight completes.
      finish_pending_ = true;
      finish_status_ = status;
      return;
    }
    finished_ = true;
    this->Finish(status);
  }

  QueueWatchHub* const hub_;
  absl::Mutex mu_;
  std::function<absl::Status()> opening_ ABSL_GUARDED_BY(mu_);
  std::deque<Event> pending_ ABSL_GUARDED_BY(mu_);
  // The store wake generation last read for, and whether the last read
  // filled a page (so there may be more without a new wake).
  int64_t read_generation_ ABSL_GUARDED_BY(mu_) = -1;
  bool more_ ABSL_GUARDED_BY(mu_) = true;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // A Finish that waits for the write in flight.
  bool finish_pending_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status finish_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_HUB_WATCH_STREAM_H_
