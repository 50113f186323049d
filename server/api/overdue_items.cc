#include "server/api/overdue_items.h"

#include <algorithm>
#include <functional>

#include "server/store/names.h"

namespace sprout::api {
namespace {

// Candidates read per store call.
constexpr int kBatch = 1000;

// Nothing enqueued later than this can be overdue at `now`: a working day is
// at least 23 hours (the day the clocks go forward).
absl::Time LatestPossiblyOverdue(absl::Time now, const lifecycle::OverduePolicy& policy) {
  const int fewest_days = std::min(policy.routine_working_days, policy.urgent_working_days);
  return now - absl::Hours(23) * std::max(fewest_days, 0);
}

// Calls `visit` with each item overdue at `now` after `after_sequence`, in
// sequence order, until it returns false. Returns the sequence to resume
// after (0 when every candidate was read).
absl::StatusOr<int64_t> ForEachOverdue(store::Store& store, absl::Time now,
                                       const lifecycle::OverduePolicy& policy,
                                       int64_t after_sequence,
                                       const std::function<bool(sprout::v1::QueueItem)>& visit) {
  const absl::Time enqueued_by = LatestPossiblyOverdue(now, policy);
  int64_t cursor = after_sequence;
  while (true) {
    absl::StatusOr<std::vector<sprout::v1::QueueItem>> batch =
        store.UnfinishedQueueItems(enqueued_by, cursor, kBatch);
    if (!batch.ok()) return batch.status();
    for (sprout::v1::QueueItem& item : *batch) {
      cursor = item.sequence();
      if (!lifecycle::IsOverdue(item, now, policy)) continue;
      if (!visit(lifecycle::AsOf(std::move(item), now, policy))) return cursor;
    }
    if (static_cast<int>(batch->size()) < kBatch) return 0;
  }
}

}  // namespace

absl::StatusOr<OverduePage> ReadOverdueItems(store::Store& store, absl::Time now,
                                             const lifecycle::OverduePolicy& policy,
                                             absl::string_view pcn_code, int64_t after_sequence,
                                             int limit) {
  OverduePage page;
  absl::StatusOr<int64_t> resume =
      ForEachOverdue(store, now, policy, after_sequence, [&](sprout::v1::QueueItem item) {
        if (!pcn_code.empty() && store::PcnCodeOfQueue(item.queue()) != pcn_code) return true;
        page.items.push_back(std::move(item));
        return static_cast<int>(page.items.size()) < limit;
      });
  if (!resume.ok()) return resume.status();
  page.resume_after = *resume;
  return page;
}

absl::StatusOr<absl::flat_hash_map<std::string, int64_t>> CountOverdueItems(
    store::Store& store, absl::Time now, const lifecycle::OverduePolicy& policy) {
  absl::flat_hash_map<std::string, int64_t> counts;
  absl::StatusOr<int64_t> done =
      ForEachOverdue(store, now, policy, 0, [&](sprout::v1::QueueItem item) {
        ++counts[store::PcnCodeOfQueue(item.queue())];
        return true;
      });
  if (!done.ok()) return done.status();
  return counts;
}

}  // namespace sprout::api
