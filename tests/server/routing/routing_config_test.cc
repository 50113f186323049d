// RoutingConfigHolder: a reload swaps the directory and policy together, and a
// request that took its snapshot before the swap finishes with the old ones.
#include "server/routing/routing_config.h"

#include <atomic>
#include <thread>

#include "gtest/gtest.h"
#include "tests/server/routing/router_test_util.h"

namespace sprout::routing {
namespace {

using testing::FakeConceptCompiler;
using testing::MakeRule;
using testing::RouterSources;
using testing::TestPolicySpec;

RoutingRequest GpRequest() {
  RoutingRequest r;
  r.referral_date = absl::CivilDay(2025, 3, 1);
  r.practice_code = "A00001";  // Alpha PCN
  r.source_type = SourceType::kGpPractice;
  r.priority = Priority::kRoutine;
  r.age_years = 40;
  r.terminology_release = "test-release";
  return r;
}

// The test policy with a first rule sending GP referrals to Beta PCN.
PolicySpec GpToBetaSpec() {
  PolicySpec spec = TestPolicySpec();
  spec.version = "v2";
  RuleSpec gp = MakeRule("gp-to-beta", ActionKind::kRouteToPcn, "U00002");
  gp.source_types = {SourceType::kGpPractice};
  spec.rules.insert(spec.rules.begin(), gp);
  return spec;
}

class RoutingConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto directory = BuildDirectory(RouterSources(), compiler_);
    ASSERT_TRUE(directory.ok()) << directory.status();
    directory_ = *directory;
    PolicySpec v1 = TestPolicySpec();
    v1.version = "v1";
    auto old_policy = RoutingPolicy::Create(v1, compiler_);
    auto new_policy = RoutingPolicy::Create(GpToBetaSpec(), compiler_);
    ASSERT_TRUE(old_policy.ok() && new_policy.ok());
    auto old_config = MakeRoutingConfig(directory_, *old_policy);
    auto new_config = MakeRoutingConfig(directory_, *new_policy);
    ASSERT_TRUE(old_config.ok()) << old_config.status();
    ASSERT_TRUE(new_config.ok()) << new_config.status();
    old_config_ = *old_config;
    new_config_ = *new_config;
  }

  FakeConceptCompiler compiler_;
  InMemoryCaseload caseload_;
  std::shared_ptr<const Directory> directory_;
  std::shared_ptr<const RoutingConfig> old_config_;
  std::shared_ptr<const RoutingConfig> new_config_;
};

TEST_F(RoutingConfigTest, SnapshotTakenBeforeReplaceKeepsRoutingWithTheOldPolicy) {
  RoutingConfigHolder holder(old_config_);
  std::shared_ptr<const RoutingConfig> in_flight = holder.Get();
  std::weak_ptr<const RoutingConfig> old_alive = old_config_;
  old_config_.reset();

  EXPECT_EQ(holder.Replace(new_config_), in_flight);

  // The request that started before the swap: old rules, old version.
  absl::StatusOr<RoutingDecision> before = in_flight->router->Route(GpRequest(), caseload_);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->pcn_code, "U00001");
  EXPECT_NE(before->deciding_rule, "gp-to-beta");
  EXPECT_EQ(before->policy_version, "v1");

  // The next request: the new rule decides.
  absl::StatusOr<RoutingDecision> after = holder.Get()->router->Route(GpRequest(), caseload_);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->pcn_code, "U00002");
  EXPECT_EQ(after->deciding_rule, "gp-to-beta");
  EXPECT_EQ(after->policy_version, "v2");

  // The old configuration lives exactly as long as its last snapshot.
  EXPECT_FALSE(old_alive.expired());
  in_flight.reset();
  EXPECT_TRUE(old_alive.expired());
}

// Readers racing a reloader each see one whole configuration: the decision's
// policy version always matches the rule that decided it.
TEST_F(RoutingConfigTest, ConcurrentReplaceNeverMixesPolicies) {
  RoutingConfigHolder holder(old_config_);
  std::atomic<bool> stop{false};
  std::thread reloader([&] {
    for (int i = 0; !stop; ++i) holder.Replace(i % 2 ? old_config_ : new_config_);
  });
  int seen_old = 0, seen_new = 0;
  for (int i = 0; i < 3000; ++i) {
    std::shared_ptr<const RoutingConfig> snapshot = holder.Get();
    absl::StatusOr<RoutingDecision> d = snapshot->router->Route(GpRequest(), caseload_);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->policy_version, snapshot->policy->version());
    if (d->policy_version == "v2") {
      ++seen_new;
      EXPECT_EQ(d->deciding_rule, "gp-to-beta");
      EXPECT_EQ(d->pcn_code, "U00002");
    } else {
      ++seen_old;
      EXPECT_EQ(d->pcn_code, "U00001");
    }
  }
  stop = true;
  reloader.join();
  EXPECT_EQ(seen_old + seen_new, 3000);
}

TEST_F(RoutingConfigTest, RouterIsBoundToTheConfigsDirectory) {
  DirectorySources moved = RouterSources();
  moved.core_partners.content =
      "A00001,ALPHA SURGERY,01A,S,U00002,BETA PCN,01A,S,20190701,,Y\n"
      "C00004,LAPSED SURGERY,02C,S,U00003,GAMMA PCN,02C,S,20190701,20231231,Y\n";
  auto moved_directory = BuildDirectory(moved, compiler_);
  ASSERT_TRUE(moved_directory.ok()) << moved_directory.status();
  auto moved_config = MakeRoutingConfig(*moved_directory, old_config_->policy);
  ASSERT_TRUE(moved_config.ok()) << moved_config.status();

  absl::StatusOr<RoutingDecision> old_route = old_config_->router->Route(GpRequest(), caseload_);
  absl::StatusOr<RoutingDecision> moved_route =
      (*moved_config)->router->Route(GpRequest(), caseload_);
  ASSERT_TRUE(old_route.ok() && moved_route.ok());
  EXPECT_EQ(old_route->pcn_code, "U00001");
  EXPECT_EQ(old_route->directory_version, directory_->version());
  EXPECT_EQ(moved_route->pcn_code, "U00002");
  EXPECT_EQ(moved_route->directory_version, (*moved_directory)->version());
}

TEST_F(RoutingConfigTest, MakeRejectsPolicyNamingAnUnknownPcn) {
  PolicySpec spec = GpToBetaSpec();
  spec.rules[0].target = "U09999";
  auto policy = RoutingPolicy::Create(spec, compiler_);
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto config = MakeRoutingConfig(directory_, *policy);
  ASSERT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message(), "rule 1 'gp-to-beta': route_to_pcn: unknown PCN 'U09999'");
}

TEST_F(RoutingConfigTest, MakeRejectsNulls) {
  EXPECT_EQ(MakeRoutingConfig(nullptr, old_config_->policy).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeRoutingConfig(directory_, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sprout::routing
