#include "base/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sprout {

absl::Status CreatePrivateFolders(const std::string& folder) {
  if (folder.empty()) return absl::OkStatus();
  const std::filesystem::path path(folder);
  std::filesystem::path so_far;
  for (const std::filesystem::path& part : path) {
    so_far /= part;
    if (::mkdir(so_far.c_str(), 0700) == 0) {
      // mkdir's mode is cut by the umask; say exactly what is meant.
      ::chmod(so_far.c_str(), 0700);
      continue;
    }
    if (errno == EEXIST) continue;
    return absl::InternalError(
        absl::StrCat("cannot create folder ", so_far.string(), ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status CreatePrivateFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  ::fchmod(fd, 0600);  // the umask may have cut it further, never widened it; be exact
  ::close(fd);
  return absl::OkStatus();
}

bool OpenToOthers(const std::string& path, std::string* mode_text) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  const mode_t mode = st.st_mode & 07777;
  if ((mode & 077) == 0) return false;
  if (mode_text != nullptr) *mode_text = absl::StrFormat("%04o", mode);
  return true;
}

absl::Status CheckKeyFilePrivate(const std::string& flag, const std::string& path) {
  std::string mode;
  if (!OpenToOthers(path, &mode)) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(flag, ": key file ", path, " has mode ", mode,
                   ", so others on this machine may read it; make it readable by the service "
                   "only (chmod 600 ",
                   path, ")"));
}

}  // namespace sprout
