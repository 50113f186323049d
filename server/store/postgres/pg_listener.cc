// PostgresStoreImpl's listener: one connection per process that LISTENs on
// sprout_queue and wakes local subscribers for every notification about
// this store's schema from another connection (the writer wakes them itself
// for its own commits), and after every (re)connection, since a change may
// have been missed while it was away. A lost connection is re-opened with
// the same bounded back-off as the others.
#include <poll.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {
namespace {

// How often the listener checks for shutdown while waiting.
constexpr int kPollMillis = 100;

}  // namespace

void PostgresStoreImpl::ListenerLoop() {
  Backoff backoff(options_.initial_backoff, options_.max_backoff);
  bool connected_before = false;
  while (!listener_stop_.load()) {
    if (!backoff.Ready(absl::Now())) {
      absl::SleepFor(absl::Milliseconds(kPollMillis));
      continue;
    }
    absl::StatusOr<std::unique_ptr<Connection>> conn = connector_->Connect();
    absl::Status listening =
        conn.ok() ? (*conn)->Exec(absl::StrCat("LISTEN ", kQueueChannel)) : conn.status();
    if (!listening.ok()) {
      backoff.Failed(absl::Now());
      continue;
    }
    backoff.Succeeded();
    if (connected_before) reconnects_.fetch_add(1, std::memory_order_relaxed);
    connected_before = true;
    // Changes committed while no connection was listening were not heard.
    queue_changes_.Notify();
    Listen(**conn);
    if (!listener_stop_.load()) backoff.Failed(absl::Now());
  }
}

void PostgresStoreImpl::Listen(Connection& conn) {
  PGconn* pg = conn.raw();
  while (!listener_stop_.load()) {
    pollfd fd{PQsocket(pg), POLLIN, 0};
    if (fd.fd < 0) return;
    const int ready = ::poll(&fd, 1, kPollMillis);
    if (ready < 0 && errno != EINTR) return;
    if (ready <= 0) continue;
    if (PQconsumeInput(pg) == 0 || PQstatus(pg) != CONNECTION_OK) return;
    bool wake = false;
    while (PGnotify* n = PQnotifies(pg)) {
      if (n->be_pid != writer_pid_.load() && schema_ == n->extra) wake = true;
      PQfreemem(n);
    }
    if (wake) queue_changes_.Notify();
  }
}

}  // namespace sprout::store::postgres
