// Patient data at rest, through the real sproutd, its SQLite files and the
// backup tool: after referrals, an acceptance and a contact with notes, no
// test patient's identifier or story is in the database file, its WAL, a
// backup or the server's output; after a key rotation under load, the
// re-encryption walk leaves nothing on the old key and loses nothing, so the
// old key can be retired. Failures name what was found, never the value.
#include <csignal>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/read_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/sqlite_peek.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

constexpr char kContactNotes[] = "talked about her sister's funeral and the unpaid gas bill";

// Every identifying or story-telling string the scenario sends, with a
// label to report instead of the value.
std::vector<std::pair<std::string, std::string>> PatientStrings() {
  const v1::Referral gp = testing::GpReferral();
  const v1::Referral police = testing::PoliceReferral();
  std::vector<std::pair<std::string, std::string>> strings = {
      {"GP patient NHS number", gp.patient().nhs_number()},
      {"GP patient given name", gp.patient().given_name()},
      {"GP patient family name", gp.patient().family_name()},
      {"GP patient address line", gp.patient().address().lines(0)},
      {"GP patient town", gp.patient().address().town()},
      {"GP patient postcode", gp.patient().address().postcode()},
      {"GP patient phone", gp.patient().contact().phone()},
      {"GP what matters", gp.what_matters_to_me()},
      {"police patient given name", police.patient().given_name()},
      {"police patient family name", police.patient().family_name()},
      {"police patient address line", police.patient().address().lines(0)},
      {"police patient postcode", police.patient().address().postcode()},
      {"police patient phone", police.patient().contact().phone()},
      {"contact notes", kContactNotes},
  };
  if (!police.what_matters_to_me().empty()) {
    strings.emplace_back("police what matters", police.what_matters_to_me());
  }
  return strings;
}

// The file's bytes; empty when it cannot be read (a missing WAL holds nothing).
std::string ReadWhole(const std::string& path) { return ReadFileToString(path).value_or(""); }

// Labels of the patient strings found in `bytes`.
std::vector<std::string> PatientStringsIn(const std::string& bytes) {
  std::vector<std::string> found;
  for (const auto& [label, value] : PatientStrings()) {
    if (absl::StrContains(bytes, value)) found.push_back(label);
  }
  return found;
}

class EncryptionAtRestTest : public ::testing::Test {
 protected:
  void Start(const std::string& folder) {
    const std::string dir = ::testing::TempDir() + "/" + folder;
    std::filesystem::remove_all(dir);
    // Info-level output, so the server's own lines are searched too.
    absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> started =
        testing::SproutdProcess::Start(dir, {"--log_level=info", "--agency_rate_per_second=0"},
                                       /*timeout_seconds=*/120, /*capture_output=*/true);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    gp_ = v1::ReferralService::NewStub(server_->Channel("gp"));
    police_ = v1::ReferralService::NewStub(server_->Channel("police"));
    lw_ = v1::QueueService::NewStub(server_->Channel("linkworker"));
    admin_ = v1::AdminService::NewStub(server_->Channel("admin"));
  }

  void TearDown() override {
    if (server_ != nullptr) EXPECT_EQ(Stop(), 0);
  }

  // Closes the channels first, so the server has no connection to drain.
  int Stop() {
    gp_.reset();
    police_.reset();
    lw_.reset();
    admin_.reset();
    return server_->Stop();
  }

  std::string KeyFile() const { return server_->work_dir() + "/data.keys"; }

  grpc::Status Submit(v1::ReferralService::Stub& stub, const v1::Referral& referral,
                      const std::string& request_id, v1::Referral* stored) {
    v1::SubmitReferralRequest request;
    request.set_request_id(request_id);
    *request.mutable_referral() = referral;
    v1::SubmitReferralResponse response;
    grpc::Status status =
        stub.SubmitReferral(testing::ContextWithDeadline().get(), request, &response);
    if (stored != nullptr) *stored = response.referral();
    return status;
  }

  // Runs the walk to its end in batches of `batch_size`; the last response.
  v1::ReencryptPatientDataResponse Reencrypt(int batch_size, int64_t* reencrypted) {
    v1::ReencryptPatientDataRequest request;
    request.set_batch_size(batch_size);
    v1::ReencryptPatientDataResponse response;
    *reencrypted = 0;
    for (int guard = 0; guard < 10000; ++guard) {
      grpc::Status status =
          admin_->ReencryptPatientData(testing::ContextWithDeadline().get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      *reencrypted += response.rows_reencrypted();
      if (response.done()) break;
      request.set_cursor(response.next_cursor());
    }
    EXPECT_TRUE(response.done());
    return response;
  }

  // Rows of `table` whose body is not sealed with key `key_id`.
  int64_t RowsNotOnKey(const std::string& table, const std::string& key_id) {
    // "SPE1", the id's length byte, the id.
    std::string prefix =
        absl::StrCat("SPE1", std::string(1, static_cast<char>(key_id.size())), key_id);
    std::string hex;
    for (unsigned char c : prefix) absl::StrAppend(&hex, absl::Hex(c, absl::kZeroPad2));
    return testing::QueryInt(server_->database_file(),
                             absl::StrCat("SELECT count(*) FROM ", table, " WHERE substr(body, 1, ",
                                          prefix.size(), ") != X'", hex, "'"));
  }

  std::unique_ptr<testing::SproutdProcess> server_;
  std::unique_ptr<v1::ReferralService::Stub> gp_;
  std::unique_ptr<v1::ReferralService::Stub> police_;
  std::unique_ptr<v1::QueueService::Stub> lw_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(EncryptionAtRestTest, NoPatientDataInTheDatabaseItsWalABackupOrTheServerOutput) {
  Start("encryption_at_rest_files");
  v1::Referral gp;
  ASSERT_TRUE(Submit(*gp_, testing::GpReferral(), "at-rest-gp", &gp).ok());
  ASSERT_TRUE(Submit(*police_, testing::PoliceReferral(), "at-rest-police", nullptr).ok());
  // The link worker claims the item and accepts the referral.
  v1::ListQueueItemsRequest list;
  list.set_parent("pcns/U99001");
  list.set_page_size(500);
  v1::ListQueueItemsResponse items;
  grpc::Status listed = lw_->ListQueueItems(testing::ContextWithDeadline().get(), list, &items);
  ASSERT_TRUE(listed.ok()) << listed.error_message();
  std::string item_name;
  for (const v1::QueueItem& item : items.queue_items()) {
    if (item.referral() == gp.name()) item_name = item.name();
  }
  ASSERT_FALSE(item_name.empty()) << "no queue item for " << gp.name();
  v1::ClaimReferralRequest claim;
  claim.set_name(item_name);
  v1::QueueItem claimed;
  listed = lw_->ClaimReferral(testing::ContextWithDeadline().get(), claim, &claimed);
  ASSERT_TRUE(listed.ok()) << listed.error_message();
  v1::AcceptReferralRequest accept;
  accept.set_name(gp.name());
  v1::Referral accepted;
  grpc::Status status =
      lw_->AcceptReferral(testing::ContextWithDeadline().get(), accept, &accepted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::RecordContactRequest contact;
  contact.set_parent(gp.name());
  contact.set_request_id("at-rest-contact");
  contact.mutable_contact()->set_type(v1::CONTACT_TYPE_PHONE);
  contact.mutable_contact()->mutable_contact_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) -
                                                                 60);
  contact.mutable_contact()->mutable_duration()->set_seconds(900);
  contact.mutable_contact()->set_notes(kContactNotes);
  v1::Contact stored_contact;
  status = lw_->RecordContact(testing::ContextWithDeadline().get(), contact, &stored_contact);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // They are there, and whole, for those allowed to read them.
  v1::GetReferralRequest get;
  get.set_name(gp.name());
  v1::Referral read;
  status = gp_->GetReferral(testing::ContextWithDeadline().get(), get, &read);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(read.patient().family_name() == testing::GpReferral().patient().family_name());
  EXPECT_TRUE(read.what_matters_to_me() == testing::GpReferral().what_matters_to_me());

  const std::string db = server_->database_file();
  const std::string backup = server_->work_dir() + "/backup.db";
  ASSERT_EQ(
      std::system(absl::StrCat(testing::BinaryDir(), "/server/store/sqlite/sprout-backup backup ",
                               db, " ", backup, " >/dev/null")
                      .c_str()),
      0);
  // Something was written (or there would be nothing to find).
  ASSERT_GT(std::filesystem::file_size(db) + std::filesystem::file_size(db + "-wal"), 0u);
  EXPECT_EQ(testing::CountRows(db, "contacts"), 1);
  EXPECT_EQ(RowsNotOnKey("referrals", "k1"), 0);
  EXPECT_EQ(RowsNotOnKey("queue_items", "k1"), 0);
  EXPECT_EQ(RowsNotOnKey("routing_decisions", "k1"), 0);
  EXPECT_EQ(RowsNotOnKey("contacts", "k1"), 0);
  EXPECT_THAT(PatientStringsIn(ReadWhole(db)), ::testing::IsEmpty()) << "in the database file";
  EXPECT_THAT(PatientStringsIn(ReadWhole(db + "-wal")), ::testing::IsEmpty()) << "in its WAL";
  EXPECT_THAT(PatientStringsIn(ReadWhole(backup)), ::testing::IsEmpty()) << "in the backup";
  ASSERT_EQ(Stop(), 0);
  const std::string output = ReadWhole(server_->work_dir() + "/sproutd.stderr") +
                             ReadWhole(server_->work_dir() + "/sproutd.stdout");
  EXPECT_THAT(output, ::testing::HasSubstr("write key k1"))
      << "the output searched is not sproutd's";
  EXPECT_THAT(PatientStringsIn(output), ::testing::IsEmpty()) << "in sproutd's output";
  server_.reset();
}

TEST_F(EncryptionAtRestTest, ARotationUnderLoadLosesNothingAndTheOldKeyCanBeRetired) {
  Start("encryption_at_rest_rotation");
  constexpr int kBefore = 30;
  constexpr int kDuring = 60;
  std::vector<std::string> names;
  for (int i = 0; i < kBefore; ++i) {
    v1::Referral stored;
    ASSERT_TRUE(Submit(*gp_, testing::GpReferral(testing::TestNhsNumber(i)),
                       absl::StrCat("rotate-before-", i), &stored)
                    .ok());
    names.push_back(stored.name());
  }
  const std::string keys_tool = testing::BinaryDir() + "/server/store/sprout-keys";
  ASSERT_EQ(std::system((keys_tool + " rotate " + KeyFile() + " >/dev/null").c_str()), 0);

  // Submissions keep arriving while the walk runs, in small batches.
  std::vector<std::string> during(kDuring);
  std::thread load([&] {
    for (int i = 0; i < kDuring; ++i) {
      v1::Referral stored;
      grpc::Status status = Submit(*gp_, testing::GpReferral(testing::TestNhsNumber(kBefore + i)),
                                   absl::StrCat("rotate-during-", i), &stored);
      EXPECT_TRUE(status.ok()) << status.error_message();
      during[i] = stored.name();
    }
  });
  int64_t reencrypted = 0;
  v1::ReencryptPatientDataResponse last = Reencrypt(3, &reencrypted);
  load.join();
  EXPECT_EQ(last.write_key_id(), "k2");
  EXPECT_THAT(last.key_ids(), ::testing::ElementsAre("k1", "k2"));
  // At least the referrals, items and decisions made before the rotation.
  EXPECT_GE(reencrypted, 3 * kBefore);
  for (const char* table : {"referrals", "queue_items", "routing_decisions", "contacts"}) {
    EXPECT_EQ(RowsNotOnKey(table, "k2"), 0) << table;
  }

  // Retire k1; the next walk (which re-reads the key file) has nothing to do.
  ASSERT_EQ(std::system((keys_tool + " retire " + KeyFile() + " k1 >/dev/null").c_str()), 0);
  last = Reencrypt(100, &reencrypted);
  EXPECT_EQ(reencrypted, 0);
  EXPECT_THAT(last.key_ids(), ::testing::ElementsAre("k2"));

  // Every referral, from before and during, reads back whole on k2 alone.
  names.insert(names.end(), during.begin(), during.end());
  EXPECT_EQ(testing::CountRows(server_->database_file(), "referrals"), kBefore + kDuring);
  for (size_t i = 0; i < names.size(); ++i) {
    v1::GetReferralRequest get;
    get.set_name(names[i]);
    v1::Referral read;
    grpc::Status status = gp_->GetReferral(testing::ContextWithDeadline().get(), get, &read);
    ASSERT_TRUE(status.ok()) << names[i] << ": " << status.error_message();
    EXPECT_TRUE(read.patient().nhs_number() == testing::TestNhsNumber(static_cast<int64_t>(i)))
        << names[i] << " came back with another patient's NHS number";
  }
}

}  // namespace
}  // namespace sprout
