// The store backends an integration test can run sproutd on: SQLite always;
// PostgreSQL when SPROUT_TEST_PG_DSN names a server (deploy/test starts a
// throwaway one and sets it).
#ifndef SPROUT_TESTS_INTEGRATION_TEST_BACKENDS_H_
#define SPROUT_TESTS_INTEGRATION_TEST_BACKENDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sprout::testing {

enum class Backend { kSqlite, kPostgres };

// "Sqlite" or "Postgres", for test names.
std::string BackendName(Backend backend);

// The PostgreSQL connection string from the environment, or "" when unset.
std::string PostgresDsnFromEnv();

// The sproutd flags that put its store on `backend`. For PostgreSQL this
// creates a new, empty database named `database` (dropping any of that name)
// on the server in SPROUT_TEST_PG_DSN, so each test starts clean.
absl::StatusOr<std::vector<std::string>> StoreFlags(Backend backend, const std::string& database);

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_INTEGRATION_TEST_BACKENDS_H_
