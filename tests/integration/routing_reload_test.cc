// Live reload of the routing directory and policy, end to end through the
// real sproutd binary over mutual TLS: a rule change reloaded with
// AdminService.ReloadDirectory takes effect on the next referral; a broken
// policy is refused with details and the old one keeps routing; SIGHUP runs
// the same reload. GetStats then counts what was routed.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/sqlite_peek.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using testing::GpReferral;
using ::testing::HasSubstr;
using testing::QueryInt;
using ::testing::StartsWith;

// A rule placed before the demo policy's rules: GP referrals go to Riverside.
constexpr char kGpToRiverside[] = R"(
rules {
  name: "gp-to-riverside"
  when { source_types: SOURCE_TYPE_GP_PRACTICE }
  then { route_to_pcn: "U99002" }
}
)";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// Replaced by rename, as an operator's deploy would, so sproutd never reads a
// half-written file.
void WriteAll(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp, std::ios::trunc) << content;
  std::filesystem::rename(tmp, path);
}

template <typename Detail>
bool DetailOf(const grpc::Status& status, Detail* out) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return false;
  for (const auto& any : details.details()) {
    if (any.UnpackTo(out)) return true;
  }
  return false;
}

class RoutingReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = ::testing::TempDir() + "/routing_reload";
    std::filesystem::remove_all(work_);
    std::filesystem::create_directories(work_);
    const std::string source = testing::SourceDir();
    std::filesystem::copy(source + "/deploy/demo/directory", work_ + "/directory");
    policy_file_ = work_ + "/routing_policy.textproto";
    std::filesystem::copy(source + "/deploy/demo/routing_policy.textproto", policy_file_);
    demo_policy_ = ReadAll(policy_file_);
    absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> started =
        testing::SproutdProcess::Start(work_ + "/server", {"--directory=" + work_ + "/directory",
                                                           "--routing_policy=" + policy_file_});
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    referrals_ = sprout::v1::ReferralService::NewStub(server_->Channel("gp"));
    admin_ = sprout::v1::AdminService::NewStub(server_->Channel("admin"));
  }

  void TearDown() override {
    if (server_ != nullptr) {
      EXPECT_EQ(server_->Stop(), 0) << "sproutd did not exit cleanly";
    }
  }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return context;
  }

  // Submits a referral for `nhs_number` and returns its route.
  sprout::v1::Route Submit(const std::string& request_id, const std::string& nhs_number) {
    sprout::v1::SubmitReferralRequest request;
    request.set_request_id(request_id);
    *request.mutable_referral() = GpReferral(nhs_number);
    sprout::v1::SubmitReferralResponse response;
    grpc::Status status = referrals_->SubmitReferral(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.referral().route();
  }

  // The route a referral would take now (ValidateReferral stores nothing).
  sprout::v1::Route WouldRoute(const std::string& nhs_number) {
    sprout::v1::ValidateReferralRequest request;
    *request.mutable_referral() = GpReferral(nhs_number);
    sprout::v1::ValidateReferralResponse response;
    grpc::Status status = referrals_->ValidateReferral(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.referral().route();
  }

  grpc::Status Reload(sprout::v1::ReloadDirectoryResponse* response) {
    return admin_->ReloadDirectory(Context().get(), sprout::v1::ReloadDirectoryRequest(), response);
  }

  // Waits (up to 20 s) until the database holds a ReloadDirectory audit
  // record by the SIGHUP operator with `outcome`; returns how many there are.
  int64_t AwaitSighupAudit(const std::string& outcome, int64_t at_least) {
    const std::string sql = absl::StrCat(
        "SELECT count(*) FROM audit_records WHERE action = 'ReloadDirectory' AND "
        "actor_organisation = 'sproutd' AND actor_role = 'operator' AND outcome = '",
        outcome, "'");
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    int64_t n = 0;
    while ((n = QueryInt(server_->database_file(), sql)) < at_least && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    return n;
  }

  // Waits (up to 20 s) until a referral for `nhs_number` would be decided by
  // `rule`, and returns its route: a swap follows its audit record at once.
  sprout::v1::Route AwaitRule(const std::string& nhs_number, const std::string& rule) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    sprout::v1::Route route = WouldRoute(nhs_number);
    while (route.rule() != rule && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));
      route = WouldRoute(nhs_number);
    }
    return route;
  }

  std::string work_;
  std::string policy_file_;
  std::string demo_policy_;
  std::unique_ptr<testing::SproutdProcess> server_;
  std::unique_ptr<sprout::v1::ReferralService::Stub> referrals_;
  std::unique_ptr<sprout::v1::AdminService::Stub> admin_;
};

TEST_F(RoutingReloadTest, RuleChangeReloadedLiveTakesEffectOnTheNextReferral) {
  const sprout::v1::Route first = Submit("reload-0001", "9434765919");
  EXPECT_EQ(first.pcn(), "pcns/U99001");
  EXPECT_EQ(first.rule(), "debt-and-money");
  EXPECT_THAT(first.policy_version(), StartsWith("sha256:"));

  // The operator edits the policy: GP referrals now go to Riverside.
  WriteAll(policy_file_, kGpToRiverside + demo_policy_);
  sprout::v1::ReloadDirectoryResponse reloaded;
  grpc::Status status = Reload(&reloaded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reloaded.previous_policy_version(), first.policy_version());
  EXPECT_NE(reloaded.policy_version(), first.policy_version());
  EXPECT_EQ(reloaded.policy_name(), "demo-policy");
  EXPECT_EQ(reloaded.directory_version(), first.directory_version());
  EXPECT_EQ(reloaded.previous_version(), first.directory_version());
  EXPECT_TRUE(reloaded.has_reload_time());

  const sprout::v1::Route second = Submit("reload-0002", "9434765927");
  EXPECT_EQ(second.pcn(), "pcns/U99002");
  EXPECT_EQ(second.rule(), "gp-to-riverside");
  EXPECT_EQ(second.policy_version(), reloaded.policy_version());
  // The stored decision records the configuration it actually used.
  sprout::v1::GetRoutingDecisionRequest get;
  get.set_name(second.decision());
  sprout::v1::RoutingDecision decision;
  ASSERT_TRUE(admin_->GetRoutingDecision(Context().get(), get, &decision).ok());
  EXPECT_EQ(decision.route().policy_version(), reloaded.policy_version());
  EXPECT_EQ(decision.route().directory_version(), reloaded.directory_version());

  // A broken policy is refused, naming the file, rule and position ...
  WriteAll(policy_file_, kGpToRiverside + demo_policy_ + R"(
rules {
  name: "broken"
  when { reasons_ecl: "<< 267076002 OR" }
  then { default_choice: true }
}
)");
  sprout::v1::ReloadDirectoryResponse refused_response;
  grpc::Status refused = Reload(&refused_response);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << refused.error_message();
  EXPECT_THAT(refused.error_message(), HasSubstr("rule 12 'broken': reasons_ecl:"));
  google::rpc::PreconditionFailure failure;
  ASSERT_TRUE(DetailOf(refused, &failure));
  ASSERT_EQ(failure.violations_size(), 1);
  EXPECT_EQ(failure.violations(0).type(), "ROUTING_POLICY");
  EXPECT_EQ(failure.violations(0).subject(), policy_file_);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(DetailOf(refused, &info));
  EXPECT_EQ(info.reason(), "ROUTING_CONFIG_INVALID");
  EXPECT_EQ(info.domain(), "sprout");

  // ... and the policy reloaded before keeps routing.
  const sprout::v1::Route third = Submit("reload-0003", "9434765935");
  EXPECT_EQ(third.pcn(), "pcns/U99002");
  EXPECT_EQ(third.rule(), "gp-to-riverside");
  EXPECT_EQ(third.policy_version(), reloaded.policy_version());

  // Only administrators may reload.
  auto as_gp = sprout::v1::AdminService::NewStub(server_->Channel("gp"));
  sprout::v1::ReloadDirectoryResponse denied_response;
  EXPECT_EQ(
      as_gp
          ->ReloadDirectory(Context().get(), sprout::v1::ReloadDirectoryRequest(), &denied_response)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  // GetStats counts what was routed where.
  sprout::v1::GetStatsRequest stats_request;
  sprout::v1::Stats stats;
  status = admin_->GetStats(Context().get(), stats_request, &stats);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stats.total(), 3);
  std::map<std::string, int64_t> by_pcn;
  for (const sprout::v1::StatsRow& row : stats.by_pcn()) by_pcn[row.key()] = row.count();
  EXPECT_EQ(by_pcn["pcns/U99001"], 1);
  EXPECT_EQ(by_pcn["pcns/U99002"], 2);
  stats_request.set_filter("pcn = \"U99002\"");
  ASSERT_TRUE(admin_->GetStats(Context().get(), stats_request, &stats).ok());
  EXPECT_EQ(stats.total(), 2);
  ASSERT_EQ(stats.pcns_size(), 1);
  EXPECT_EQ(stats.pcns(0).pcn(), "pcns/U99002");
  EXPECT_EQ(stats.pcns(0).waiting(), 2);
}

TEST_F(RoutingReloadTest, SighupRunsTheSameReload) {
  EXPECT_EQ(WouldRoute("9434765943").rule(), "debt-and-money");

  // A good policy: SIGHUP swaps it in and the server keeps serving.
  WriteAll(policy_file_, kGpToRiverside + demo_policy_);
  ASSERT_TRUE(server_->Signal(SIGHUP));
  ASSERT_EQ(AwaitSighupAudit("OK", 1), 1);
  sprout::v1::Route route = AwaitRule("9434765943", "gp-to-riverside");
  EXPECT_EQ(route.pcn(), "pcns/U99002");
  EXPECT_EQ(route.rule(), "gp-to-riverside");
  const std::string good_version = route.policy_version();

  // A broken one: refused (and audited), the good one stays in force.
  WriteAll(policy_file_, demo_policy_ + R"(
rules {
  name: "to-nowhere"
  when { source_types: SOURCE_TYPE_POLICE }
  then { route_to_pcn: "U00404" }
}
)");
  ASSERT_TRUE(server_->Signal(SIGHUP));
  ASSERT_EQ(AwaitSighupAudit("FAILED_PRECONDITION", 1), 1);
  route = Submit("sighup-0001", "9434765943");
  EXPECT_EQ(route.rule(), "gp-to-riverside");
  EXPECT_EQ(route.policy_version(), good_version);
}

}  // namespace
}  // namespace sprout
