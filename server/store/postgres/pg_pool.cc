#include "server/store/postgres/pg_pool.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace sprout::store::postgres {

void Backoff::Failed(absl::Time now) {
  delay_ = delay_ == absl::ZeroDuration() ? initial_ : std::min(delay_ * 2, max_);
  next_attempt_ = now + delay_;
}

void Backoff::Succeeded() {
  delay_ = absl::ZeroDuration();
  next_attempt_ = absl::InfinitePast();
}

absl::StatusOr<std::unique_ptr<Connection>> Connector::Connect() const {
  SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn,
                          Connection::Open(conninfo_, connect_timeout_seconds_));
  // synchronous_commit: the durability contract (OK means the commit
  // reached the server's disk), whatever the server's default. The
  // timeouts keep a call from waiting forever on a lock held by a replica
  // that stopped mid-transaction (the server ends such a session after the
  // idle timeout, releasing its locks) or on a server that stopped answering.
  SPROUT_RETURN_IF_ERROR(
      conn->Exec("SET synchronous_commit TO on; SET lock_timeout TO '10s'; "
                 "SET statement_timeout TO '60s'; "
                 "SET idle_in_transaction_session_timeout TO '60s'"));
  return conn;
}

absl::Status Unreachable(absl::Time next_attempt) {
  return absl::UnavailableError(
      absl::StrCat("PostgreSQL is unreachable; reconnecting in ",
                   absl::FormatDuration(std::max(absl::ZeroDuration(), next_attempt - absl::Now())),
                   " (connection lost)"));
}

ConnectionPool::ConnectionPool(const Connector* connector, int size, absl::Duration initial_backoff,
                               absl::Duration max_backoff)
    : connector_(connector), backoff_(initial_backoff, max_backoff) {
  free_.resize(size);
  free_count_ = size;
}

absl::StatusOr<std::unique_ptr<Connection>> ConnectionPool::Reopen() {
  {
    absl::MutexLock lock(&mu_);
    if (!backoff_.Ready(absl::Now())) return Unreachable(backoff_.next_attempt());
  }
  absl::StatusOr<std::unique_ptr<Connection>> conn = connector_->Connect();
  absl::MutexLock lock(&mu_);
  if (conn.ok()) {
    backoff_.Succeeded();
  } else {
    backoff_.Failed(absl::Now());
  }
  return conn;
}

absl::Status ConnectionPool::WithConnection(const std::function<absl::Status(Connection&)>& read) {
  std::unique_ptr<Connection> conn;
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* free_count) { return *free_count > 0; }, &free_count_));
    --free_count_;
    // Prefer a slot with an open connection.
    auto it = std::find_if(free_.begin(), free_.end(),
                           [](const std::unique_ptr<Connection>& c) { return c != nullptr; });
    if (it != free_.end()) {
      conn = std::move(*it);
      free_.erase(it);
    } else {
      free_.pop_back();
    }
  }
  absl::Status status;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (conn == nullptr || !conn->ok()) {
      const bool lost = conn != nullptr;
      absl::StatusOr<std::unique_ptr<Connection>> reopened = Reopen();
      if (reopened.ok() && lost) reconnects_.fetch_add(1);
      if (!reopened.ok()) {
        conn.reset();
        status = reopened.status();
        break;
      }
      conn = *std::move(reopened);
    }
    status = read(*conn);
    if (status.ok() || conn->ok()) break;
    // Lost during the read: the server may have restarted; try once more.
  }
  absl::MutexLock lock(&mu_);
  free_.push_back(std::move(conn));
  ++free_count_;
  return status;
}

}  // namespace sprout::store::postgres
