// Files and folders that hold patient data or keys: created readable by the
// service's own user only (files 0600, folders 0700), and checked at start-up
// so that a copy left readable by others is noticed (DESIGN.md §7).
#ifndef SPROUT_BASE_PRIVATE_FILES_H_
#define SPROUT_BASE_PRIVATE_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sprout {

// CreatePrivateFolders()
//
// Creates `folder` and any missing parents with mode 0700 (whatever the
// umask). Folders that already exist are left as they are. INTERNAL naming
// the folder if one cannot be made.
absl::Status CreatePrivateFolders(const std::string& folder);

// CreatePrivateFile()
//
// Creates `path` empty with mode 0600 if it does not exist, so that whatever
// opens it next (SQLite, and the WAL and shared-memory files SQLite gives the
// database file's mode) never makes it readable by others. An existing file
// is left alone.
absl::Status CreatePrivateFile(const std::string& path);

// OpenToOthers()
//
// Whether `path` (a file or folder) grants any permission to its group or
// to others, with the mode written as "0644" in `mode_text` when it does.
// False for a path that does not exist.
bool OpenToOthers(const std::string& path, std::string* mode_text = nullptr);

// CheckKeyFilePrivate()
//
// FAILED_PRECONDITION, in one line naming `flag`, the path, its mode and the
// fix, when the key file `path` can be read or written by its group or
// others; OK otherwise (including when it does not exist: reading it says so).
absl::Status CheckKeyFilePrivate(const std::string& flag, const std::string& path);

}  // namespace sprout

#endif  // SPROUT_BASE_PRIVATE_FILES_H_
