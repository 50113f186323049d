// File: server/store/sqlite/migrations.h
//
// The SQLite schema as a list of numbered, forward-only migration steps. The
// `schema_version` table records each applied step; opening a store applies
// the missing ones, in order, in one transaction. A step is never edited once
// released: change the schema by appending a step. (The PostgreSQL backend
// keeps the same numbering with its own SQL dialect.)
#ifndef SPROUT_SERVER_STORE_SQLITE_MIGRATIONS_H_
#define SPROUT_SERVER_STORE_SQLITE_MIGRATIONS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/store/sqlite/connection.h"

namespace sprout::store::sqlite {

struct Migration {
  int version;              // 1, 2, 3 ... with no gaps
  const char* description;  // one line, recorded in schema_version
  const char* sql;          // one or more statements
};

// Every step, in version order.
const std::vector<Migration>& SqliteMigrations();

// The version a database has after every step: SqliteMigrations().back().version.
int LatestSchemaVersion();

// The database's current version; 0 for a new, empty database.
absl::StatusOr<int> CurrentSchemaVersion(Connection& db);

// Applies the steps after the current version up to `target_version`, in one
// transaction, recording `now` as their applied time. Returns the version
// reached. FAILED_PRECONDITION when the database is newer than this build
// (forward-only: an old binary never opens a newer schema).
absl::StatusOr<int> MigrateSqlite(Connection& db, int target_version, absl::Time now);

}  // namespace sprout::store::sqlite

#endif  // SPROUT_SERVER_STORE_SQLITE_MIGRATIONS_H_
