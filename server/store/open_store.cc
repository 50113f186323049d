#include "server/store/open_store.h"

#include <filesystem>

#include "base/private_files.h"
#include "base/status_macros.h"
#include "server/store/postgres/pg_connection.h"
#include "server/store/postgres/postgres_store.h"
#include "server/store/sqlite/sqlite_store.h"

namespace sprout::store {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const OpenStoreOptions& options) {
  if (IsPostgresConnInfo(options.db)) {
    PostgresStoreOptions pg;
    pg.conninfo = options.db;
    pg.cipher = options.cipher;
    pg.max_queue_depth = options.max_pending_writes;
    pg.writer_observer = options.writer_observer;
    pg.clock = options.clock;
    return OpenPostgresStore(pg);
  }
  // The database, its WAL and shared-memory files (which SQLite creates with
  // the database file's mode) and their folder are the service's alone.
  SPROUT_RETURN_IF_ERROR(
      CreatePrivateFolders(std::filesystem::path(options.db).parent_path().string()));
  SPROUT_RETURN_IF_ERROR(CreatePrivateFile(options.db));
  SqliteStoreOptions sqlite;
  sqlite.path = options.db;
  sqlite.cipher = options.cipher;
  sqlite.max_queue_depth = options.max_pending_writes;
  sqlite.writer_observer = options.writer_observer;
  sqlite.sync_observer = options.sync_observer;
  sqlite.clock = options.clock;
  return OpenSqliteStore(sqlite);
}

std::string DescribeStoreTarget(const std::string& db) {
  return IsPostgresConnInfo(db) ? postgres::DescribeConnInfo(db) : db;
}

}  // namespace sprout::store
