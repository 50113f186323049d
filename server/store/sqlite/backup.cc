#include "server/store/sqlite/backup.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "base/private_files.h"
#include "base/status_macros.h"
#include "server/store/sqlite/connection.h"
#include "server/store/sqlite/file_lock.h"

namespace sprout::store {
namespace {

using sqlite::Connection;

constexpr absl::Duration kBusyTimeout = absl::Seconds(10);
constexpr int kPagesPerStep = 1024;  // 4 MiB at a time, so the writer is not starved

absl::Status CheckIntegrity(Connection& db) {
  SPROUT_ASSIGN_OR_RETURN(std::string check, db.QueryText("PRAGMA quick_check"));
  if (check != "ok") {
    return absl::DataLossError(
        absl::StrCat("database ", db.path(), " failed its integrity check: ", check));
  }
  return absl::OkStatus();
}

// Copies every page of `from` into `to`.
absl::Status CopyDatabase(Connection& from, Connection& to) {
  sqlite3_backup* backup = sqlite3_backup_init(to.raw(), "main", from.raw(), "main");
  if (backup == nullptr) return to.Error(sqlite3_errcode(to.raw()), "backup");
  int rc;
  do {
    rc = sqlite3_backup_step(backup, kPagesPerStep);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(5);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return sqlite::StatusFromSqlite(rc, absl::StrCat("backup ", from.path(), " to ", to.path()),
                                    sqlite3_errstr(rc));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status BackupSqlite(const std::string& db_path, const std::string& dest_path) {
  if (::access(dest_path.c_str(), F_OK) == 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("backup destination ", dest_path, " already exists"));
  }
  SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> source,
                          Connection::Open(db_path, SQLITE_OPEN_READONLY, kBusyTimeout));
  absl::Status s = [&]() -> absl::Status {
    // A backup holds what the database holds: the service's alone (0600).
    SPROUT_RETURN_IF_ERROR(CreatePrivateFile(dest_path));
    SPROUT_ASSIGN_OR_RETURN(
        std::unique_ptr<Connection> dest,
        Connection::Open(dest_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, kBusyTimeout));
    SPROUT_RETURN_IF_ERROR(CopyDatabase(*source, *dest));
    return CheckIntegrity(*dest);
  }();
  if (!s.ok()) {
    std::remove(dest_path.c_str());
    std::remove((dest_path + "-wal").c_str());
    std::remove((dest_path + "-shm").c_str());
  }
  return s;
}

absl::Status RestoreSqlite(const std::string& backup_path, const std::string& db_path) {
  SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<sqlite::FileLock> lock,
                          sqlite::FileLock::Acquire(db_path));
  SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<Connection> backup,
                          Connection::Open(backup_path, SQLITE_OPEN_READONLY, kBusyTimeout));
  SPROUT_RETURN_IF_ERROR(CheckIntegrity(*backup));
  SPROUT_RETURN_IF_ERROR(CreatePrivateFile(db_path));
  SPROUT_ASSIGN_OR_RETURN(
      std::unique_ptr<Connection> dest,
      Connection::Open(db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, kBusyTimeout));
  SPROUT_RETURN_IF_ERROR(CopyDatabase(*backup, *dest));
  return CheckIntegrity(*dest);
}

}  // namespace sprout::store
