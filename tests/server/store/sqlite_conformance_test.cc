// Runs the Store conformance suite against the SQLite backend.
#include "server/store/sqlite/sqlite_store.h"
#include "tests/server/store/store_conformance.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store::testing {
namespace {

absl::StatusOr<std::unique_ptr<Store>> OpenSqliteInDir(const std::string& dir,
                                                       std::shared_ptr<BodyCipher> cipher) {
  SqliteStoreOptions options;
  options.cipher = std::move(cipher);
  options.path = dir + "/sprout.db";
  return OpenSqliteStore(options);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest,
                         ::testing::Values(StoreBackend{"Sqlite", OpenSqliteInDir}),
                         StoreBackendName);

}  // namespace
}  // namespace sprout::store::testing
