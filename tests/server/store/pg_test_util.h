// Test helpers for the PostgreSQL backend: the test server from the
// environment, and a fresh, empty schema per test.
//
// The server is named by SPROUT_TEST_PG_DSN (deploy/test starts a throwaway
// one with deploy/lib/throwaway-postgres.sh and exports it); tests skip when
// it is unset.
#ifndef SPROUT_TESTS_SERVER_STORE_PG_TEST_UTIL_H_
#define SPROUT_TESTS_SERVER_STORE_PG_TEST_UTIL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/store/postgres/pg_connection.h"

namespace sprout::store::testing {

// The test server's connection string, or "" when SPROUT_TEST_PG_DSN is unset.
std::string TestPgDsn();

// Why PostgreSQL tests skip when TestPgDsn() is empty.
inline constexpr char kNoPgMessage[] =
    "SPROUT_TEST_PG_DSN is not set; deploy/test provides it (it starts a throwaway PostgreSQL "
    "with deploy/lib/throwaway-postgres.sh)";

// A new schema in the test database, dropped (with everything in it) when
// destroyed. conninfo() connects with that schema as the search path, so a
// store opened on it starts empty.
class PgTestSchema {
 public:
  static absl::StatusOr<std::unique_ptr<PgTestSchema>> Create();
  ~PgTestSchema();

  const std::string& name() const { return name_; }
  const std::string& conninfo() const { return conninfo_; }
  // A connection to the schema, for tests that look at the tables.
  absl::StatusOr<std::unique_ptr<postgres::Connection>> Connect() const;

 private:
  PgTestSchema(std::string name, std::string conninfo)
      : name_(std::move(name)), conninfo_(std::move(conninfo)) {}
  std::string name_;
  std::string conninfo_;
};

}  // namespace sprout::store::testing

#endif  // SPROUT_TESTS_SERVER_STORE_PG_TEST_UTIL_H_
