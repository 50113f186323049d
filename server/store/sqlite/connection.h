// File: server/store/sqlite/connection.h
//
// A thin RAII layer over the SQLite C API: one Connection per thread, with its
// prepared statements cached by SQL text, and one place that turns SQLite
// result codes into absl::Status with a message that names the database.
#ifndef SPROUT_SERVER_STORE_SQLITE_CONNECTION_H_
#define SPROUT_SERVER_STORE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sprout::store::sqlite {

// Maps a SQLite result code to a canonical status:
//   BUSY/LOCKED -> UNAVAILABLE, FULL -> RESOURCE_EXHAUSTED ("disk full"),
//   CORRUPT/NOTADB -> DATA_LOSS, CANTOPEN/PERM/READONLY -> FAILED_PRECONDITION,
//   IOERR -> UNAVAILABLE, CONSTRAINT (unique/primary key) -> ALREADY_EXISTS,
//   anything else -> INTERNAL.
// `context` says what was being done and on which file.
absl::Status StatusFromSqlite(int rc, absl::string_view context, absl::string_view detail);

// A prepared statement borrowed from a Connection's cache. Resets itself and
// clears its bindings when it goes out of scope. Move-only; must not outlive
// its Connection. Bind indexes start at 1, column indexes at 0.
class Statement {
 public:
  // `owned`: finalize (rather than reset) when destroyed.
  explicit Statement(sqlite3_stmt* stmt, bool owned = false) : stmt_(stmt), owned_(owned) {}
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), owned_(other.owned_) {
    other.stmt_ = nullptr;
  }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& BindText(int index, absl::string_view value);
  Statement& BindBlob(int index, absl::string_view value);

  // Advances: true when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps to completion, for statements that return no rows.
  absl::Status Run();

  int64_t ColumnInt64(int column) const;
  bool ColumnIsNull(int column) const;
  std::string ColumnText(int column) const;
  // Valid until the next Step or reset.
  absl::string_view ColumnBlob(int column) const;

 private:
  sqlite3_stmt* stmt_;
  bool owned_;
};

// One SQLite connection (opened SQLITE_OPEN_NOMUTEX: use from one thread at a
// time). Not thread-safe.
class Connection {
 public:
  // Opens `path` with `flags` (SQLITE_OPEN_* without NOMUTEX, which is added)
  // through the VFS named `vfs` (nullptr: the default) and sets the busy
  // timeout. FAILED_PRECONDITION when the file cannot be opened, naming it.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path, int flags,
                                                          absl::Duration busy_timeout,
                                                          const char* vfs = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more SQL statements that return no rows we need.
  absl::Status Exec(absl::string_view sql);
  // Runs one statement through the statement cache (for hot statements such
  // as BEGIN and COMMIT that would otherwise be parsed every time).
  absl::Status ExecCached(const std::string& sql);
  // Returns the cached statement for `sql`, preparing it on first use.
  absl::StatusOr<Statement> Prepare(const std::string& sql);
  // Prepares `sql` for one use, without caching (for SQL built per query).
  absl::StatusOr<Statement> PrepareOnce(const std::string& sql);
  // Runs a query whose first row's first column is text (e.g. a PRAGMA).
  absl::StatusOr<std::string> QueryText(const std::string& sql);

  // The status for result code `rc` from this connection, with its message.
  absl::Status Error(int rc, absl::string_view what) const;

  sqlite3* raw() const { return db_; }
  // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  int64_t Changes() const { return sqlite3_changes64(db_); }
  const std::string& path() const { return path_; }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  const std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace sprout::store::sqlite

#endif  // SPROUT_SERVER_STORE_SQLITE_CONNECTION_H_
