// File: server/store/postgres/postgres_store.h
//
// The Store backend for several sproutd replicas sharing one PostgreSQL
// database (15 or later), through libpq. Each process runs one writer that
// group-commits queued writes in one transaction, a pool of read
// connections, and one listening connection that turns NOTIFY sprout_queue
// from any replica into queue-change wake-ups.
//
// Usage:
//   PostgresStoreOptions options;
//   options.conninfo = "postgresql://sprout@db.example/sprout";
//   SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenPostgresStore(options));
//
// Across replicas: idempotency keys and one open episode per person are
// unique constraints; every write transaction locks the queue sequence and
// audit chain head rows until COMMIT, so sequences commit in order and the
// audit chain stays one chain; claims lock the item's row.
//
// Outages: a lost connection is re-opened with exponential back-off (50 ms
// doubling to 2 s). Calls during an outage fail UNAVAILABLE without waiting
// for the server; a commit whose outcome is unknown (the connection dropped
// during COMMIT) is reported UNAVAILABLE too, and a retry with the same
// request_id is safe. Subscribers are woken after the listener reconnects.
#ifndef SPROUT_SERVER_STORE_POSTGRES_POSTGRES_STORE_H_
#define SPROUT_SERVER_STORE_POSTGRES_POSTGRES_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "server/store/body_cipher.h"
#include "server/store/group_commit_writer.h"
#include "server/store/store.h"

namespace sprout::store {

struct PostgresStoreOptions {
  // libpq connection string: keywords ("host=db dbname=sprout user=sprout")
  // or a URI ("postgresql://sprout@db/sprout"). Never logged: it may hold a
  // password. Required.
  std::string conninfo;

  // Seals every body before it is written and opens it when read
  // (body_cipher.h): patient data never reaches the database in clear.
  // Every replica sharing the database needs the same key file. Required.
  std::shared_ptr<BodyCipher> cipher;

  // Read connections, used in parallel by the read methods. The writer and
  // the listener have one connection each besides. Default: 4.
  int pool_size = 4;

  // Writes waiting for the writer. When full, SubmitAsync answers
  // RESOURCE_EXHAUSTED at once. Default: 4096.
  int max_queue_depth = 4096;
  // Told about each write transaction (store.h); empty: nobody.
  WriterObserver writer_observer;

  // Most jobs committed in one transaction. Default: 256.
  int max_batch_size = 256;

  // Reconnection back-off: the first retry after `initial_backoff`, doubling
  // up to `max_backoff`. Calls in between fail UNAVAILABLE at once.
  absl::Duration initial_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(2);

  // libpq connect_timeout, unless the connection string sets one. Default: 5 s.
  int connect_timeout_seconds = 5;

  // Time for schema_version and lifecycle event rows. Not owned; must
  // outlive the store. Default (nullptr): the system clock.
  const Clock* clock = nullptr;
};

// Counters since open, for metrics and tests.
// The writer's counters, and:
struct PostgresStoreStats : WriterStats {
  int64_t reconnects = 0;  // connections re-opened after a loss
};

// The PostgreSQL Store. Thread-safe.
class PostgresStore : public Store {
 public:
  // Connects, migrates the schema (under an advisory lock) and starts the
  // writer and listener. Errors, each one line without the password:
  //   INVALID_ARGUMENT     bad options
  //   UNAVAILABLE          cannot connect
  //   FAILED_PRECONDITION  the schema is newer than this build
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(const PostgresStoreOptions& options);

  virtual PostgresStoreStats stats() const = 0;
};

// OpenPostgresStore()
//
// As PostgresStore::Open, returning the Store interface.
absl::StatusOr<std::unique_ptr<Store>> OpenPostgresStore(const PostgresStoreOptions& options);

// True when a --db value names a PostgreSQL database rather than a SQLite
// file: a postgresql:// or postgres:// URI, or a keyword string with host=
// or dbname=.
bool IsPostgresConnInfo(absl::string_view db);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_POSTGRES_POSTGRES_STORE_H_
