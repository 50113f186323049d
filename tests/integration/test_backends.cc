#include "tests/integration/test_backends.h"

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace sprout::testing {
namespace {

absl::Status Psql(const std::string& dsn, const std::string& sql) {
  const std::string command =
      absl::StrCat("psql -q -X -v ON_ERROR_STOP=1 -d '", dsn, "' -c '", sql, "' >/dev/null");
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("psql failed: ", sql));
  }
  return absl::OkStatus();
}

}  // namespace

std::string BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "Sqlite" : "Postgres";
}

std::string PostgresDsnFromEnv() {
  const char* dsn = std::getenv("SPROUT_TEST_PG_DSN");
  return dsn == nullptr ? "" : dsn;
}

absl::StatusOr<std::vector<std::string>> StoreFlags(Backend backend, const std::string& database) {
  if (backend == Backend::kSqlite) return std::vector<std::string>{};  // the default file
  const std::string dsn = PostgresDsnFromEnv();
  if (dsn.empty()) return absl::FailedPreconditionError("SPROUT_TEST_PG_DSN is not set");
  if (absl::Status s = Psql(dsn, absl::StrCat("DROP DATABASE IF EXISTS ", database)); !s.ok()) {
    return s;
  }
  if (absl::Status s = Psql(dsn, absl::StrCat("CREATE DATABASE ", database)); !s.ok()) return s;
  // In a libpq connection string a later keyword overrides an earlier one.
  return std::vector<std::string>{absl::StrCat("--db=", dsn, " dbname=", database)};
}

}  // namespace sprout::testing
