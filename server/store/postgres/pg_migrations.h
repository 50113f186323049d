// File: server/store/postgres/pg_migrations.h
//
// The PostgreSQL schema: versioned, forward-only migrations recorded in a
// `schema_version` table. The versions and their meaning are those of the
// SQLite backend (server/store/sqlite/migrations.cc), in PostgreSQL dialect,
// plus the shared rows several replicas need: the queue sequence counter
// (version 1) and the audit chain head (version 2).
//
// Migrating runs in one transaction under a transaction-level advisory lock,
// so replicas starting together apply each step once, one after the other.
#ifndef SPROUT_SERVER_STORE_POSTGRES_PG_MIGRATIONS_H_
#define SPROUT_SERVER_STORE_POSTGRES_PG_MIGRATIONS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/store/postgres/pg_connection.h"

namespace sprout::store::postgres {

struct PgMigration {
  int version;
  const char* description;
  const char* sql;
};

// Every migration, in version order.
const std::vector<PgMigration>& PostgresMigrations();

// The version this build migrates to.
int LatestPostgresSchemaVersion();

// The schema version recorded in the database (0 for an empty one).
absl::StatusOr<int> CurrentPostgresSchemaVersion(Connection& db);

// Applies every migration above the current version up to `target_version`
// and returns the version reached. FAILED_PRECONDITION (one line, naming both
// versions) when the database is newer than this build.
absl::StatusOr<int> MigratePostgres(Connection& db, int target_version, absl::Time now);

}  // namespace sprout::store::postgres

#endif  // SPROUT_SERVER_STORE_POSTGRES_PG_MIGRATIONS_H_
