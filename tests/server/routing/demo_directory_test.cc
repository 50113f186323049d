// Loads the shipped demo directory and routing policy from deploy/demo/.
#include <cstdlib>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "server/routing/directory_loader.h"
#include "server/routing/router.h"
#include "server/routing/routing_policy_text.h"
#include "tests/repo_path.h"
#include "tests/server/routing/fake_concepts.h"

namespace sprout::routing {
namespace {

using namespace ::sprout::routing::testing;  // NOLINT: test constants.

using ::sprout::testing::RepoPath;

class DemoDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir =
        LoadDirectory(DirectoryFiles::InFolder(RepoPath("deploy/demo/directory")), compiler_);
    ASSERT_TRUE(dir.ok()) << dir.status();
    directory_ = *dir;
    auto policy = LoadRoutingPolicy(RepoPath("deploy/demo/routing_policy.textproto"), compiler_);
    ASSERT_TRUE(policy.ok()) << policy.status();
    auto router = Router::CreateForDirectory(directory_, *policy);
    ASSERT_TRUE(router.ok()) << router.status();
    router_ = *std::move(router);
  }
  RoutingDecision Route(RoutingRequest r) {
    absl::StatusOr<RoutingDecision> d = router_->Route(r, caseload_);
    EXPECT_TRUE(d.ok()) << d.status();
    return *d;
  }
  static RoutingRequest Request(std::string practice, absl::CivilDay day) {
    RoutingRequest r;
    r.referral_date = day;
    r.practice_code = std::move(practice);
    r.source_type = SourceType::kGpPractice;
    r.reasons = {kSocialProblem};
    r.age_years = 45;
    return r;
  }
  FakeConceptCompiler compiler_;
  std::shared_ptr<const Directory> directory_;
  std::unique_ptr<Router> router_;
  InMemoryCaseload caseload_;
};

TEST_F(DemoDirectoryTest, HasTheAdvertisedSize) {
  std::shared_ptr<const Directory> dir = directory_;
  EXPECT_GE(dir->icbs().size(), 3u);
  EXPECT_GE(dir->pcns().size(), 10u);
  EXPECT_GE(dir->practices().size(), 40u);
  EXPECT_GE(dir->link_workers().size(), 30u);
  std::set<std::string> pcns_with_workers;
  for (const LinkWorker& w : dir->link_workers()) {
    pcns_with_workers.insert(w.pcn_code);
    EXPECT_FALSE(w.languages.empty()) << w.id;
  }
  EXPECT_EQ(pcns_with_workers.size(), dir->pcns().size());
}

TEST_F(DemoDirectoryTest, PracticeY99004MovesPcnOnFirstOctober2024) {
  EXPECT_EQ(Route(Request("Y99004", absl::CivilDay(2024, 9, 30))).pcn_code, "U99001");
  EXPECT_EQ(Route(Request("Y99004", absl::CivilDay(2024, 10, 1))).pcn_code, "U99002");
}

TEST_F(DemoDirectoryTest, DemoPolicyRulesFire) {
  RoutingRequest debt = Request("Y99001", absl::CivilDay(2025, 5, 1));
  debt.reasons = {kFinancialProblem};
  RoutingDecision d = Route(debt);
  EXPECT_EQ(d.deciding_rule, "debt-and-money");
  EXPECT_EQ(d.link_worker_id, "lw-u99001-03");  // The only debt specialist in U99001.

  RoutingRequest police = Request("Y99001", absl::CivilDay(2025, 5, 1));
  police.source_type = SourceType::kPolice;
  police.safeguarding_flags = {kAtRiskOfDomesticViolence};
  d = Route(police);
  EXPECT_EQ(d.outcome, Outcome::kTriage);
  EXPECT_EQ(d.triage_queue, "Z1W0A");
  EXPECT_EQ(d.queue_priority, QueuePriority::kUrgent);

  RoutingRequest homeless = Request("Y99001", absl::CivilDay(2025, 5, 1));
  homeless.practice_code.reset();
  homeless.postcode = "ZZ99 3VZ";
  homeless.source_type = SourceType::kHousingProvider;
  homeless.reasons = {kHomeless};
  homeless.referrer_sub_icb_location = "Z2H0B";
  d = Route(homeless);
  EXPECT_EQ(d.outcome, Outcome::kTriage);
  EXPECT_EQ(d.triage_queue, "Z2H0B");

  // The same from the demo fire service, known to referrers.csv as serving
  // Fenmoor: its own area's triage queue, not the policy's default.
  homeless.referrer_sub_icb_location.reset();
  homeless.source_type = SourceType::kFireAndRescue;
  homeless.referrer_organisation_code = "fire:ZFRS";
  d = Route(homeless);
  EXPECT_EQ(d.outcome, Outcome::kTriage);
  EXPECT_EQ(d.triage_queue, "Z2H0B");
  // An organisation the directory does not list: the policy's default.
  homeless.referrer_organisation_code = "fire:UNLISTED";
  d = Route(homeless);
  EXPECT_EQ(d.triage_queue, "Z1W0A");

  RoutingRequest self = Request("Y99001", absl::CivilDay(2025, 5, 1));
  self.practice_code.reset();
  self.postcode = "ZW1 9QT";  // Sector ZW1 9 is Riverside's, though ZW1 is Northgate's.
  self.source_type = SourceType::kSelfReferral;
  d = Route(self);
  EXPECT_EQ(d.resolution, ResolutionMethod::kPostcode);
  EXPECT_EQ(d.pcn_code, "U99002");
}

}  // namespace
}  // namespace sprout::routing
