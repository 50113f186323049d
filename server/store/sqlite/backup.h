// File: server/store/sqlite/backup.h
//
// Online backup and restore of the SQLite store through SQLite's backup API,
// safe while sproutd is running (the backup reads a consistent snapshot; the
// writer carries on).
#ifndef SPROUT_SERVER_STORE_SQLITE_BACKUP_H_
#define SPROUT_SERVER_STORE_SQLITE_BACKUP_H_

#include <string>

#include "absl/status/status.h"

namespace sprout::store {

// BackupSqlite()
//
// Copies the database at `db_path` into a new file `dest_path`, then checks
// the copy's integrity. The copy is a complete database that OpenSqliteStore
// can open. Errors: ALREADY_EXISTS if `dest_path` exists; FAILED_PRECONDITION
// if either file cannot be opened; DATA_LOSS if the copy fails its check;
// UNAVAILABLE if the source stays busy; RESOURCE_EXHAUSTED on a full disk.
// A failed backup removes its partial file.
absl::Status BackupSqlite(const std::string& db_path, const std::string& dest_path);

// RestoreSqlite()
//
// Replaces the contents of the database at `db_path` with the backup at
// `backup_path`, after checking the backup's integrity. No store may have
// `db_path` open: this takes the same lock file and fails FAILED_PRECONDITION
// ("another process holds ...") otherwise. `db_path` is created if absent.
absl::Status RestoreSqlite(const std::string& backup_path, const std::string& db_path);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_SQLITE_BACKUP_H_
