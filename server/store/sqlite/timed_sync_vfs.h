// File: server/store/sqlite/timed_sync_vfs.h
//
// A SQLite VFS that is the default VFS with every xSync timed, so operators
// can see the fsync apart from the COMMIT that performs it (and apart from a
// checkpoint's sync of the database file). Everything else passes straight
// through to the default VFS: file format, locking and durability are
// SQLite's own.
#ifndef SPROUT_SERVER_STORE_SQLITE_TIMED_SYNC_VFS_H_
#define SPROUT_SERVER_STORE_SQLITE_TIMED_SYNC_VFS_H_

#include <sqlite3.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/store/store.h"

namespace sprout::store::sqlite {

class TimedSyncVfs {
 public:
  // Registers a VFS with a name of its own (not as the default) wrapping the
  // default VFS. `observer` (may be empty) is told about each sync, on the
  // thread that made it, with the kind of file: "wal", "database" or
  // "journal". FAILED_PRECONDITION when SQLite has no default VFS.
  static absl::StatusOr<std::unique_ptr<TimedSyncVfs>> Register(SyncObserver observer);

  // Unregisters. Every connection opened with name() must be closed first.
  ~TimedSyncVfs();
  TimedSyncVfs(const TimedSyncVfs&) = delete;
  TimedSyncVfs& operator=(const TimedSyncVfs&) = delete;

  // The name to pass to sqlite3_open_v2 (Connection::Open's `vfs`).
  const char* name() const { return name_.c_str(); }

  // What the VFS functions reach through sqlite3_vfs::pAppData.
  struct Shared {
    sqlite3_vfs* real;
    SyncObserver observer;
  };

 private:
  TimedSyncVfs(std::string name, sqlite3_vfs* real, SyncObserver observer);

  const std::string name_;
  Shared shared_;
  sqlite3_vfs vfs_;
};

}  // namespace sprout::store::sqlite

#endif  // SPROUT_SERVER_STORE_SQLITE_TIMED_SYNC_VFS_H_
