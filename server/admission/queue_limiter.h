// File: server/admission/queue_limiter.h
//
// Per-PCN queue limits for SubmitReferral: a PCN (all its link workers'
// queues and its pool together) or a triage queue holds at most `max_waiting`
// referrals waiting, so a flood into one PCN is refused at that PCN and
// cannot fill the store or slow the others.
//
// Counting: waiting items are counted from the store once per limited queue
// (on its first submission) and again when the count is older than
// `recount_interval`; in between, this process's own commits are added. So a
// count follows items that leave the queue (claimed, accepted, declined) and
// other replicas' commits within one recount interval, and a request never
// scans the store except for the one recount per queue per interval.
//
//   QueueLimiter limiter(limits, CountFromStore, clock);
//   absl::Status s = limiter.Reserve("pcns/U99001");   // a place is held
//   ... commit ...
//   limiter.Settle("pcns/U99001", /*added=*/committed && !replayed);
#ifndef SPROUT_SERVER_ADMISSION_QUEUE_LIMITER_H_
#define SPROUT_SERVER_ADMISSION_QUEUE_LIMITER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "base/clock.h"

namespace sprout::admission {

// The ErrorInfo reason of a call refused because its queue is full.
inline constexpr absl::string_view kPcnQueueFull = "PCN_QUEUE_FULL";

struct QueueLimits {
  // Referrals that may wait on one PCN (or triage queue) before submissions
  // routed there are refused; 0 disables the limit. Default: 5000, months of
  // work for a PCN's link workers.
  int64_t max_waiting = 5000;
  // The retry_delay given to refused callers: queues drain as link workers
  // pick referrals up, which takes minutes, not milliseconds. Default: 60 s.
  absl::Duration retry_after = absl::Seconds(60);
  // How old a count may get before the next submission to that queue
  // recounts it from the store. Shorter follows claims and other replicas
  // sooner but scans more. Default: 30 s.
  absl::Duration recount_interval = absl::Seconds(30);
};

// QueueLimiter: thread-safe. The clock and counter must outlive it.
class QueueLimiter {
 public:
  // Counts the items waiting on a limited queue ("pcns/{pcn}", meaning the
  // pool and every link worker's queue, or "triageQueues/{id}") in the store.
  // May block on the store; called at most once at a time per queue.
  using WaitingCounter = std::function<absl::StatusOr<int64_t>(absl::string_view limited_queue)>;

  QueueLimiter(QueueLimits limits, WaitingCounter count_waiting, const Clock* clock);

  QueueLimiter(const QueueLimiter&) = delete;
  QueueLimiter& operator=(const QueueLimiter&) = delete;

  // LimitedQueueOf()
  //
  // The limited queue a queue item's queue belongs to:
  // "pcns/{pcn}/linkWorkers/{id}" and "pcns/{pcn}" -> "pcns/{pcn}";
  // "triageQueues/{id}" -> itself.
  static std::string LimitedQueueOf(absl::string_view queue);

  // Reserve()
  //
  // Holds a place on `limited_queue` and returns OK, or returns
  // RESOURCE_EXHAUSTED with ErrorInfo {reason PCN_QUEUE_FULL, metadata queue,
  // waiting, limit} and RetryInfo {retry_after} when the waiting items plus
  // places held already reach the limit. Every OK must be followed by exactly
  // one Settle(). Always OK when disabled. When the store cannot be counted
  // the limit is not applied (the commit will meet the same store problem).
  absl::Status Reserve(absl::string_view limited_queue);

  // Settle()
  //
  // Releases a place held by Reserve(); `added` says whether the commit
  // added a waiting item (false when it failed or was an idempotent replay).
  void Settle(absl::string_view limited_queue, bool added);

  // NoteLeftWaiting()
  //
  // An item of `queue` (any queue name) stopped waiting: claimed, accepted,
  // declined or moved. Optional: recounting catches up within
  // recount_interval without it.
  void NoteLeftWaiting(absl::string_view queue);

  // Waiting items plus places held on `limited_queue`, as last known; 0 if
  // never counted. For tests and statistics.
  int64_t Occupancy(absl::string_view limited_queue) const;

  // Submissions refused since construction, for operators' statistics.
  int64_t refused() const { return refused_.load(std::memory_order_relaxed); }

  bool enabled() const { return limits_.max_waiting > 0; }

 private:
  struct Count {
    int64_t waiting = 0;  // committed items waiting, as last counted plus own commits
    int64_t held = 0;     // places reserved by submissions not yet settled
    bool counted = false;
    bool counting = false;  // a recount is in progress (outside the lock)
    absl::Time counted_at;
  };

  // Refuses, or holds a place, on the basis of `count`.
  absl::Status HoldPlace(absl::string_view limited_queue, Count& count)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction
  const QueueLimits limits_;
  const WaitingCounter count_waiting_;
  const Clock* const clock_;

  mutable absl::Mutex mu_;
  // node_hash_map: a Count stays put while a recount runs without the lock.
  absl::node_hash_map<std::string, Count> counts_ ABSL_GUARDED_BY(mu_);

  std::atomic<int64_t> refused_{0};
};

}  // namespace sprout::admission

#endif  // SPROUT_SERVER_ADMISSION_QUEUE_LIMITER_H_
