// `referral submit --bulk`: a file of referrals through a client over mock
// stubs (no server, no network).
#include "client/cli/bulk_submit.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "client/cli/exit_code.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "rpc/status_conversion.h"
#include "sprout/v1/referral_service_mock.grpc.pb.h"

namespace sprout::client::cli {
namespace {

namespace v1 = ::sprout::v1;
using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::NiceMock;

// A referral line whose family name tells the fake server how to answer.
std::string Line(const std::string& family, const std::string& request_id = "") {
  std::string referral = "{\"patient\":{\"familyName\":\"" + family + "\"}}";
  if (request_id.empty()) return referral;
  return "{\"requestId\":\"" + request_id + "\",\"referral\":" + referral + "}";
}

grpc::Status Refusal() {
  absl::Status s = absl::InvalidArgumentError("the referral has 1 problem, see details");
  google::rpc::BadRequest bad;
  bad.add_field_violations()->set_field("referral.consent.referral_agreed");
  rpc::SetStatusDetail(s, bad);
  google::rpc::ErrorInfo info;
  info.set_reason("INVALID_REFERRAL");
  info.set_domain("sprout.nhs.uk");
  rpc::SetStatusDetail(s, info);
  return rpc::ToGrpcStatus(s);
}

grpc::Status Busy() {
  absl::Status s = absl::ResourceExhaustedError("over the organisation's rate");
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_nanos(5'000'000);
  rpc::SetStatusDetail(s, retry);
  return rpc::ToGrpcStatus(s);
}

class BulkSubmitTest : public ::testing::Test {
 protected:
  BulkSubmitTest() {
    auto stub = std::make_unique<NiceMock<v1::MockReferralServiceStub>>();
    ON_CALL(*stub, SubmitReferral(_, _, _))
        .WillByDefault(
            Invoke([this](grpc::ClientContext*, const v1::SubmitReferralRequest& r,
                          v1::SubmitReferralResponse* response) { return Answer(r, response); }));
    SproutClient::Stubs stubs;
    stubs.referral = std::move(stub);
    ClientOptions options;
    options.retry.max_attempts = 1;  // the bulk run's own waiting is under test
    client_ = std::make_unique<SproutClient>(nullptr, std::move(stubs), options);
  }

  // The fake server: "refuse" refused, "busy" busy twice then accepted, an id
  // seen before replayed, everything else accepted as referrals/{family}.
  grpc::Status Answer(const v1::SubmitReferralRequest& r, v1::SubmitReferralResponse* response) {
    absl::MutexLock lock(&mu_);
    const std::string& family = r.referral().patient().family_name();
    sent_ids_.push_back(r.request_id());
    if (family == "refuse") return Refusal();
    if (family == "slow") absl::SleepFor(absl::Milliseconds(300));  // a server taking its time
    if (family == "busy" && busy_left_-- > 0) return Busy();
    response->mutable_referral()->set_name("referrals/" + family);
    response->set_replayed(!seen_.insert(r.request_id()).second);
    return grpc::Status::OK;
  }

  std::string WriteFile(const std::string& text) {
    const std::string path = ::testing::TempDir() + "/bulk_" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                             ".jsonl";
    std::ofstream(path) << text;
    return path;
  }

  absl::Status Run(const std::string& text, BulkOptions options = {}) {
    options.file = WriteFile(text);
    return RunBulkSubmit(options, *client_, out_, err_);
  }

  absl::Mutex mu_;
  std::set<std::string> seen_;
  std::vector<std::string> sent_ids_;
  int busy_left_ = 2;
  std::unique_ptr<SproutClient> client_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST(BulkRequestIdTest, DependsOnlyOnTheLine) {
  EXPECT_EQ(BulkRequestId("{\"a\":1}"), BulkRequestId("{\"a\":1}"));
  EXPECT_NE(BulkRequestId("{\"a\":1}"), BulkRequestId("{\"a\":2}"));
  EXPECT_THAT(BulkRequestId("x"), ::testing::MatchesRegex("bulk-[0-9a-f]{32}"));
}

TEST_F(BulkSubmitTest, EveryLineAcceptedIsOk) {
  EXPECT_TRUE(Run(Line("a") + "\n" + Line("b") + "\n" + Line("c") + "\n").ok());
  EXPECT_THAT(out_.str(), HasSubstr("3 accepted, 0 replayed (sent before), 0 refused, 0 failed"));
  EXPECT_EQ(sent_ids_.size(), 3u);
}

TEST_F(BulkSubmitTest, SummaryGroupsRefusalsByReasonAndLine) {
  const std::string file = "# a comment\n" + Line("a") + "\n\n" + Line("refuse") + "\n" +
                           "not json\n" + Line("refuse") + "\n";
  absl::Status status = Run(file);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ExitCodeFor(status), kExitRefused);
  EXPECT_EQ(status.message(), "3 of 4 lines were refused");
  const std::string out = out_.str();
  EXPECT_THAT(out, HasSubstr("4 lines in "));
  EXPECT_THAT(out, HasSubstr("1 accepted, 0 replayed (sent before), 3 refused, 0 failed"));
  EXPECT_THAT(out, HasSubstr("  2 x INVALID_ARGUMENT INVALID_REFERRAL at "
                             "referral.consent.referral_agreed: lines 4, 6\n"));
  EXPECT_THAT(out, HasSubstr("  1 x INVALID_ARGUMENT (not a referral in JSON): line 5\n"));
}

TEST_F(BulkSubmitTest, RunningAgainReplaysWhatWasSent) {
  const std::string file = Line("a") + "\n" + Line("b") + "\n";
  ASSERT_TRUE(Run(file).ok());
  out_.str("");
  ASSERT_TRUE(Run(file).ok());
  EXPECT_THAT(out_.str(), HasSubstr("0 accepted, 2 replayed (sent before)"));
  ASSERT_EQ(sent_ids_.size(), 4u);
  EXPECT_EQ(sent_ids_[0] == sent_ids_[2] || sent_ids_[0] == sent_ids_[3], true);
}

TEST_F(BulkSubmitTest, ALineKeepsItsOwnRequestId) {
  ASSERT_TRUE(Run(Line("a", "mine-1") + "\n").ok());
  ASSERT_EQ(sent_ids_.size(), 1u);
  EXPECT_EQ(sent_ids_[0], "mine-1");
}

TEST_F(BulkSubmitTest, FromLineSkipsTheLinesBefore) {
  BulkOptions options;
  options.from_line = 3;
  ASSERT_TRUE(Run(Line("a") + "\n" + Line("b") + "\n" + Line("c") + "\n", options).ok());
  EXPECT_EQ(sent_ids_.size(), 1u);
  EXPECT_THAT(out_.str(), HasSubstr("1 lines in "));
}

TEST_F(BulkSubmitTest, ABusyServerIsWaitedFor) {
  ASSERT_TRUE(Run(Line("busy") + "\n").ok());
  EXPECT_EQ(sent_ids_.size(), 3u);  // busy, busy, accepted: the same request id each time
  EXPECT_EQ(sent_ids_[0], sent_ids_[2]);
}

TEST_F(BulkSubmitTest, ALogGetsAPlainProgressLineNowAndThen) {
  BulkOptions options;
  options.line_every = absl::Milliseconds(20);
  ASSERT_TRUE(Run(Line("slow") + "\n", options).ok());
  // Whole lines (no carriage returns to redraw), naming done/total.
  EXPECT_THAT(err_.str(), HasSubstr("0/1  0/s  ETA --:-- \n"));
  EXPECT_THAT(err_.str(), ::testing::Not(HasSubstr("\r")));
}

TEST_F(BulkSubmitTest, JsonRowsOnePerLineAndTheSummaryOnStderr) {
  BulkOptions options;
  options.rows = BulkOptions::Rows::kJson;
  options.concurrency = 1;
  EXPECT_FALSE(Run(Line("a") + "\n" + Line("refuse") + "\n", options).ok());
  std::istringstream rows(out_.str());
  std::string row;
  ASSERT_TRUE(std::getline(rows, row));
  nlohmann::json first = nlohmann::json::parse(row);
  EXPECT_EQ(first["line"], 1);
  EXPECT_EQ(first["outcome"], "accepted");
  EXPECT_EQ(first["referral"], "referrals/a");
  ASSERT_TRUE(std::getline(rows, row));
  nlohmann::json second = nlohmann::json::parse(row);
  EXPECT_EQ(second["outcome"], "refused");
  EXPECT_EQ(second["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(second["reason"], "INVALID_REFERRAL");
  EXPECT_EQ(second["field"], "referral.consent.referral_agreed");
  EXPECT_FALSE(std::getline(rows, row));
  EXPECT_THAT(err_.str(), HasSubstr("1 accepted, 0 replayed (sent before), 1 refused"));
}

TEST_F(BulkSubmitTest, CsvRowsQuoteWhatNeedsIt) {
  BulkOptions options;
  options.rows = BulkOptions::Rows::kCsv;
  EXPECT_FALSE(Run(Line("refuse", "id-1") + "\n", options).ok());
  std::istringstream rows(out_.str());
  std::string header, row;
  ASSERT_TRUE(std::getline(rows, header));
  EXPECT_EQ(header, "line,outcome,request_id,referral,code,reason,field,message");
  ASSERT_TRUE(std::getline(rows, row));
  EXPECT_EQ(row,
            "1,refused,id-1,,INVALID_ARGUMENT,INVALID_REFERRAL,referral.consent.referral_agreed,"
            "\"the referral has 1 problem, see details\"");
}

TEST_F(BulkSubmitTest, BadOptionsAndMissingFilesAreUsageErrors) {
  BulkOptions options;
  options.concurrency = 0;
  EXPECT_EQ(ExitCodeFor(Run(Line("a") + "\n", options)), kExitUsage);
  options = {};
  options.file = "/nonexistent/bulk.jsonl";
  absl::Status status = RunBulkSubmit(options, *client_, out_, err_);
  EXPECT_EQ(ExitCodeFor(status), kExitUsage);
  EXPECT_EQ(status.message(), "/nonexistent/bulk.jsonl: cannot be read");
}

}  // namespace
}  // namespace sprout::client::cli
