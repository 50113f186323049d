// sproutd's logs with --log_format=json, through the real binary: every line
// is one JSON object with time, level, component and message; every RPC has an
// access line with its method, code, latency, caller and resource; and
// nothing of the patients appears.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(JsonLogsTest, EveryLineIsAnObjectAndEveryRpcHasAnAccessLine) {
  const std::string dir = ::testing::TempDir() + "/json_logs";
  std::filesystem::remove_all(dir);
  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server = testing::SproutdProcess::Start(
      dir, {"--log_format=json", "--log_level=info"}, 120, /*capture_output=*/true);
  ASSERT_TRUE(server.ok()) << server.status();
  auto gp = v1::ReferralService::NewStub((*server)->Channel("gp"));
  v1::SubmitReferralRequest request;
  request.set_request_id("json-logs-1");
  *request.mutable_referral() = testing::GpReferral();
  v1::SubmitReferralResponse response;
  ASSERT_TRUE(gp->SubmitReferral(testing::ContextWithDeadline().get(), request, &response).ok());
  auto police = v1::ReferralService::NewStub((*server)->Channel("police"));
  v1::GetReferralRequest get;
  get.set_name(response.referral().name());
  v1::Referral referral;
  ASSERT_EQ(police->GetReferral(testing::ContextWithDeadline().get(), get, &referral).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Without open channels sproutd need not wait out its drain.
  gp.reset();
  police.reset();
  ASSERT_EQ((*server)->Stop(), 0);

  const std::string log = ReadText(dir + "/sproutd.stdout");
  std::vector<nlohmann::json> access;
  int lines = 0;
  for (absl::string_view line : absl::StrSplit(log, '\n', absl::SkipEmpty())) {
    ++lines;
    const nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(object.is_object()) << line;
    for (const char* field : {"time", "level", "component", "message"}) {
      EXPECT_TRUE(object.contains(field)) << field << " missing from " << line;
    }
    if (object.value("component", "") == "access") access.push_back(object);
  }
  EXPECT_GT(lines, 5);

  auto find = [&](const std::string& method) -> nlohmann::json {
    for (const nlohmann::json& a : access) {
      if (a.value("method", "") == method) return a;
    }
    ADD_FAILURE() << "no access line for " << method;
    return nlohmann::json::object();
  };
  const nlohmann::json submit = find("/sprout.v1.ReferralService/SubmitReferral");
  EXPECT_EQ(submit.value("code", ""), "OK");
  EXPECT_EQ(submit.value("caller", ""), "Y99001");
  EXPECT_EQ(submit.value("caller_role", ""), "referrer");
  EXPECT_EQ(submit.value("resource", ""), response.referral().name());
  EXPECT_EQ(submit.value("level", ""), "info");
  EXPECT_TRUE(submit.contains("latency_ms") && submit["latency_ms"].is_number());
  const nlohmann::json refused = find("/sprout.v1.ReferralService/GetReferral");
  EXPECT_EQ(refused.value("code", ""), "NOT_FOUND");
  EXPECT_EQ(refused.value("caller", ""), "police:WYP");
  EXPECT_EQ(refused.value("caller_role", ""), "referrer");
  EXPECT_EQ(refused.value("resource", ""), response.referral().name());

  const v1::Patient& p = request.referral().patient();
  for (const std::string& needle :
       {p.nhs_number(), p.given_name(), p.family_name(), p.address().postcode()}) {
    EXPECT_THAT(log, Not(HasSubstr(needle)));
  }
}

TEST(JsonLogsTest, TheStartUpFailureLineIsJsonToo) {
  absl::StatusOr<testing::StartupFailure> run = testing::RunSproutdExpectingFailure(
      ::testing::TempDir() + "/json_logs_startup",
      {"--log_format=json", "--tls_cert=/nonexistent/server.pem"});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->exit_code, 1);
  const std::string first_line = run->stderr_text.substr(0, run->stderr_text.find('\n'));
  const nlohmann::json line = nlohmann::json::parse(first_line, nullptr, false);
  ASSERT_TRUE(line.is_object()) << first_line;
  EXPECT_EQ(line.value("level", ""), "error");
  EXPECT_EQ(line.value("component", ""), "sproutd");
  EXPECT_THAT(line.value("message", ""), HasSubstr("cannot start: --tls_cert"));
  EXPECT_TRUE(line.contains("time"));
}

TEST(JsonLogsTest, AnUnknownFormatStopsStartUp) {
  absl::StatusOr<testing::StartupFailure> run = testing::RunSproutdExpectingFailure(
      ::testing::TempDir() + "/json_logs_bad", {"--log_format=xml"});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->exit_code, 2);
  EXPECT_THAT(run->stderr_text, HasSubstr("--log_format=xml is not a format; use text or json"));
}

}  // namespace
}  // namespace sprout
