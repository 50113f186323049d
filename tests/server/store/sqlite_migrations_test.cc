// Forward-only schema migrations: a database created at any earlier version
// opens with the current code, keeps its data and works.
#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/sqlite/connection.h"
#include "server/store/sqlite/migrations.h"
#include "server/store/sqlite/sqlite_store.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store {
namespace {

using ::sprout::store::sqlite::Connection;
using ::sprout::store::testing::MakeSubmission;
using ::sprout::store::testing::Spec;
using ::sprout::store::testing::TempDir;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

std::unique_ptr<Connection> MustConnect(const std::string& path) {
  absl::StatusOr<std::unique_ptr<Connection>> db =
      Connection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, absl::Seconds(5));
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

constexpr char kOldLinkWorker[] = "pcns/U12345/linkWorkers/lw-9";

// The version that added link worker load counters.
constexpr int kLoadCountersVersion = 4;
// The version that counted acceptances by NHS financial year.
constexpr int kFinancialYearVersion = 7;

// Inserts one referral, accepted by kOldLinkWorker in 2026, as a build at
// schema `version` would have.
void InsertOldReferral(Connection& db, int version) {
  if (version >= kLoadCountersVersion) {
    // Until version 7 acceptances were counted by calendar year (2026); from
    // it, by NHS financial year (2025, April 2025 to March 2026).
    const int year = version >= kFinancialYearVersion ? 2025 : 2026;
    ASSERT_TRUE(db.Exec(absl::StrCat("INSERT INTO link_worker_load VALUES ('", kOldLinkWorker,
                                     "', 1, 0); INSERT INTO link_worker_accepted VALUES ('",
                                     kOldLinkWorker, "', ", year, ", 1);"))
                    .ok());
  }
  sprout::v1::Referral referral = MakeSubmission(Spec("old").State(3)).referral;
  ASSERT_TRUE(
      db.Exec("INSERT INTO episodes (id, person_key, pcn_code, link_worker, is_open, open_time_us) "
              "VALUES ('e-old', 'pk-old', 'U12345', '', 1, 0)")
          .ok());
  absl::StatusOr<sqlite::Statement> stmt = db.Prepare(
      "INSERT INTO referrals (id, organisation_code, person_key, episode_id, state, "
      "create_time_us, link_worker, body) VALUES ('old', 'A81001', 'pk-old', 'e-old', 3, ?, ?, ?)");
  ASSERT_TRUE(stmt.ok()) << stmt.status();
  ASSERT_TRUE(stmt->Bind(1, absl::ToUnixMicros(kNow))
                  .BindText(2, kOldLinkWorker)
                  .BindBlob(3, referral.SerializeAsString())
                  .Run()
                  .ok());
}

class SqliteMigrationsTest : public ::testing::TestWithParam<int> {
 protected:
  TempDir dir_;
};

TEST(SqliteMigrations, VersionsAreNumberedWithoutGaps) {
  int expected = 1;
  for (const sqlite::Migration& m : sqlite::SqliteMigrations()) EXPECT_EQ(m.version, expected++);
  EXPECT_EQ(sqlite::LatestSchemaVersion(), expected - 1);
}

TEST_P(SqliteMigrationsTest, DatabaseAtEarlierVersionOpensAndUpgrades) {
  const int from = GetParam();
  const std::string path = dir_.File("sprout.db");
  {
    std::unique_ptr<Connection> db = MustConnect(path);
    ASSERT_NE(db, nullptr);
    absl::StatusOr<int> reached = sqlite::MigrateSqlite(*db, from, kNow);
    ASSERT_TRUE(reached.ok()) << reached.status();
    ASSERT_EQ(*reached, from);
    if (from >= 1) InsertOldReferral(*db, from);
  }
  SqliteStoreOptions options;
  options.cipher = ::sprout::store::testing::TestBodyCipher();
  options.path = path;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  if (from >= 1) {
    absl::StatusOr<sprout::v1::Referral> old = (*store)->GetReferral("old");
    ASSERT_TRUE(old.ok()) << old.status();
    EXPECT_EQ(old->name(), "referrals/old");
    EXPECT_TRUE((*store)->FindOpenEpisode("pk-old")->has_value());
  }
  // Load counters added later are backfilled from the rows already there.
  absl::StatusOr<std::vector<LinkWorkerCounts>> loads = (*store)->LinkWorkerLoads(2025);
  ASSERT_TRUE(loads.ok()) << loads.status();
  if (from >= 1) {
    ASSERT_EQ(loads->size(), 1u);
    EXPECT_EQ((*loads)[0].link_worker, kOldLinkWorker);
    EXPECT_EQ((*loads)[0].accepted_this_year, 1);
    EXPECT_EQ((*loads)[0].open_caseload, 1);
  } else {
    EXPECT_TRUE(loads->empty());
  }
  absl::StatusOr<SubmitOutcome> out = (*store)->Submit(MakeSubmission(Spec("new")));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE((*store)->VerifyAuditChain()->intact());
  store->reset();

  std::unique_ptr<Connection> db = MustConnect(path);
  ASSERT_NE(db, nullptr);
  absl::StatusOr<int> version = sqlite::CurrentSchemaVersion(*db);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, sqlite::LatestSchemaVersion());
  absl::StatusOr<std::string> rows = db->QueryText("SELECT COUNT(*) FROM schema_version");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, absl::StrCat(sqlite::LatestSchemaVersion()));  // each step once
}

INSTANTIATE_TEST_SUITE_P(EveryEarlierVersion, SqliteMigrationsTest,
                         ::testing::Range(0, sqlite::LatestSchemaVersion()));

TEST(SqliteMigrations, NewerSchemaIsRefused) {
  TempDir dir;
  const std::string path = dir.File("sprout.db");
  {
    std::unique_ptr<Connection> db = MustConnect(path);
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(sqlite::MigrateSqlite(*db, sqlite::LatestSchemaVersion(), kNow).ok());
    ASSERT_TRUE(db->Exec(absl::StrCat("INSERT INTO schema_version VALUES (",
                                      sqlite::LatestSchemaVersion() + 1, ", 0, 'future')"))
                    .ok());
  }
  SqliteStoreOptions options;
  options.cipher = ::sprout::store::testing::TestBodyCipher();
  options.path = path;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("newer than this build"));
}

TEST(SqliteMigrations, FailedStepLeavesTheDatabaseAtItsVersion) {
  TempDir dir;
  const std::string path = dir.File("sprout.db");
  std::unique_ptr<Connection> db = MustConnect(path);
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(sqlite::MigrateSqlite(*db, 1, kNow).ok());
  // A table that step 2 wants to create already exists: step 2 fails.
  ASSERT_TRUE(db->Exec("CREATE TABLE audit_records (x)").ok());
  absl::StatusOr<int> reached = sqlite::MigrateSqlite(*db, sqlite::LatestSchemaVersion(), kNow);
  EXPECT_FALSE(reached.ok());
  EXPECT_THAT(reached.status().message(), HasSubstr("schema migration 2"));
  EXPECT_EQ(*sqlite::CurrentSchemaVersion(*db), 1);
}

}  // namespace
}  // namespace sprout::store
