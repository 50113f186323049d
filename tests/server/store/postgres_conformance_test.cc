// Runs the Store conformance suite against the PostgreSQL backend, each test
// in a fresh schema of the database named by SPROUT_TEST_PG_DSN.
#include <memory>
#include <vector>

#include "server/store/postgres/postgres_store.h"
#include "tests/server/store/pg_test_util.h"
#include "tests/server/store/store_conformance.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store::testing {
namespace {

// Schemas live until the test binary ends (the suite's fixture owns only the
// store); each test opens its own.
std::vector<std::unique_ptr<PgTestSchema>>& Schemas() {
  static auto* schemas = new std::vector<std::unique_ptr<PgTestSchema>>();
  return *schemas;
}

class DropSchemas : public ::testing::Environment {
 public:
  void TearDown() override { Schemas().clear(); }
};
[[maybe_unused]] const auto* const kDropSchemas =
    ::testing::AddGlobalTestEnvironment(new DropSchemas);

absl::StatusOr<std::unique_ptr<Store>> OpenPostgresInSchema(const std::string& /*dir*/,
                                                            std::shared_ptr<BodyCipher> cipher) {
  absl::StatusOr<std::unique_ptr<PgTestSchema>> schema = PgTestSchema::Create();
  if (!schema.ok()) return schema.status();
  PostgresStoreOptions options;
  options.cipher = std::move(cipher);
  options.conninfo = (*schema)->conninfo();
  options.pool_size = 2;
  Schemas().push_back(*std::move(schema));
  return OpenPostgresStore(options);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest,
                         ::testing::Values(StoreBackend{"Postgres", OpenPostgresInSchema,
                                                        TestPgDsn().empty() ? kNoPgMessage : ""}),
                         StoreBackendName);

}  // namespace
}  // namespace sprout::store::testing
