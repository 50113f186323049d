#include "server/pipeline/waiting_count.h"

#include <string>

namespace sprout::pipeline {

absl::StatusOr<int64_t> CountWaitingItems(store::Store& store, absl::string_view limited_queue) {
  // TODO(sprout): a Store method counting waiting items per PCN from a
  // counter the writer keeps (as for link worker loads) would make this one
  // row instead of a scan.
  constexpr int kPageSize = 500;
  int64_t waiting = 0;
  std::string token;
  do {
    absl::StatusOr<store::Page<sprout::v1::QueueItem>> page =
        store.ListQueueItems(limited_queue, kPageSize, token);
    if (!page.ok()) return page.status();
    waiting += static_cast<int64_t>(page->items.size());
    token = std::move(page->next_page_token);
  } while (!token.empty());
  return waiting;
}

}  // namespace sprout::pipeline
