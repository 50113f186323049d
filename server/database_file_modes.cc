// File: server/database_file_modes.cc
#include "server/database_file_modes.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <utility>

#include "base/private_files.h"

namespace sprout {

void ReportDatabaseFilesOpenToOthers(const std::string& db) {
  const std::string folder = std::filesystem::path(db).parent_path().string();
  const std::pair<std::string, const char*> files[] = {{db, "600"},
                                                       {db + "-wal", "600"},
                                                       {db + "-shm", "600"},
                                                       {folder.empty() ? "." : folder, "700"}};
  for (const auto& [path, private_mode] : files) {
    std::string mode;
    if (!OpenToOthers(path, &mode)) continue;
    spdlog::warn(
        "sproutd: {} has mode {}, so others on this machine may read patient data; make it "
        "private (chmod {} {})",
        path, mode, private_mode, path);
  }
}

}  // namespace sprout
