// File: server/store/postgres/pg_pool.h
//
// Keeping connections to a PostgreSQL server that may go away: a bounded
// exponential back-off between reconnection attempts, a connector that
// opens (and sets up) connections, and the pool of read connections.
#ifndef SPROUT_SERVER_STORE_POSTGRES_PG_POOL_H_
#define SPROUT_SERVER_STORE_POSTGRES_PG_POOL_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/store/postgres/pg_connection.h"

namespace sprout::store::postgres {

// When the next reconnection attempt may run. Not thread-safe.
class Backoff {
 public:
  Backoff(absl::Duration initial, absl::Duration max) : initial_(initial), max_(max) {}
  // True when no attempt is due to wait (none failed, or the wait is over).
  bool Ready(absl::Time now) const { return now >= next_attempt_; }
  // An attempt failed at `now`: wait, then double the next wait (up to max).
  void Failed(absl::Time now);
  void Succeeded();
  absl::Time next_attempt() const { return next_attempt_; }

 private:
  const absl::Duration initial_;
  const absl::Duration max_;
  absl::Duration delay_ = absl::ZeroDuration();
  absl::Time next_attempt_ = absl::InfinitePast();
};

// Opens connections to one database. Thread-safe.
class Connector {
 public:
  Connector(std::string conninfo, int connect_timeout_seconds)
      : conninfo_(std::move(conninfo)), connect_timeout_seconds_(connect_timeout_seconds) {}
  absl::StatusOr<std::unique_ptr<Connection>> Connect() const;
  const std::string& conninfo() const { return conninfo_; }

 private:
  const std::string conninfo_;
  const int connect_timeout_seconds_;
};

// The status of a call refused because the server is unreachable and the
// back-off has not yet run out.
absl::Status Unreachable(absl::Time next_attempt);

// Read connections. A slot whose connection was lost is re-opened on its
// next use, subject to one back-off shared by the pool. Thread-safe.
class ConnectionPool {
 public:
  ConnectionPool(const Connector* connector, int size, absl::Duration initial_backoff,
                 absl::Duration max_backoff);

  // Runs `read` on a pooled connection (waiting for a free one). If the
  // connection turns out to be lost, reconnects once and runs `read` again
  // (reads are idempotent). UNAVAILABLE at once while the server is
  // unreachable.
  absl::Status WithConnection(const std::function<absl::Status(Connection&)>& read);

  // Connections re-opened after one was lost.
  int64_t reconnects() const { return reconnects_.load(); }

 private:
  absl::StatusOr<std::unique_ptr<Connection>> Reopen();

  const Connector* const connector_;
  absl::Mutex mu_;
  // Free slots; a null slot has no open connection.
  std::vector<std::unique_ptr<Connection>> free_ ABSL_GUARDED_BY(mu_);
  int free_count_ ABSL_GUARDED_BY(mu_) = 0;
  Backoff backoff_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> reconnects_{0};
};

}  // namespace sprout::store::postgres

#endif  // SPROUT_SERVER_STORE_POSTGRES_PG_POOL_H_
