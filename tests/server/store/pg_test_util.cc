#include "tests/server/store/pg_test_util.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace sprout::store::testing {
namespace {

// Adds "-c search_path=<schema>" to a keyword or URI connection string.
std::string WithSearchPath(const std::string& dsn, const std::string& schema) {
  if (absl::StartsWith(dsn, "postgresql://") || absl::StartsWith(dsn, "postgres://")) {
    return absl::StrCat(dsn, absl::StrContains(dsn, "?") ? "&" : "?", "options=-c%20search_path%3D",
                        schema);
  }
  return absl::StrCat(dsn, " options='-c search_path=", schema, "'");
}

}  // namespace

std::string TestPgDsn() {
  const char* dsn = std::getenv("SPROUT_TEST_PG_DSN");
  return dsn != nullptr ? dsn : "";
}

absl::StatusOr<std::unique_ptr<PgTestSchema>> PgTestSchema::Create() {
  static std::atomic<int> counter{0};
  const std::string dsn = TestPgDsn();
  if (dsn.empty()) return absl::FailedPreconditionError(kNoPgMessage);
  const std::string name =
      absl::StrCat("sprout_test_", ::getpid(), "_", counter.fetch_add(1), "_", ::rand() % 100000);
  SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<postgres::Connection> admin,
                          postgres::Connection::Open(dsn, 5));
  SPROUT_RETURN_IF_ERROR(admin->Exec(absl::StrCat("DROP SCHEMA IF EXISTS ", name, " CASCADE")));
  SPROUT_RETURN_IF_ERROR(admin->Exec(absl::StrCat("CREATE SCHEMA ", name)));
  return std::unique_ptr<PgTestSchema>(new PgTestSchema(name, WithSearchPath(dsn, name)));
}

PgTestSchema::~PgTestSchema() {
  absl::StatusOr<std::unique_ptr<postgres::Connection>> admin =
      postgres::Connection::Open(TestPgDsn(), 5);
  if (admin.ok()) (*admin)->Exec(absl::StrCat("DROP SCHEMA ", name_, " CASCADE")).IgnoreError();
}

absl::StatusOr<std::unique_ptr<postgres::Connection>> PgTestSchema::Connect() const {
  return postgres::Connection::Open(conninfo_, 5);
}

}  // namespace sprout::store::testing
