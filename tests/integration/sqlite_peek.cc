#include "tests/integration/sqlite_peek.h"

#include <sqlite3.h>

namespace sprout::testing {

int64_t QueryInt(const std::string& db_file, const std::string& sql) {
  sqlite3* db = nullptr;
  int64_t n = -1;
  if (sqlite3_open_v2(db_file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);  // the server may be checkpointing
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      n = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return n;
}

int64_t CountRows(const std::string& db_file, const std::string& table) {
  return QueryInt(db_file, "SELECT count(*) FROM " + table);
}

}  // namespace sprout::testing
