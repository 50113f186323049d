// File: server/store/sqlite/sqlite_store.h
//
// The embedded Store backend: one SQLite file (WAL, synchronous=FULL, foreign
// keys on), one writer thread that group-commits many submissions per fsync,
// and a small pool of read connections used in parallel.
//
// Usage:
//   SqliteStoreOptions options;
//   options.path = "var/sprout.db";
//   SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenSqliteStore(options));
//
// Start-up fails with one clear line when the file is held by another process,
// cannot be opened, fails its integrity check, has a newer schema than this
// build, or the disk is full.
#ifndef SPROUT_SERVER_STORE_SQLITE_SQLITE_STORE_H_
#define SPROUT_SERVER_STORE_SQLITE_SQLITE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "server/store/body_cipher.h"
#include "server/store/group_commit_writer.h"
#include "server/store/store.h"

namespace sprout::store {

struct SqliteStoreOptions {
  // The database file, e.g. "var/sprout.db". Its directory must exist; the
  // file is created if absent. "<path>.lock" is created beside it. Required.
  std::string path;

  // Seals every body before it is written and opens it when read
  // (body_cipher.h): patient data never reaches the file in clear. Shared
  // so the key ring can be replaced (rotation) while the store runs. Required.
  std::shared_ptr<BodyCipher> cipher;

  // Submissions and audit appends waiting for the writer. When full,
  // SubmitAsync answers RESOURCE_EXHAUSTED at once. Default: 4096. Memory
  // cost: one Submission (about 2-4 KB) per slot in use.
  int max_queue_depth = 4096;
  // Told about each write transaction (store.h); empty: nobody.
  WriterObserver writer_observer;
  // Told about each fsync (store.h); empty: nobody.
  SyncObserver sync_observer;

  // Most submissions committed in one transaction (one fsync). Larger batches
  // raise throughput under load and the latency of the batch's first caller.
  // Default: 256.
  int max_batch_size = 256;

  // Read connections, used in parallel by the read methods. Default: 4.
  int read_connections = 4;

  // How long a statement waits for a lock held by another connection (e.g.
  // an online backup or a checkpoint) before failing UNAVAILABLE. Default: 5 s.
  absl::Duration busy_timeout = absl::Seconds(5);

  // Largest the database file may grow to, in bytes; 0 = no limit. When a
  // write would pass it, the write fails RESOURCE_EXHAUSTED ("disk full")
  // exactly as if the disk had filled, and nothing of that batch is stored.
  // Use it to keep the store from filling a shared volume. Default: 0.
  int64_t max_size_bytes = 0;

  // How long one QueryRoutingLog call may read before it returns a short
  // page with a token to continue (it checks between time windows, so a
  // call ends within about twice this). Bounds the latency of a page whose
  // filters rarely match. Zero: one time window per call. Default: 20 ms.
  absl::Duration routing_log_scan_budget = absl::Milliseconds(20);

  // Run PRAGMA quick_check at open; DATA_LOSS if it fails. Reads the whole
  // file: about 1 s per GB. Default: true.
  bool integrity_check_at_open = true;

  // Time for schema_version and lifecycle event rows. Not owned; must
  // outlive the store. Default (nullptr): the system clock.
  const Clock* clock = nullptr;
};

// Counters since open, for metrics and tests.
// The writer's counters (a transaction is one fsync here), and:
struct SqliteStoreStats : WriterStats {
  int64_t audit_appends = 0;  // AppendAudit records committed
};

// The SQLite Store. Thread-safe.
class SqliteStore : public Store {
 public:
  // Opens (creating and migrating as needed) the database in `options`.
  // Errors, each one line naming the file:
  //   INVALID_ARGUMENT     bad options
  //   FAILED_PRECONDITION  held by another process; cannot open; schema newer
  //   DATA_LOSS            not a database, or the integrity check failed
  //   RESOURCE_EXHAUSTED   disk full while migrating
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const SqliteStoreOptions& options);

  virtual SqliteStoreStats stats() const = 0;
};

// OpenSqliteStore()
//
// As SqliteStore::Open, returning the Store interface.
absl::StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_SQLITE_SQLITE_STORE_H_
