// sprout-backup: online backup and offline restore of the SQLite store.
//
//   sprout-backup backup  <database> <new backup file>   (sproutd may be running)
//   sprout-backup restore <backup file> <database>       (sproutd must be stopped)
#include <cstdio>
#include <cstring>
#include <string>

#include "server/store/sqlite/backup.h"

int main(int argc, char** argv) {
  if (argc != 4 || (std::strcmp(argv[1], "backup") != 0 && std::strcmp(argv[1], "restore") != 0)) {
    std::fprintf(stderr,
                 "usage: %s backup <database> <new backup file>\n"
                 "       %s restore <backup file> <database>\n",
                 argv[0], argv[0]);
    return 2;
  }
  const bool backup = std::strcmp(argv[1], "backup") == 0;
  const absl::Status s = backup ? sprout::store::BackupSqlite(argv[2], argv[3])
                                : sprout::store::RestoreSqlite(argv[2], argv[3]);
  if (!s.ok()) {
    std::fprintf(stderr, "sprout-backup: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  std::printf("%s %s -> %s: ok\n", backup ? "backed up" : "restored", argv[2], argv[3]);
  return 0;
}
