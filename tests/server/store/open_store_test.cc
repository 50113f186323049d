// OpenStore picks the backend from sproutd's one --db value.
#include "server/store/open_store.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/postgres/postgres_store.h"
#include "server/store/sqlite/sqlite_store.h"
#include "tests/server/store/pg_test_util.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(OpenStoreTest, AFilePathOpensSqliteCreatingItsFolder) {
  TempDir dir;
  OpenStoreOptions options;
  options.cipher = ::sprout::store::testing::TestBodyCipher();
  options.db = dir.File("nested/sprout.db");
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_NE(dynamic_cast<SqliteStore*>(store->get()), nullptr);
  EXPECT_TRUE(std::filesystem::exists(options.db));
  EXPECT_EQ(DescribeStoreTarget(options.db), options.db);
}

TEST(OpenStoreTest, AConnectionStringOpensPostgres) {
  if (TestPgDsn().empty()) GTEST_SKIP() << kNoPgMessage;
  absl::StatusOr<std::unique_ptr<PgTestSchema>> schema = PgTestSchema::Create();
  ASSERT_TRUE(schema.ok()) << schema.status();
  OpenStoreOptions options;
  options.cipher = ::sprout::store::testing::TestBodyCipher();
  options.db = (*schema)->conninfo();
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(options);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_NE(dynamic_cast<PostgresStore*>(store->get()), nullptr);
  ASSERT_TRUE((*store)->Submit(MakeSubmission(Spec("r1"))).ok());
  (*store)->Shutdown();
}

TEST(OpenStoreTest, AnUnreachableDatabaseFailsInOneLineWithoutThePassword) {
  OpenStoreOptions options;
  options.cipher = ::sprout::store::testing::TestBodyCipher();
  options.db = "postgresql://sprout:hunter2@localhost:1/sprout";
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(store.status().message(), HasSubstr("PostgreSQL database sprout on localhost:1"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(store.status().message(), Not(HasSubstr("\n")));
  EXPECT_THAT(DescribeStoreTarget(options.db), Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace sprout::store::testing
