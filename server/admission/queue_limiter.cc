#include "server/admission/queue_limiter.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"

namespace sprout::admission {
QueueLimiter::QueueLimiter(QueueLimits limits, WaitingCounter count_waiting, const Clock* clock)
    : limits_(limits), count_waiting_(std::move(count_waiting)), clock_(clock) {}

std::string QueueLimiter::LimitedQueueOf(absl::string_view queue) {
  constexpr absl::string_view kPcns = "pcns/";
  if (!absl::StartsWith(queue, kPcns)) return std::string(queue);
  const size_t end = queue.find('/', kPcns.size());
  return std::string(queue.substr(0, end));
}

absl::Status QueueLimiter::Reserve(absl::string_view limited_queue) {
  if (!enabled()) return absl::OkStatus();
  const absl::Time now = clock_->Now();
  Count* count = nullptr;
  {
    absl::MutexLock lock(&mu_);
    auto it = counts_.find(limited_queue);
    if (it == counts_.end()) it = counts_.emplace(std::string(limited_queue), Count()).first;
    count = &it->second;
    // The first count of a queue is worth waiting for: without it a burst at
    // start-up would be admitted blind. Later recounts are not: callers use
    // the count they have meanwhile.
    if (count->counting && !count->counted) {
      mu_.Await(absl::Condition(
          +[](Count* c) { return !c->counting; }, count));
    }
    const bool stale = !count->counted || now - count->counted_at >= limits_.recount_interval;
    if (count->counting || !stale) return HoldPlace(limited_queue, *count);
    count->counting = true;
  }
  // Outside the lock: counting reads the store.
  absl::StatusOr<int64_t> waiting = count_waiting_(limited_queue);
  absl::MutexLock lock(&mu_);
  count->counting = false;
  if (waiting.ok()) {
    // A commit that lands while the store is being read may be counted both
    // here and by its Settle(): at most the commits in flight, until the
    // next recount. Erring high only refuses a little early.
    count->waiting = *waiting;
    count->counted = true;
    count->counted_at = now;
  } else if (count->counted) {
    // Keep the last count and try again after another interval.
    count->counted_at = now;
  }
  return HoldPlace(limited_queue, *count);
}

absl::Status QueueLimiter::HoldPlace(absl::string_view limited_queue, Count& count) {
  const int64_t occupancy = count.waiting + count.held;
  if (count.counted && occupancy >= limits_.max_waiting) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    absl::Status refused = ResourceExhaustedWithRetry(
        kPcnQueueFull,
        absl::StrCat(limited_queue, " already has ", occupancy, " referrals waiting, its limit; ",
                     "nothing was stored; retry after the delay given"),
        limits_.retry_after);
    SetErrorInfo(refused, kPcnQueueFull,
                 {{"queue", std::string(limited_queue)},
                  {"waiting", absl::StrCat(occupancy)},
                  {"limit", absl::StrCat(limits_.max_waiting)}});
    return refused;
  }
  ++count.held;
  return absl::OkStatus();
}

void QueueLimiter::Settle(absl::string_view limited_queue, bool added) {
  if (!enabled()) return;
  absl::MutexLock lock(&mu_);
  auto it = counts_.find(limited_queue);
  if (it == counts_.end()) return;
  Count& count = it->second;
  count.held = std::max<int64_t>(0, count.held - 1);
  if (added) ++count.waiting;
}

void QueueLimiter::NoteLeftWaiting(absl::string_view queue) {
  if (!enabled()) return;
  absl::MutexLock lock(&mu_);
  auto it = counts_.find(LimitedQueueOf(queue));
  if (it == counts_.end()) return;
  it->second.waiting = std::max<int64_t>(0, it->second.waiting - 1);
}

int64_t QueueLimiter::Occupancy(absl::string_view limited_queue) const {
  absl::MutexLock lock(&mu_);
  auto it = counts_.find(limited_queue);
  return it == counts_.end() ? 0 : it->second.waiting + it->second.held;
}

}  // namespace sprout::admission
