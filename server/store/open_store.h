// File: server/store/open_store.h
//
// Chooses the Store backend from one --db value: a PostgreSQL connection
// string (a postgresql:// or postgres:// URI, or keywords with host= or
// dbname=) opens the PostgreSQL backend; anything else is a SQLite file.
//
// Usage:
//   OpenStoreOptions options;
//   options.db = absl::GetFlag(FLAGS_db);
//   SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, OpenStore(options));
#ifndef SPROUT_SERVER_STORE_OPEN_STORE_H_
#define SPROUT_SERVER_STORE_OPEN_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "server/store/body_cipher.h"
#include "server/store/store.h"

namespace sprout::store {

struct OpenStoreOptions {
  // A SQLite file path (its folder is created if missing) or a PostgreSQL
  // connection string.
  std::string db;
  // Seals patient data at rest (body_cipher.h). Required.
  std::shared_ptr<BodyCipher> cipher;
  // Writes queued for the writer before RESOURCE_EXHAUSTED.
  int max_pending_writes = 4096;
  // Told about each write transaction (store.h); empty: nobody.
  WriterObserver writer_observer;
  // Told about each fsync (store.h; SQLite only); empty: nobody.
  SyncObserver sync_observer;
  // Not owned; nullptr: the system clock.
  const Clock* clock = nullptr;
};

// Opens the backend `options.db` names. Errors are one line and never
// contain the connection string (which may hold a password).
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const OpenStoreOptions& options);

// What `db` names, for logs: the SQLite path, or "PostgreSQL database X on
// host" without credentials.
std::string DescribeStoreTarget(const std::string& db);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_OPEN_STORE_H_
