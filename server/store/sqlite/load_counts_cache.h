// File: server/store/sqlite/load_counts_cache.h
//
// The link worker load counters (link_worker_load, link_worker_accepted) as
// of the last commit, so routing, which reads every counter of the directory
// for each referral, reads them from memory between commits instead of
// querying the database: under load one query per group commit instead of
// one per referral.
//
// Correct because every change to the counters is committed by this
// process's one writer connection, which calls Invalidate() after each
// COMMIT returns, when its changes are visible to readers. A reader takes
// generation() before it queries: if a commit lands meanwhile, the result it
// stores is under the older generation and never served. (PostgreSQL
// replicas share counters another process changes, so that backend reads
// them every time.)
#ifndef SPROUT_SERVER_STORE_SQLITE_LOAD_COUNTS_CACHE_H_
#define SPROUT_SERVER_STORE_SQLITE_LOAD_COUNTS_CACHE_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/store/store.h"

namespace sprout::store::sqlite {

// Thread-safe.
class LoadCountsCache {
 public:
  // Read before querying the counters; pass to Put().
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // The counters for financial year `year`, if stored since the last commit.
  std::optional<std::vector<LinkWorkerCounts>> Get(int year) const {
    const uint64_t now = generation();
    absl::MutexLock lock(&mu_);
    if (!cached_.has_value() || cached_->generation != now || cached_->year != year) {
      return std::nullopt;
    }
    return cached_->counts;
  }

  // Keeps `counts`, read after generation() returned `generation`.
  void Put(uint64_t generation, int year, std::vector<LinkWorkerCounts> counts) {
    absl::MutexLock lock(&mu_);
    if (cached_.has_value() && cached_->generation > generation) return;  // older read
    cached_ = Entry{generation, year, std::move(counts)};
  }

  // After every COMMIT (or failed one) of the writer connection.
  void Invalidate() { generation_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  struct Entry {
    uint64_t generation;
    int year;
    std::vector<LinkWorkerCounts> counts;
  };
  std::atomic<uint64_t> generation_{0};
  mutable absl::Mutex mu_;
  std::optional<Entry> cached_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sprout::store::sqlite

#endif  // SPROUT_SERVER_STORE_SQLITE_LOAD_COUNTS_CACHE_H_
