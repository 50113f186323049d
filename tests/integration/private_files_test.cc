// What sproutd keeps on disk is the service's alone, through the real binary:
// the SQLite database, its WAL, shared-memory and lock files are created
// 0600 in folders created 0700 (whatever the umask), as are the data keys and
// the terminology cache; a pseudonym key file
// others may read stops start-up with one line; a database file others may
// read is reported at start-up.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using ::testing::HasSubstr;

// "0600", "0755", ... for `path`, or "missing".
std::string ModeOf(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "missing";
  return absl::StrFormat("%04o", st.st_mode & 07777);
}

std::string FreshDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
  return dir;
}

TEST(PrivateFilesTest, TheDatabaseItsCompanionFilesAndFoldersAreCreatedPrivate) {
  const std::string dir = FreshDir("private_files_created");
  const std::string db = dir + "/data/nested/sprout.db";
  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server =
      testing::SproutdProcess::Start(dir, {"--db=" + db});
  ASSERT_TRUE(server.ok()) << server.status();

  // A referral, so the WAL holds patient data.
  auto stub = v1::ReferralService::NewStub((*server)->Channel("gp"));
  v1::SubmitReferralRequest request;
  request.set_request_id("private-files-1");
  *request.mutable_referral() = testing::GpReferral();
  v1::SubmitReferralResponse response;
  const grpc::Status submitted =
      stub->SubmitReferral(testing::ContextWithDeadline().get(), request, &response);
  ASSERT_TRUE(submitted.ok()) << submitted.error_message();

  EXPECT_EQ(ModeOf(dir + "/data"), "0700");
  EXPECT_EQ(ModeOf(dir + "/data/nested"), "0700");
  EXPECT_EQ(ModeOf(db), "0600");
  EXPECT_EQ(ModeOf(db + "-wal"), "0600");
  EXPECT_EQ(ModeOf(db + "-shm"), "0600");
  EXPECT_EQ(ModeOf(db + ".lock"), "0600");
  EXPECT_EQ(ModeOf(dir + "/data.keys"), "0600");
  EXPECT_EQ(ModeOf(dir + "/snomed.cache"), "0600");
  EXPECT_EQ((*server)->Stop(), 0);
}

// Makes `file` (in the work folder `folder`) readable by group and others,
// runs sproutd, and expects it to stop with one line naming `flag`, before
// it opened the database.
void ExpectOpenKeyFileStopsStartUp(const std::string& folder, const std::string& file,
                                   const std::string& flag) {
  const std::string dir = FreshDir(folder);
  const std::string key = dir + "/" + file;
  std::ofstream(key) << (file == "data.keys" ? "k1 " + std::string(64, 'a') + "\n"
                                             : std::string(40, 'k'));
  std::filesystem::permissions(
      key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
               std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  absl::StatusOr<testing::StartupFailure> run = testing::RunSproutdExpectingFailure(dir, {});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_NE(run->exit_code, 0);
  EXPECT_THAT(run->stderr_text, HasSubstr(flag));
  EXPECT_THAT(run->stderr_text, HasSubstr("mode 0644"));
  EXPECT_THAT(run->stderr_text, HasSubstr("chmod 600"));
  int lines_about_it = 0;
  for (absl::string_view line : absl::StrSplit(run->stderr_text, '\n')) {
    if (absl::StrContains(line, file)) ++lines_about_it;
  }
  EXPECT_EQ(lines_about_it, 1) << run->stderr_text;
  EXPECT_FALSE(std::filesystem::exists(dir + "/sprout.db")) << "it opened the database first";
}

TEST(PrivateFilesTest, APseudonymKeyFileOthersMayReadStopsStartUpWithOneLine) {
  ASSERT_NO_FATAL_FAILURE(
      ExpectOpenKeyFileStopsStartUp("private_files_key", "pseudonym.key", "--pseudonym_key_file"));
}

TEST(PrivateFilesTest, ADataKeyFileOthersMayReadStopsStartUpWithOneLine) {
  ASSERT_NO_FATAL_FAILURE(
      ExpectOpenKeyFileStopsStartUp("private_files_data_key", "data.keys", "--data_key_file"));
}

TEST(PrivateFilesTest, ADatabaseOthersMayReadIsReportedAtStartUp) {
  const std::string dir = FreshDir("private_files_report");
  const std::string db = dir + "/sprout.db";
  {
    absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server =
        testing::SproutdProcess::Start(dir, {});
    ASSERT_TRUE(server.ok()) << server.status();
    ASSERT_EQ((*server)->Stop(), 0);
  }
  ASSERT_EQ(ModeOf(db), "0600");
  // As a careless copy or restore would leave it.
  std::filesystem::permissions(
      db, std::filesystem::perms::group_read | std::filesystem::perms::others_read,
      std::filesystem::perm_options::add);
  // Stopped after the store opens: the port file cannot be written.
  absl::StatusOr<testing::StartupFailure> run =
      testing::RunSproutdExpectingFailure(dir, {"--port_file=" + dir + "/no/such/folder/port"});
  ASSERT_TRUE(run.ok()) << run.status();
  const std::string log = run->stdout_text + run->stderr_text;
  EXPECT_THAT(log, HasSubstr(db + " has mode 0644"));
  EXPECT_THAT(log, HasSubstr("chmod 600 " + db));
}

}  // namespace
}  // namespace sprout
