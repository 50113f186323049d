// File: server/store/sqlite/file_lock.h
//
// An exclusive advisory lock on "<database>.lock" (flock), held for as long as
// a store has the database open, so that a second sproutd on the same file
// fails at start instead of sharing the writer role.
#ifndef SPROUT_SERVER_STORE_SQLITE_FILE_LOCK_H_
#define SPROUT_SERVER_STORE_SQLITE_FILE_LOCK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace sprout::store::sqlite {

// Holds the lock until destroyed. Not copyable.
class FileLock {
 public:
  // Creates (if needed) and locks `db_path` + ".lock" without waiting.
  // FAILED_PRECONDITION "another process holds <db_path>" when it is locked
  // (also by another open store in this process); FAILED_PRECONDITION when
  // the lock file cannot be created.
  static absl::StatusOr<std::unique_ptr<FileLock>> Acquire(const std::string& db_path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace sprout::store::sqlite

#endif  // SPROUT_SERVER_STORE_SQLITE_FILE_LOCK_H_
