// The PostgreSQL schema: upgrading from every earlier version keeps the data
// and reaches the latest; a newer schema is refused with one clear line;
// replicas opening together migrate once; start-up errors hide the password.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/postgres/pg_migrations.h"
#include "server/store/postgres/postgres_store.h"
#include "server/store/sqlite/migrations.h"
#include "tests/server/store/pg_test_util.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store::testing {
namespace {

using postgres::Connection;
using postgres::Params;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

class PostgresMigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPgDsn().empty()) GTEST_SKIP() << kNoPgMessage;
    absl::StatusOr<std::unique_ptr<PgTestSchema>> schema = PgTestSchema::Create();
    ASSERT_TRUE(schema.ok()) << schema.status();
    schema_ = *std::move(schema);
    absl::StatusOr<std::unique_ptr<Connection>> db = schema_->Connect();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }

  absl::StatusOr<std::unique_ptr<Store>> Open() {
    PostgresStoreOptions options;
    options.cipher = ::sprout::store::testing::TestBodyCipher();
    options.conninfo = schema_->conninfo();
    options.pool_size = 1;
    return OpenPostgresStore(options);
  }

  // Writes one accepted referral, its episode and its waiting queue item the
  // way a build at `version` would have (queue sequence 1; audit record 1
  // from version 2).
  void WriteOldReferral(int version) {
    Submission s = MakeSubmission(Spec("old").State(3).PersonKey("pk-old"));
    s.referral.set_episode("episodes/e-old");
    ASSERT_TRUE(
        db_->Run("INSERT INTO episodes (id, person_key, pcn_code, link_worker, is_open, "
                 "open_time_us) VALUES ('e-old', 'pk-old', 'U12345', $1, TRUE, $2)",
                 Params().Text(s.referral.route().link_worker()).Int(absl::ToUnixMicros(kT0)))
            .ok());
    ASSERT_TRUE(db_->Run("INSERT INTO referrals (id, organisation_code, person_key, episode_id, "
                         "state, create_time_us, link_worker, body) "
                         "VALUES ('old', 'A81001', 'pk-old', 'e-old', 3, $1, $2, $3)",
                         Params()
                             .Int(absl::ToUnixMicros(kT0))
                             .Text(s.referral.route().link_worker())
                             .Bytes(s.referral.SerializeAsString()))
                    .ok());
    s.queue_item.set_sequence(1);
    ASSERT_TRUE(db_->Run("INSERT INTO queue_items VALUES (1, 'q-old', 'old', $1, 'U12345', 1, 1, "
                         "$2, $3)",
                         Params()
                             .Text(s.queue_item.queue())
                             .Int(absl::ToUnixMicros(kT0))
                             .Bytes(s.queue_item.SerializeAsString()))
                    .ok());
    // From version 9 a key is scoped to its organisation, as the store writes it.
    ASSERT_TRUE(db_->Run("INSERT INTO idempotency_keys VALUES ($1, 'hash-old', 'old', 1, $2)",
                         Params()
                             .Text(version >= 9 ? IdempotencyKeyOf(s) : "req-old")
                             .Int(absl::ToUnixMicros(kT0)))
                    .ok());
    ASSERT_TRUE(db_->Exec("UPDATE queue_sequence SET last = 1").ok());
    if (version >= 4) {
      ASSERT_TRUE(db_->Run("INSERT INTO link_worker_load VALUES ($1, 1, 1)",
                           Params().Text(s.referral.route().link_worker()))
                      .ok());
      // Until version 7 acceptances were counted by calendar year (2026);
      // from it, by NHS financial year (2025, April 2025 to March 2026).
      ASSERT_TRUE(
          db_->Run("INSERT INTO link_worker_accepted VALUES ($1, $2, 1)",
                   Params().Text(s.referral.route().link_worker()).Int(version >= 7 ? 2025 : 2026))
              .ok());
    }
  }

  std::unique_ptr<PgTestSchema> schema_;
  std::unique_ptr<Connection> db_;
};

TEST_F(PostgresMigrationsTest, VersionsMatchTheSqliteSteps) {
  const std::vector<postgres::PgMigration>& all = postgres::PostgresMigrations();
  // One step per SQLite step, numbered alike, so both backends are at the
  // same schema version.
  ASSERT_EQ(all.size(), static_cast<size_t>(sqlite::LatestSchemaVersion()));
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].version, static_cast<int>(i + 1));
}

TEST_F(PostgresMigrationsTest, UpgradesFromEveryEarlierVersion) {
  const int latest = postgres::LatestPostgresSchemaVersion();
  for (int from = 0; from < latest; ++from) {
    SCOPED_TRACE(absl::StrCat("from version ", from));
    SetUp();  // a fresh schema for each starting version
    absl::StatusOr<int> reached = postgres::MigratePostgres(*db_, from, kT0);
    ASSERT_TRUE(reached.ok()) << reached.status();
    EXPECT_EQ(*reached, from);
    if (from >= 1) WriteOldReferral(from);

    absl::StatusOr<std::unique_ptr<Store>> store = Open();
    ASSERT_TRUE(store.ok()) << store.status();
    absl::StatusOr<int> now = postgres::CurrentPostgresSchemaVersion(*db_);
    ASSERT_TRUE(now.ok());
    EXPECT_EQ(*now, latest);

    if (from >= 1) {
      absl::StatusOr<sprout::v1::Referral> old = (*store)->GetReferral("old");
      ASSERT_TRUE(old.ok()) << old.status();
      // The load counters were backfilled (or kept) from the stored rows.
      absl::StatusOr<std::vector<LinkWorkerCounts>> loads = (*store)->LinkWorkerLoads(2025);
      ASSERT_TRUE(loads.ok()) << loads.status();
      ASSERT_EQ(loads->size(), 1u);
      EXPECT_EQ((*loads)[0].accepted_this_year, 1);
      EXPECT_EQ((*loads)[0].open_caseload, 1);
      EXPECT_EQ((*loads)[0].waiting, 1);
      // The old idempotency key still replays, and the open episode links.
      absl::StatusOr<SubmitOutcome> replay = (*store)->Submit(MakeSubmission(Spec("old")));
      ASSERT_TRUE(replay.ok()) << replay.status();
      EXPECT_TRUE(replay->replayed);
      EXPECT_EQ(replay->queue_sequence, 1);
    }
    // New writes continue the sequence and the audit chain.
    absl::StatusOr<SubmitOutcome> fresh =
        (*store)->Submit(MakeSubmission(Spec("new").PersonKey("pk-old")));
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    EXPECT_EQ(fresh->queue_sequence, from >= 1 ? 2 : 1);
    EXPECT_EQ(fresh->referral.linked_to_existing_episode(), from >= 1);
    absl::StatusOr<AuditVerification> v = (*store)->VerifyAuditChain();
    ASSERT_TRUE(v.ok()) << v.status();
    EXPECT_TRUE(v->intact()) << v->message;
    (*store)->Shutdown();
  }
}

TEST_F(PostgresMigrationsTest, MigratingTwiceIsANoOp) {
  ASSERT_TRUE(Open().ok());
  absl::StatusOr<int> again = postgres::MigratePostgres(*db_, 99, kT0);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, postgres::LatestPostgresSchemaVersion());
  absl::StatusOr<postgres::Result> rows = db_->Run("SELECT COUNT(*) FROM schema_version");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->Int(0, 0), postgres::LatestPostgresSchemaVersion());
}

TEST_F(PostgresMigrationsTest, ReplicasStartingTogetherMigrateOnce) {
  constexpr int kReplicas = 4;
  std::vector<absl::Status> results(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] {
      absl::StatusOr<std::unique_ptr<Store>> store = Open();
      results[i] = store.status();
      if (store.ok()) (*store)->Shutdown();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  absl::StatusOr<postgres::Result> rows =
      db_->Run("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_version");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->Int(0, 0), postgres::LatestPostgresSchemaVersion());
  EXPECT_EQ(rows->Int(0, 1), postgres::LatestPostgresSchemaVersion());
}

TEST_F(PostgresMigrationsTest, NewerSchemaIsRefusedWithOneClearLine) {
  ASSERT_TRUE(Open().ok());
  ASSERT_TRUE(db_->Exec("INSERT INTO schema_version VALUES (99, 0, 'from the future')").ok());
  absl::StatusOr<std::unique_ptr<Store>> store = Open();
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("schema version 99, newer than this build's"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr("\n")));
}

TEST(PostgresOpenTest, UnreachableServerIsUnavailableWithoutThePassword) {
  PostgresStoreOptions options;
  options.cipher = ::sprout::store::testing::TestBodyCipher();
  options.conninfo = "host=/nonexistent-sprout-dir dbname=sprout user=sprout password=hunter2";
  absl::StatusOr<std::unique_ptr<Store>> store = OpenPostgresStore(options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(store.status().message(), HasSubstr("database sprout"));
  EXPECT_THAT(store.status().message(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(store.status().message(), Not(HasSubstr("\n")));
}

TEST(PostgresOpenTest, RecognisesPostgresTargets) {
  EXPECT_TRUE(IsPostgresConnInfo("postgresql://sprout@db/sprout"));
  EXPECT_TRUE(IsPostgresConnInfo("postgres://db/sprout"));
  EXPECT_TRUE(IsPostgresConnInfo("host=db dbname=sprout"));
  EXPECT_TRUE(IsPostgresConnInfo("dbname=sprout"));
  EXPECT_FALSE(IsPostgresConnInfo("var/sprout.db"));
  EXPECT_FALSE(IsPostgresConnInfo("/srv/sprout/postgres.db"));
}

}  // namespace
}  // namespace sprout::store::testing
