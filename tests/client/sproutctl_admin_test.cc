// sproutctl admin reload and admin stats against the generated AdminService
// mock stub: no server, no network (STYLE.md T5).
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "client/cli/exit_code.h"
#include "client/cli/sproutctl.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "rpc/status_conversion.h"
#include "sprout/v1/admin_service_mock.grpc.pb.h"

namespace sprout::client::cli {
namespace {

namespace v1 = ::sprout::v1;
using ::testing::_;
using ::testing::DoAll;
using ::testing::HasSubstr;
using ::testing::Return;
using ::testing::SaveArg;
using ::testing::SetArgPointee;
using ::testing::StrictMock;

class SproutctlAdminTest : public ::testing::Test {
 protected:
  SproutctlAdminTest()
      : admin_owned_(std::make_unique<StrictMock<v1::MockAdminServiceStub>>()),
        admin_(*admin_owned_) {}

  int Run(std::vector<std::string> args) {
    args.insert(args.begin(), "sproutctl");
    return RunSproutctl(args, out_, err_, [this](const ClientOptions& options) {
      SproutClient::Stubs stubs;
      stubs.admin = std::move(admin_owned_);
      return std::make_unique<SproutClient>(nullptr, std::move(stubs), options);
    });
  }

  std::unique_ptr<StrictMock<v1::MockAdminServiceStub>> admin_owned_;
  StrictMock<v1::MockAdminServiceStub>& admin_;
  std::ostringstream out_;
  std::ostringstream err_;
};

v1::ReloadDirectoryResponse Reloaded() {
  v1::ReloadDirectoryResponse r;
  r.set_previous_version("sha256:aaa");
  r.set_directory_version("sha256:bbb");
  r.set_policy_name("demo-policy");
  r.set_previous_policy_version("sha256:ccc");
  r.set_policy_version("sha256:ddd");
  r.mutable_reload_time()->set_seconds(1767225600);
  return r;
}

TEST_F(SproutctlAdminTest, ReloadPrintsDirectoryAndPolicyVersions) {
  EXPECT_CALL(admin_, ReloadDirectory(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(Reloaded()), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "--as", "admin", "admin", "reload"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("directory sha256:aaa -> sha256:bbb\n"));
  EXPECT_THAT(out_.str(), HasSubstr("policy 'demo-policy' sha256:ccc -> sha256:ddd\n"));
}

TEST_F(SproutctlAdminTest, ReloadJsonPrintsTheResponse) {
  EXPECT_CALL(admin_, ReloadDirectory(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(Reloaded()), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "--as", "admin", "--json", "admin", "reload"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"policyVersion\": \"sha256:ddd\""));
  EXPECT_THAT(out_.str(), HasSubstr("\"directoryVersion\": \"sha256:bbb\""));
}

TEST_F(SproutctlAdminTest, RefusedReloadShowsTheFileAndProblem) {
  absl::Status s = absl::FailedPreconditionError(
      "routing policy: /etc/sprout/policy.textproto: rule 3 'x': reasons_ecl: bad");
  google::rpc::PreconditionFailure failure;
  auto* v = failure.add_violations();
  v->set_type("ROUTING_POLICY");
  v->set_subject("/etc/sprout/policy.textproto");
  v->set_description("rule 3 'x': reasons_ecl: bad");
  rpc::SetStatusDetail(s, failure);
  EXPECT_CALL(admin_, ReloadDirectory(_, _, _)).WillOnce(Return(rpc::ToGrpcStatus(s)));
  EXPECT_EQ(Run({"--insecure", "--as", "admin", "admin", "reload"}), kExitRefused);
  EXPECT_THAT(err_.str(), HasSubstr("  ROUTING_POLICY /etc/sprout/policy.textproto: rule 3 'x': "
                                    "reasons_ecl: bad\n"));
}

v1::Stats SomeStats() {
  v1::Stats s;
  s.set_total(3);
  v1::StatsRow* row = s.add_by_pcn();
  row->set_key("pcns/U99001");
  row->set_display("Northgate Wrenfield PCN");
  row->set_count(3);
  row = s.add_by_reason();
  row->set_key("267076002");
  row->set_display("Feeling lonely");
  row->set_count(2);
  v1::PcnLoad* pcn = s.add_pcns();
  pcn->set_pcn("pcns/U99001");
  pcn->set_display("Northgate Wrenfield PCN");
  pcn->set_accepted_this_year(12);
  pcn->set_annual_cap(700);
  pcn->set_open_caseload(4);
  pcn->set_open_cap(168);
  pcn->set_waiting(3);
  pcn->set_available_link_workers(4);
  pcn->set_link_worker_count(4);
  v1::LinkWorkerLoad* lw = s.add_link_workers();
  lw->set_link_worker("pcns/U99001/linkWorkers/lw-u99001-01");
  lw->set_accepted_this_year(12);
  lw->set_annual_cap(200);
  lw->set_open_caseload(4);
  lw->set_open_cap(48);
  lw->set_waiting(3);
  lw->set_available(true);
  return s;
}

TEST_F(SproutctlAdminTest, StatsSendsTheFilterAndPrintsCountsAndLoad) {
  v1::GetStatsRequest seen;
  EXPECT_CALL(admin_, GetStats(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&seen), SetArgPointee<2>(SomeStats()), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "--as", "admin", "admin", "stats", "--filter", "pcn = \"U99001\""}),
            kExitOk);
  EXPECT_EQ(seen.filter(), "pcn = \"U99001\"");
  const std::string out = out_.str();
  EXPECT_THAT(out, HasSubstr("routing decisions: 3\n"));
  EXPECT_THAT(out, HasSubstr("Northgate Wrenfield PCN"));
  EXPECT_THAT(out, HasSubstr("Feeling lonely"));
  EXPECT_THAT(out, HasSubstr("12/700"));
  EXPECT_THAT(out, HasSubstr("4/168"));
  EXPECT_THAT(out, HasSubstr("pcns/U99001/linkWorkers/lw-u99001-01"));
  EXPECT_THAT(out, HasSubstr("12/200"));
}

TEST_F(SproutctlAdminTest, StatsJsonPrintsTheMessage) {
  EXPECT_CALL(admin_, GetStats(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(SomeStats()), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "--as", "admin", "--json", "admin", "stats"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("\"availableLinkWorkers\": 4"));
  EXPECT_THAT(out_.str(), HasSubstr("\"total\": \"3\""));
}

v1::ReencryptPatientDataResponse Batch(const std::string& table, int64_t reencrypted, int64_t done,
                                       int64_t rows, const std::string& next) {
  v1::ReencryptPatientDataResponse r;
  r.set_write_key_id("k2");
  r.add_key_ids("k1");
  r.add_key_ids("k2");
  r.set_table(table);
  r.set_rows_scanned(reencrypted);
  r.set_rows_reencrypted(reencrypted);
  r.set_table_rows(rows);
  r.set_table_rows_done(done);
  r.set_next_cursor(next);
  r.set_done(next.empty());
  return r;
}

TEST_F(SproutctlAdminTest, ReencryptWalksToTheEndPassingEachCursorBack) {
  std::vector<v1::ReencryptPatientDataRequest> seen(3);
  EXPECT_CALL(admin_, ReencryptPatientData(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&seen[0]), SetArgPointee<2>(Batch("referrals", 2, 2, 3, "0:2")),
                      Return(grpc::Status::OK)))
      .WillOnce(DoAll(SaveArg<1>(&seen[1]), SetArgPointee<2>(Batch("referrals", 1, 3, 3, "1:0")),
                      Return(grpc::Status::OK)))
      .WillOnce(DoAll(SaveArg<1>(&seen[2]), SetArgPointee<2>(Batch("queue_items", 3, 3, 3, "")),
                      Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "--as", "admin", "admin", "reencrypt", "--batch-size", "2"}),
            kExitOk);
  EXPECT_EQ(seen[0].cursor(), "");
  EXPECT_EQ(seen[0].batch_size(), 2);
  EXPECT_EQ(seen[1].cursor(), "0:2");
  EXPECT_EQ(seen[2].cursor(), "1:0");
  EXPECT_EQ(out_.str(),
            "referrals: 3/3 rows walked, 3 re-encrypted with key k2\n"
            "queue_items: 3/3 rows walked, 3 re-encrypted with key k2\n"
            "done: 6 rows read, 6 re-encrypted; every value is sealed with key k2 (keys in the "
            "file: k1 k2)\n");
}

TEST_F(SproutctlAdminTest, AnInterruptedReencryptSaysWhereToResume) {
  EXPECT_CALL(admin_, ReencryptPatientData(_, _, _))
      .WillOnce(
          DoAll(SetArgPointee<2>(Batch("referrals", 2, 2, 9, "0:2")), Return(grpc::Status::OK)))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "gone")))
      .WillRepeatedly(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "gone")));
  EXPECT_NE(Run({"--insecure", "--as", "admin", "admin", "reencrypt", "--cursor", "0:0"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("referrals: 2/9 rows walked, 2 re-encrypted"));
  EXPECT_THAT(out_.str(), HasSubstr("stopped; resume with --cursor 0:2\n"));
}

TEST_F(SproutctlAdminTest, OutboxListFiltersByStateAndShowsAttemptsAndTheLastError) {
  v1::ListOutboxMessagesRequest seen;
  v1::ListOutboxMessagesResponse r;
  v1::OutboxMessage& m = *r.add_messages();
  m.set_name("outboxMessages/r1-2");
  m.set_referral("referrals/r1");
  m.set_organisation_code("Y99001");
  m.set_referral_state(v1::REFERRAL_STATE_ACCEPTED);
  m.set_state(v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER);
  m.set_attempts(20);
  m.set_last_error("HTTP 503 from the receiver; gave up after 20 attempts");
  EXPECT_CALL(admin_, ListOutboxMessages(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&seen), SetArgPointee<2>(r), Return(grpc::Status::OK)));
  EXPECT_EQ(
      Run({"--insecure", "--as", "admin", "admin", "outbox", "list", "--state", "dead-letter"}),
      kExitOk);
  EXPECT_EQ(seen.state(), v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER);
  EXPECT_THAT(out_.str(), HasSubstr("outboxMessages/r1-2"));
  EXPECT_THAT(out_.str(), HasSubstr("DEAD_LETTER"));
  EXPECT_THAT(out_.str(), HasSubstr("gave up after 20 attempts"));
}

TEST_F(SproutctlAdminTest, OutboxListRefusesAStateThatIsNotOne) {
  EXPECT_NE(Run({"--insecure", "--as", "admin", "admin", "outbox", "list", "--state", "lost"}),
            kExitOk);
  EXPECT_THAT(err_.str(), HasSubstr("pending, delivered, dead-letter or no-endpoint"));
}

TEST_F(SproutctlAdminTest, OutboxRedeliverTakesAnIdOrAName) {
  v1::RedeliverOutboxMessageRequest seen;
  v1::OutboxMessage again;
  again.set_name("outboxMessages/r1-2");
  again.set_state(v1::OUTBOX_MESSAGE_STATE_PENDING);
  EXPECT_CALL(admin_, RedeliverOutboxMessage(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&seen), SetArgPointee<2>(again), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "--as", "admin", "admin", "outbox", "redeliver", "r1-2"}), kExitOk);
  EXPECT_EQ(seen.name(), "outboxMessages/r1-2");
  EXPECT_THAT(out_.str(), HasSubstr("PENDING"));
}

TEST_F(SproutctlAdminTest, CodingProposalsPassesTheFiltersAndShowsEachChoiceWithItsCount) {
  v1::ListCodingProposalsRequest seen;
  v1::ListCodingProposalsResponse r;
  v1::CodingProposal& p = *r.add_proposals();
  p.set_name("codingProposals/0123456789abcdef");
  p.set_agency("housing_provider");
  p.set_phrase("behind with the rent");
  p.set_referrals(4);
  p.set_state(v1::CODING_PROPOSAL_STATE_OPEN);
  v1::ProposedConcept& top = *p.add_choices();
  top.mutable_concept()->set_code("81877007");
  top.mutable_concept()->set_display("Rent arrears");
  top.set_referrals(3);
  v1::ProposedConcept& other = *p.add_choices();
  other.mutable_concept()->set_code("1230392000");
  other.mutable_concept()->set_display("Financial problem");
  other.set_referrals(1);
  EXPECT_CALL(admin_, ListCodingProposals(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&seen), SetArgPointee<2>(r), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "--as", "admin", "admin", "coding", "proposals", "--agency",
                 "housing_provider", "--min-referrals", "4", "--include-in-lexicon"}),
            kExitOk);
  EXPECT_EQ(seen.agency(), "housing_provider");
  EXPECT_EQ(seen.min_referrals(), 4);
  EXPECT_TRUE(seen.include_in_lexicon());
  EXPECT_THAT(out_.str(), HasSubstr("codingProposals/0123456789abcdef"));
  EXPECT_THAT(out_.str(), HasSubstr("behind with the rent"));
  EXPECT_THAT(out_.str(), HasSubstr("81877007 Rent arrears (3), 1230392000 Financial problem (1)"));
  EXPECT_THAT(out_.str(), HasSubstr("OPEN"));
}

TEST_F(SproutctlAdminTest, CodingAcceptNamesTheProposalAndTheConceptAndPrintsTheNewVersion) {
  v1::AcceptCodingProposalRequest seen;
  v1::AcceptCodingProposalResponse r;
  r.set_lexicon("housing_provider@2026-12+reviewed.1");
  r.mutable_proposal()->set_phrase("behind with the rent");
  r.mutable_proposal()->set_state(v1::CODING_PROPOSAL_STATE_IN_LEXICON);
  EXPECT_CALL(admin_, AcceptCodingProposal(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&seen), SetArgPointee<2>(r), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "--as", "admin", "admin", "coding", "accept", "0123456789abcdef",
                 "--code", "81877007"}),
            kExitOk);
  EXPECT_EQ(seen.name(), "codingProposals/0123456789abcdef");
  EXPECT_EQ(seen.code(), "81877007");
  EXPECT_THAT(out_.str(), HasSubstr("accepted \"behind with the rent\" into "
                                    "housing_provider@2026-12+reviewed.1"));
}

TEST_F(SproutctlAdminTest, CodingAcceptRequiresTheConcept) {
  EXPECT_NE(Run({"--insecure", "--as", "admin", "admin", "coding", "accept", "0123456789abcdef"}),
            kExitOk);
  EXPECT_THAT(err_.str(), HasSubstr("--code"));
}

TEST_F(SproutctlAdminTest, HelpDescribesReloadAndStats) {
  EXPECT_EQ(Run({"admin", "reload", "--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("Usage:"));
  out_.str("");
  EXPECT_EQ(Run({"admin", "stats", "--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("--filter"));
  EXPECT_THAT(out_.str(), HasSubstr("decide_time"));
}

}  // namespace
}  // namespace sprout::client::cli
