// The audit anchor through the real sproutd: at shutdown sproutd anchors the
// trail's head in a signed file outside the database; records later cut from
// the end of the trail (a copy of the database with its last rows deleted)
// are reported by VerifyAuditLog naming the first missing sequence, although
// what is left of the chain still verifies; an anchor file that was changed
// stops start-up with one line.
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/sqlite_peek.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using ::testing::HasSubstr;

std::string FreshDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

// Starts sproutd in `dir`, submits `referrals` GP referrals, stops it.
void RunAndSubmit(const std::string& dir, int referrals, int first_person) {
  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server =
      testing::SproutdProcess::Start(dir, {});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::ReferralService::NewStub((*server)->Channel("gp"));
  for (int i = 0; i < referrals; ++i) {
    v1::SubmitReferralRequest request;
    request.set_request_id(absl::StrCat("anchor-", first_person + i));
    *request.mutable_referral() = testing::GpReferral(testing::TestNhsNumber(first_person + i));
    v1::SubmitReferralResponse response;
    const grpc::Status status =
        stub->SubmitReferral(testing::ContextWithDeadline().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  ASSERT_EQ((*server)->Stop(), 0);
}

v1::VerifyAuditLogResponse Verify(const testing::SproutdProcess& server, grpc::Status* status) {
  auto admin = v1::AdminService::NewStub(server.Channel("admin"));
  v1::VerifyAuditLogResponse response;
  *status = admin->VerifyAuditLog(testing::ContextWithDeadline().get(), {}, &response);
  return response;
}

// Runs `sql` on the stopped server's database.
void Modify(const std::string& db_file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

int ModeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

TEST(AuditAnchorTest, RecordsCutFromTheEndOfTheTrailAreReported) {
  const std::string dir = FreshDir("audit_anchor_truncated");
  ASSERT_NO_FATAL_FAILURE(RunAndSubmit(dir, 4, 30100));
  const std::string db = dir + "/sprout.db";
  const int64_t records = testing::CountRows(db, "audit_records");
  ASSERT_GE(records, 4);
  ASSERT_TRUE(std::filesystem::exists(dir + "/audit.anchor"));
  EXPECT_EQ(ModeOf(dir + "/audit.anchor"), 0600);

  {  // Untouched: intact, and the anchor vouches for every record.
    absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server =
        testing::SproutdProcess::Start(dir, {});
    ASSERT_TRUE(server.ok()) << server.status();
    grpc::Status status;
    const v1::VerifyAuditLogResponse verified = Verify(**server, &status);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(verified.intact()) << verified.message();
    EXPECT_EQ(verified.anchored_sequence(), records);
    ASSERT_EQ((*server)->Stop(), 0);
  }

  // Cut the last two records, as someone covering their tracks would. What
  // is left still chains.
  const int64_t head = testing::QueryInt(db, "SELECT MAX(sequence) FROM audit_records");
  ASSERT_NO_FATAL_FAILURE(Modify(db, absl::StrCat("DROP TRIGGER audit_records_no_delete; "
                                                  "DELETE FROM audit_records WHERE sequence > ",
                                                  head - 2)));

  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server =
      testing::SproutdProcess::Start(dir, {});
  ASSERT_TRUE(server.ok()) << server.status();
  grpc::Status status;
  const v1::VerifyAuditLogResponse verified = Verify(**server, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(verified.intact());
  EXPECT_EQ(verified.anchored_sequence(), head);
  // The first missing record, or (once newer records reuse the numbers) the
  // anchored one that no longer matches.
  EXPECT_GE(verified.first_bad_sequence(), head - 1);
  EXPECT_LE(verified.first_bad_sequence(), head);
  EXPECT_FALSE(verified.message().empty());
  ASSERT_EQ((*server)->Stop(), 0);

  // The keeper did not move the anchor past the evidence.
  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> again =
      testing::SproutdProcess::Start(dir, {});
  ASSERT_TRUE(again.ok()) << again.status();
  const v1::VerifyAuditLogResponse still = Verify(**again, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(still.intact());
  EXPECT_EQ(still.anchored_sequence(), head);
  ASSERT_EQ((*again)->Stop(), 0);
}

TEST(AuditAnchorTest, AChangedAnchorFileStopsStartUpWithOneLine) {
  const std::string dir = FreshDir("audit_anchor_forged");
  ASSERT_NO_FATAL_FAILURE(RunAndSubmit(dir, 1, 30200));
  const std::string anchor = dir + "/audit.anchor";
  std::ifstream in(anchor);
  std::stringstream text;
  text << in.rdbuf();
  in.close();
  // Claim a longer trail, keeping the old signature.
  std::string forged = text.str();
  const size_t at = forged.find(' ', std::string("sprout-audit-anchor 1").size());
  ASSERT_NE(at, std::string::npos);
  forged.replace(at + 1, forged.find(' ', at + 1) - at - 1, "999");
  std::ofstream(anchor, std::ios::trunc) << forged;

  absl::StatusOr<testing::StartupFailure> run = testing::RunSproutdExpectingFailure(dir, {});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_NE(run->exit_code, 0);
  EXPECT_THAT(run->stderr_text, HasSubstr("--audit_anchor_file"));
  EXPECT_THAT(run->stderr_text, HasSubstr("does not verify"));
}

}  // namespace
}  // namespace sprout
