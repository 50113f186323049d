// Online backup while the store is open, and restore from the copy.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "base/private_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/sqlite/backup.h"
#include "server/store/sqlite/sqlite_store.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store {
namespace {

using ::sprout::store::testing::MakeSubmission;
using ::sprout::store::testing::Spec;
using ::sprout::store::testing::TempDir;
using ::testing::HasSubstr;

class SqliteBackupTest : public ::testing::Test {
 protected:
  SqliteStoreOptions Options(const std::string& name) const {
    SqliteStoreOptions options;
    options.cipher = ::sprout::store::testing::TestBodyCipher();
    options.path = dir_.File(name);
    return options;
  }
  TempDir dir_;
};

TEST_F(SqliteBackupTest, BackupOfALiveStoreOpensWithAllData) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> live = SqliteStore::Open(Options("live.db"));
  ASSERT_TRUE(live.ok()) << live.status();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE((*live)->Submit(MakeSubmission(Spec(absl::StrCat("b", i)))).ok());
  }
  // The store stays open and writable during the backup.
  ASSERT_TRUE(BackupSqlite(dir_.File("live.db"), dir_.File("copy.db")).ok());
  ASSERT_TRUE((*live)->Submit(MakeSubmission(Spec("after"))).ok());
  // A backup holds patient data: the service's alone, whatever the umask.
  EXPECT_FALSE(OpenToOthers(dir_.File("copy.db")));

  absl::StatusOr<std::unique_ptr<SqliteStore>> copy = SqliteStore::Open(Options("copy.db"));
  ASSERT_TRUE(copy.ok()) << copy.status();
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE((*copy)->GetReferral(absl::StrCat("b", i)).ok()) << i;
  }
  EXPECT_EQ((*copy)->GetReferral("after").status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<AuditVerification> v = (*copy)->VerifyAuditChain();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, 20);
}

TEST_F(SqliteBackupTest, RestoreReplacesTheDatabaseWithTheBackup) {
  {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Options("main.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Submit(MakeSubmission(Spec("kept"))).ok());
    ASSERT_TRUE(BackupSqlite(dir_.File("main.db"), dir_.File("backup.db")).ok());
    ASSERT_TRUE((*store)->Submit(MakeSubmission(Spec("lost"))).ok());
  }
  ASSERT_TRUE(RestoreSqlite(dir_.File("backup.db"), dir_.File("main.db")).ok());
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Options("main.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->GetReferral("kept").ok());
  EXPECT_EQ((*store)->GetReferral("lost").status().code(), absl::StatusCode::kNotFound);
  // The restored store carries on: sequences and the audit chain continue.
  ASSERT_TRUE((*store)->Submit(MakeSubmission(Spec("next"))).ok());
  EXPECT_TRUE((*store)->VerifyAuditChain()->intact());
}

TEST_F(SqliteBackupTest, RestoreIntoAnOpenStoreIsRefused) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Options("main.db"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(BackupSqlite(dir_.File("main.db"), dir_.File("backup.db")).ok());
  absl::Status s = RestoreSqlite(dir_.File("backup.db"), dir_.File("main.db"));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("another process holds"));
}

TEST_F(SqliteBackupTest, BackupNeverOverwrites) {
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Options("main.db"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(BackupSqlite(dir_.File("main.db"), dir_.File("backup.db")).ok());
  EXPECT_EQ(BackupSqlite(dir_.File("main.db"), dir_.File("backup.db")).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(SqliteBackupTest, BackupOfMissingDatabaseFailsAndLeavesNoFile) {
  absl::Status s = BackupSqlite(dir_.File("absent.db"), dir_.File("copy.db"));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(::access(dir_.File("copy.db").c_str(), F_OK), 0);
}

// The operator tool, as an operator would run it.
TEST_F(SqliteBackupTest, BackupToolCopiesAndRestores) {
  const char* binary_dir = std::getenv("SPROUT_BINARY_DIR");
  if (binary_dir == nullptr) GTEST_SKIP() << "SPROUT_BINARY_DIR is not set (run through ctest)";
  const std::string tool = absl::StrCat(binary_dir, "/server/store/sqlite/sprout-backup");
  {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Options("main.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Submit(MakeSubmission(Spec("kept"))).ok());
    EXPECT_EQ(std::system(absl::StrCat(tool, " backup ", dir_.File("main.db"), " ",
                                       dir_.File("copy.db"), " > /dev/null")
                              .c_str()),
              0);
  }
  EXPECT_EQ(std::system(absl::StrCat(tool, " restore ", dir_.File("copy.db"), " ",
                                     dir_.File("restored.db"), " > /dev/null")
                            .c_str()),
            0);
  absl::StatusOr<std::unique_ptr<SqliteStore>> restored = SqliteStore::Open(Options("restored.db"));
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_TRUE((*restored)->GetReferral("kept").ok());
  // Wrong usage exits 2; a failed backup exits 1.
  EXPECT_EQ(WEXITSTATUS(std::system(absl::StrCat(tool, " 2> /dev/null").c_str())), 2);
  EXPECT_EQ(WEXITSTATUS(std::system(absl::StrCat(tool, " backup ", dir_.File("absent.db"), " ",
                                                 dir_.File("x.db"), " 2> /dev/null")
                                        .c_str())),
            1);
}

}  // namespace
}  // namespace sprout::store
