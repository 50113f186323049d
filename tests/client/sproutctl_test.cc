// Whole sproutctl command lines against the generated mock stubs: no server,
// no network (STYLE.md T5).
#include "client/cli/sproutctl.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "client/cli/exit_code.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "grpcpp/test/mock_stream.h"
#include "gtest/gtest.h"
#include "rpc/status_conversion.h"
#include "sprout/v1/queue_service_mock.grpc.pb.h"
#include "sprout/v1/referral_service_mock.grpc.pb.h"

namespace sprout::client::cli {
namespace {

namespace v1 = ::sprout::v1;
using ::testing::_;
using ::testing::DoAll;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::Return;
using ::testing::SaveArg;
using ::testing::SetArgPointee;
using ::testing::StrictMock;

class SproutctlTest : public ::testing::Test {
 protected:
  SproutctlTest()
      : referral_owned_(std::make_unique<StrictMock<v1::MockReferralServiceStub>>()),
        queue_owned_(std::make_unique<StrictMock<v1::MockQueueServiceStub>>()),
        referral_(*referral_owned_),
        queue_(*queue_owned_) {}

  // Runs sproutctl with `args` (after the program name); the client it makes
  // talks to the mocks.
  int Run(std::vector<std::string> args) {
    args.insert(args.begin(), "sproutctl");
    return RunSproutctl(args, out_, err_, [this](const ClientOptions& options) {
      options_seen_ = options;
      SproutClient::Stubs stubs;
      stubs.referral = std::move(referral_owned_);
      stubs.queue = std::move(queue_owned_);
      return std::make_unique<SproutClient>(nullptr, std::move(stubs), options);
    });
  }

  std::unique_ptr<StrictMock<v1::MockReferralServiceStub>> referral_owned_;
  std::unique_ptr<StrictMock<v1::MockQueueServiceStub>> queue_owned_;
  StrictMock<v1::MockReferralServiceStub>& referral_;
  StrictMock<v1::MockQueueServiceStub>& queue_;
  ClientOptions options_seen_;
  std::ostringstream out_;
  std::ostringstream err_;
};

v1::Referral QueuedReferral() {
  v1::Referral r;
  r.set_name("referrals/r1");
  r.set_state(v1::REFERRAL_STATE_QUEUED);
  r.mutable_referrer()->set_source_type(v1::SOURCE_TYPE_GP_PRACTICE);
  r.mutable_route()->set_method(v1::ROUTING_METHOD_PRACTICE);
  r.mutable_route()->set_pcn("pcns/U99001");
  r.mutable_route()->set_link_worker("pcns/U99001/linkWorkers/lw-u99001-01");
  v1::CodedReason* c = r.add_coded_reasons();
  c->mutable_original()->set_snomed_code("267076002");
  c->mutable_concept()->set_code("267076002");
  c->mutable_concept()->set_display("Feeling lonely");
  c->set_method(v1::CODING_METHOD_SNOMED);
  return r;
}

// What sproutd answers to a referral with a bad NHS number and no consent.
grpc::Status InvalidReferralStatus() {
  absl::Status s = absl::InvalidArgumentError("the referral has 2 problems");
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field("referral.patient.nhs_number");
  v->set_description("the check digit does not match");
  v = bad.add_field_violations();
  v->set_field("referral.consent.referral_agreed");
  v->set_description("must be true");
  rpc::SetStatusDetail(s, bad);
  return rpc::ToGrpcStatus(s);
}

TEST_F(SproutctlTest, GetPrintsTheReferralAsJson) {
  v1::GetReferralRequest seen;
  EXPECT_CALL(referral_, GetReferral(_, _, _))
      .WillOnce(
          DoAll(SaveArg<1>(&seen), SetArgPointee<2>(QueuedReferral()), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "--as", "gp", "--json", "referral", "get", "r1"}), kExitOk);
  EXPECT_EQ(seen.name(), "referrals/r1");  // a bare id becomes a resource name
  EXPECT_THAT(out_.str(), HasSubstr("\"name\": \"referrals/r1\""));
  EXPECT_THAT(out_.str(), HasSubstr("\"state\": \"REFERRAL_STATE_QUEUED\""));
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(options_seen_.dev_principal, "urn:sprout:org:Y99001:role:referrer");
}

TEST_F(SproutctlTest, EveryCallCarriesTheDeadline) {
  std::chrono::system_clock::time_point deadline;
  EXPECT_CALL(referral_, GetReferral(_, _, _))
      .WillOnce(DoAll(Invoke([&](grpc::ClientContext* ctx, const v1::GetReferralRequest&,
                                 v1::Referral*) { deadline = ctx->deadline(); }),
                      Return(grpc::Status::OK)));
  const auto before = std::chrono::system_clock::now();
  EXPECT_EQ(Run({"--insecure", "--deadline", "3s", "referral", "get", "referrals/r1"}), kExitOk);
  EXPECT_GT(deadline, before + std::chrono::milliseconds(2900));
  EXPECT_LT(deadline, std::chrono::system_clock::now() + std::chrono::milliseconds(3100));
}

TEST_F(SproutctlTest, GlobalFlagsMayFollowTheCommand) {
  EXPECT_CALL(referral_, GetReferral(_, _, _)).WillOnce(Return(grpc::Status::OK));
  EXPECT_EQ(Run({"referral", "get", "r1", "--insecure", "--as", "police"}), kExitOk);
  EXPECT_TRUE(options_seen_.insecure);
  EXPECT_EQ(options_seen_.dev_principal, "urn:sprout:org:police:WYP:role:referrer");
}

TEST_F(SproutctlTest, SubmitFromFlagsBuildsTheRequest) {
  v1::SubmitReferralRequest seen;
  v1::SubmitReferralResponse response;
  *response.mutable_referral() = QueuedReferral();
  EXPECT_CALL(referral_, SubmitReferral(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&seen), SetArgPointee<2>(response), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure",
                 "referral",
                 "submit",
                 "--nhs-number",
                 "9434765919",
                 "--given",
                 "Hettie",
                 "--family",
                 "Quillfeather",
                 "--birth-date",
                 "1946-05-17",
                 "--postcode",
                 "ZW1 4QA",
                 "--practice",
                 "Y99001",
                 "--source",
                 "gp",
                 "--reason",
                 "267076002",
                 "--reason",
                 "police-vulnerability:PV-ISOL",
                 "--reason",
                 "text:worried about bills",
                 "--consent"}),
            kExitOk);
  EXPECT_THAT(seen.request_id(),
              MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  const v1::Referral& r = seen.referral();
  EXPECT_EQ(r.patient().nhs_number(), "9434765919");
  EXPECT_EQ(r.patient().birth_date().day(), 17);
  EXPECT_EQ(r.referrer().source_type(), v1::SOURCE_TYPE_GP_PRACTICE);
  ASSERT_EQ(r.reasons_size(), 3);
  EXPECT_EQ(r.reasons(0).snomed_code(), "267076002");
  EXPECT_EQ(r.reasons(1).local_code().code(), "PV-ISOL");
  EXPECT_EQ(r.reasons(2).free_text(), "worried about bills");
  EXPECT_TRUE(r.consent().referral_agreed());
  // The human summary: state, route and the coded reason; never the person.
  EXPECT_THAT(out_.str(), HasSubstr("QUEUED"));
  EXPECT_THAT(out_.str(), HasSubstr("pcns/U99001 -> pcns/U99001/linkWorkers/lw-u99001-01"));
  EXPECT_THAT(out_.str(), HasSubstr("267076002 |Feeling lonely|"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("9434765919")));
}

TEST_F(SproutctlTest, SubmitKeepsAGivenRequestId) {
  v1::SubmitReferralRequest seen;
  EXPECT_CALL(referral_, SubmitReferral(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&seen), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "referral", "submit", "--request-id", "retry-7", "--source", "self",
                 "--reason", "text:lonely"}),
            kExitOk);
  EXPECT_EQ(seen.request_id(), "retry-7");
}

TEST_F(SproutctlTest, SubmitFromExampleFile) {
  const char* root = std::getenv("SPROUT_SOURCE_DIR");
  const std::string dir = std::string(root == nullptr ? "." : root) + "/client/examples/";
  v1::SubmitReferralRequest seen;
  EXPECT_CALL(referral_, SubmitReferral(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&seen), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "referral", "submit", "--file", dir + "police-referral.json"}),
            kExitOk);
  EXPECT_FALSE(seen.request_id().empty());
  EXPECT_EQ(seen.referral().referrer().source_type(), v1::SOURCE_TYPE_POLICE);
  ASSERT_EQ(seen.referral().reasons_size(), 2);
  EXPECT_EQ(seen.referral().reasons(0).local_code().system(), "police-vulnerability");
}

TEST_F(SproutctlTest, BulkSubmitSendsEachLineAndPrintsRows) {
  const std::string file = ::testing::TempDir() + "/sproutctl_bulk.jsonl";
  std::ofstream(file) << "{\"patient\":{\"givenName\":\"A\"}}\n"
                      << "{\"requestId\":\"own-id\",\"referral\":{}}\n";
  EXPECT_CALL(referral_, SubmitReferral(_, _, _))
      .Times(2)
      .WillRepeatedly(DoAll(SetArgPointee<2>([] {
                              v1::SubmitReferralResponse r;
                              *r.mutable_referral() = QueuedReferral();
                              return r;
                            }()),
                            Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "--as", "police", "referral", "submit", "--bulk", file, "--csv",
                 "--concurrency", "1"}),
            kExitOk);
  EXPECT_THAT(out_.str(),
              HasSubstr("line,outcome,request_id,referral,code,reason,field,message\n"));
  EXPECT_THAT(out_.str(), HasSubstr("2,accepted,own-id,referrals/r1,,,,\n"));
  EXPECT_THAT(err_.str(), HasSubstr("2 accepted, 0 replayed (sent before), 0 refused, 0 failed"));
}

TEST_F(SproutctlTest, BulkSubmitTakesNoSingleReferralFlags) {
  EXPECT_EQ(Run({"--insecure", "--as", "police", "referral", "submit", "--bulk", "x.jsonl",
                 "--file", "y.json"}),
            kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--bulk cannot be combined with --file"));
}

TEST_F(SproutctlTest, ServerRefusalPrintsViolationsAndExitsTwo) {
  EXPECT_CALL(referral_, SubmitReferral(_, _, _)).WillOnce(Return(InvalidReferralStatus()));
  EXPECT_EQ(Run({"--insecure", "referral", "submit", "--nhs-number", "9434765918", "--source", "gp",
                 "--reason", "267076002"}),
            kExitRefused);
  EXPECT_EQ(err_.str(),
            "INVALID_ARGUMENT: the referral has 2 problems\n"
            "  referral.patient.nhs_number: the check digit does not match\n"
            "  referral.consent.referral_agreed: must be true\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(SproutctlTest, UnreachableServerExitsThree) {
  // A read is tried again (4 attempts in all) before sproutctl gives up.
  EXPECT_CALL(referral_, GetReferral(_, _, _))
      .Times(4)
      .WillRepeatedly(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused")));
  EXPECT_EQ(Run({"--insecure", "referral", "get", "r1"}), kExitUnreachable);
  EXPECT_THAT(err_.str(), HasSubstr("UNAVAILABLE: connection refused"));
  EXPECT_THAT(err_.str(), HasSubstr("is sproutd running on 127.0.0.1:50051"));
}

TEST_F(SproutctlTest, AServerShuttingDownSaysSoWithoutBlamingTheConnection) {
  absl::Status draining = absl::UnavailableError("sproutd is shutting down");
  google::rpc::ErrorInfo info;
  info.set_reason("SHUTTING_DOWN");
  info.set_domain("sprout");
  rpc::SetStatusDetail(draining, info);
  EXPECT_CALL(referral_, GetReferral(_, _, _))
      .Times(4)
      .WillRepeatedly(Return(rpc::ToGrpcStatus(draining)));
  EXPECT_EQ(Run({"--insecure", "referral", "get", "r1"}), kExitUnreachable);
  EXPECT_EQ(err_.str(),
            "UNAVAILABLE: sproutd is shutting down\n"
            "  reason: SHUTTING_DOWN (sprout)\n");
}

// A config file naming a server and a deadline.
std::string WriteConfig() {
  const std::string config = ::testing::TempDir() + "/sproutctl.toml";
  std::ofstream(config) << "server = \"config.example:1\"\ndeadline = \"7s\"\n";
  return config;
}

TEST_F(SproutctlTest, ConnectionSettingsCanComeFromAConfigFile) {
  EXPECT_CALL(referral_, GetReferral(_, _, _)).WillOnce(Return(grpc::Status::OK));
  EXPECT_EQ(Run({"--insecure", "--config", WriteConfig(), "referral", "get", "r1"}), kExitOk);
  EXPECT_EQ(options_seen_.target, "config.example:1");
}

TEST_F(SproutctlTest, TheConfigFileWinsOverTheEnvironment) {
  EXPECT_CALL(referral_, GetReferral(_, _, _)).WillOnce(Return(grpc::Status::OK));
  setenv("SPROUT_SERVER", "env.example:2", 1);
  const int code = Run({"--insecure", "--config", WriteConfig(), "referral", "get", "r1"});
  unsetenv("SPROUT_SERVER");
  EXPECT_EQ(code, kExitOk);
  EXPECT_EQ(options_seen_.target, "config.example:1");
}

TEST_F(SproutctlTest, TheEnvironmentNamesTheServerWhenNothingElseDoes) {
  EXPECT_CALL(referral_, GetReferral(_, _, _)).WillOnce(Return(grpc::Status::OK));
  setenv("SPROUT_SERVER", "env.example:2", 1);
  const int code = Run({"--insecure", "referral", "get", "r1"});
  unsetenv("SPROUT_SERVER");
  EXPECT_EQ(code, kExitOk);
  EXPECT_EQ(options_seen_.target, "env.example:2");
}

TEST_F(SproutctlTest, AFlagWinsOverTheEnvironment) {
  EXPECT_CALL(referral_, GetReferral(_, _, _)).WillOnce(Return(grpc::Status::OK));
  setenv("SPROUT_SERVER", "env.example:2", 1);
  const int code = Run({"--insecure", "--config", WriteConfig(), "--server", "flag.example:3",
                        "referral", "get", "r1"});
  unsetenv("SPROUT_SERVER");
  EXPECT_EQ(code, kExitOk) << err_.str();
  EXPECT_EQ(options_seen_.target, "flag.example:3");
}

TEST_F(SproutctlTest, AConfigFileWithAnUnknownSettingIsAUsageError) {
  const std::string config = ::testing::TempDir() + "/sproutctl-bad.toml";
  std::ofstream(config) << "sever = \"typo:1\"\n";
  EXPECT_EQ(Run({"--insecure", "--config", config, "referral", "get", "r1"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("sever"));
}

TEST_F(SproutctlTest, DeadlineExceededExitsThree) {
  EXPECT_CALL(referral_, GetReferral(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "late")));
  EXPECT_EQ(Run({"--insecure", "referral", "get", "r1"}), kExitUnreachable);
}

TEST_F(SproutctlTest, InternalErrorExitsFour) {
  EXPECT_CALL(referral_, GetReferral(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::INTERNAL, "bug")));
  EXPECT_EQ(Run({"--insecure", "referral", "get", "r1"}), kExitInternal);
}

TEST_F(SproutctlTest, BadReasonIsAUsageErrorAndCallsNothing) {
  // StrictMock: any call would fail the test.
  EXPECT_EQ(Run({"--insecure", "referral", "submit", "--reason", "lonely"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--reason: reason 'lonely' is neither"));
}

TEST_F(SproutctlTest, FileAndFieldFlagsDoNotMix) {
  EXPECT_EQ(Run({"--insecure", "referral", "submit", "--file", "x.json", "--reason", "1"}),
            kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--reason cannot be combined with --file"));
}

TEST_F(SproutctlTest, UnknownCommandAndMissingArgumentAreUsageErrors) {
  EXPECT_EQ(Run({"referral", "frobnicate"}), kExitUsage);
  EXPECT_EQ(Run({"referral", "get"}), kExitUsage);
  EXPECT_EQ(Run({}), kExitUsage);
}

TEST_F(SproutctlTest, TlsWithoutIdentityIsAUsageError) {
  EXPECT_EQ(Run({"referral", "get", "r1"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("no client identity"));
}

TEST_F(SproutctlTest, HelpOnEveryLevelExitsZero) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                        {"referral", "--help"},
                                        {"queue", "close", "--help"},
                                        {"admin", "routing-log", "--help"},
                                        {"terminology", "ecl", "--help"}}) {
    out_.str("");
    EXPECT_EQ(Run(args), kExitOk) << args[0];
    EXPECT_THAT(out_.str(), HasSubstr("Usage:"));
  }
  out_.str("");
  Run({"--help"});
  EXPECT_THAT(out_.str(), HasSubstr("Exit codes:"));
}

TEST_F(SproutctlTest, WatchPrintsEachEventOnALine) {
  auto* reader = new grpc::testing::MockClientReader<v1::ReferralEvent>();
  v1::ReferralEvent e1, e2;
  e1.set_referral("referrals/r1");
  e1.set_state(v1::REFERRAL_STATE_QUEUED);
  e1.set_sequence(1);
  e2 = e1;
  e2.set_state(v1::REFERRAL_STATE_ACCEPTED);
  e2.set_sequence(2);
  e2.set_action("AcceptReferral");
  e2.mutable_recorded_code()->set_code("871731000000106");
  e2.mutable_recorded_code()->set_display("Referral to social prescribing service");
  EXPECT_CALL(*reader, Read(_))
      .WillOnce(DoAll(SetArgPointee<0>(e1), Return(true)))
      .WillOnce(DoAll(SetArgPointee<0>(e2), Return(true)))
      .WillOnce(Return(false));
  EXPECT_CALL(*reader, Finish()).WillOnce(Return(grpc::Status::OK));
  EXPECT_CALL(referral_, WatchReferralRaw(_, _)).WillOnce(Return(reader));
  EXPECT_EQ(Run({"--insecure", "referral", "watch", "r1"}), kExitOk);
  EXPECT_EQ(out_.str(),
            "#1  -  referrals/r1  QUEUED\n"
            "#2  -  referrals/r1  ACCEPTED  AcceptReferral  recorded 871731000000106 |Referral to "
            "social prescribing service|\n");
}

TEST_F(SproutctlTest, QueueListExpandsAPcnCodeAndPrintsATable) {
  v1::ListQueueItemsRequest seen;
  v1::ListQueueItemsResponse response;
  v1::QueueItem* item = response.add_queue_items();
  item->set_name("queueItems/q1");
  item->set_referral("referrals/r1");
  item->set_queue("pcns/U99001/linkWorkers/lw-u99001-01");
  item->set_state(v1::QUEUE_ITEM_STATE_WAITING);
  item->set_priority(v1::PRIORITY_URGENT);
  item->set_sequence(42);
  response.set_next_page_token("tok");
  EXPECT_CALL(queue_, ListQueueItems(_, _, _))
      .WillOnce(DoAll(SaveArg<1>(&seen), SetArgPointee<2>(response), Return(grpc::Status::OK)));
  EXPECT_EQ(
      Run({"--insecure", "--as", "linkworker", "queue", "list", "U99001", "--page-size", "5"}),
      kExitOk);
  EXPECT_EQ(seen.parent(), "pcns/U99001");
  EXPECT_EQ(seen.page_size(), 5);
  EXPECT_THAT(out_.str(), HasSubstr("ITEM"));
  EXPECT_THAT(out_.str(), HasSubstr("queueItems/q1"));
  EXPECT_THAT(out_.str(), HasSubstr("URGENT"));
  EXPECT_THAT(out_.str(), HasSubstr("next page: --page-token tok"));
}

TEST_F(SproutctlTest, QueueWatchFollowResumesAfterTheLastSequenceSeen) {
  v1::QueueEvent e;
  e.set_type(v1::QUEUE_EVENT_TYPE_ADDED);
  e.mutable_item()->set_name("queueItems/q7");
  e.mutable_item()->set_referral("referrals/r7");
  e.mutable_item()->set_state(v1::QUEUE_ITEM_STATE_WAITING);
  e.mutable_item()->set_queue("pcns/U99001");
  e.set_sequence(7);
  auto* first = new grpc::testing::MockClientReader<v1::QueueEvent>();
  EXPECT_CALL(*first, Read(_))
      .WillOnce(DoAll(SetArgPointee<0>(e), Return(true)))
      .WillOnce(Return(false));
  EXPECT_CALL(*first, Finish())
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server restarting")));
  auto* second = new grpc::testing::MockClientReader<v1::QueueEvent>();
  EXPECT_CALL(*second, Read(_)).WillOnce(Return(false));
  EXPECT_CALL(*second, Finish()).WillOnce(Return(grpc::Status::OK));
  std::vector<int64_t> after;
  EXPECT_CALL(queue_, WatchQueueRaw(_, _))
      .WillOnce(DoAll(Invoke([&](grpc::ClientContext*, const v1::WatchQueueRequest& r) {
                        after.push_back(r.after_sequence());
                      }),
                      Return(first)))
      .WillOnce(DoAll(Invoke([&](grpc::ClientContext*, const v1::WatchQueueRequest& r) {
                        after.push_back(r.after_sequence());
                      }),
                      Return(second)));
  EXPECT_EQ(Run({"--insecure", "queue", "watch", "U99001", "--after", "3", "--follow"}), kExitOk);
  EXPECT_EQ(after, (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(out_.str(), "#7  ADDED  queueItems/q7  referrals/r7  WAITING  pcns/U99001\n");
  EXPECT_THAT(err_.str(), HasSubstr("reconnecting after #7"));
}

TEST_F(SproutctlTest, FailedPreconditionShowsTheViolation) {
  absl::Status s = absl::FailedPreconditionError("cannot accept referrals/r1");
  google::rpc::PreconditionFailure failure;
  auto* v = failure.add_violations();
  v->set_type("STATE");
  v->set_subject("referrals/r1");
  v->set_description("is WITHDRAWN");
  rpc::SetStatusDetail(s, failure);
  EXPECT_CALL(queue_, AcceptReferral(_, _, _)).WillOnce(Return(rpc::ToGrpcStatus(s)));
  EXPECT_EQ(Run({"--insecure", "queue", "accept", "r1"}), kExitRefused);
  EXPECT_THAT(err_.str(), HasSubstr("  STATE referrals/r1: is WITHDRAWN\n"));
}

TEST_F(SproutctlTest, CloseSendsOptionalScoresOnlyWhenGiven) {
  v1::CloseReferralRequest seen;
  EXPECT_CALL(queue_, CloseReferral(_, _, _))
      .WillRepeatedly(DoAll(SaveArg<1>(&seen), Return(grpc::Status::OK)));
  EXPECT_EQ(Run({"--insecure", "queue", "close", "r1", "--outcome", "1230392000"}), kExitOk);
  EXPECT_FALSE(seen.outcome().has_wellbeing_score_start());
  ASSERT_EQ(seen.outcome().codes_size(), 1);
  EXPECT_EQ(seen.outcome().codes(0).code(), "1230392000");
}

// With the real factory: missing certificate files are the user's to fix.
TEST(SproutctlFilesTest, MissingCertificatesAreAUsageErrorWithAHint) {
  std::ostringstream out, err;
  const int code =
      RunSproutctl({"sproutctl", "--as", "gp", "--certs-dir", "/nonexistent", "health"}, out, err,
                   [](const ClientOptions& options) { return SproutClient::Create(options); });
  EXPECT_EQ(code, kExitUsage);
  EXPECT_THAT(err.str(), HasSubstr("/nonexistent/ca.pem"));
  EXPECT_THAT(err.str(), HasSubstr("certs/make-dev-certs"));
}

}  // namespace
}  // namespace sprout::client::cli
