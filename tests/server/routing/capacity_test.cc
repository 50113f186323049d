#include "server/routing/capacity.h"

#include "gtest/gtest.h"
#include "server/routing/directory_loader.h"
#include "tests/server/routing/router_test_util.h"

namespace sprout::routing {
namespace {

using namespace ::sprout::routing::testing;  // NOLINT: test helpers.

TEST(CapacityTest, SumsAvailableWorkersPerPcn) {
  FakeConceptCompiler compiler;
  auto dir = BuildDirectory(RouterSources(), compiler);
  ASSERT_TRUE(dir.ok()) << dir.status();
  InMemoryCaseload caseload;
  caseload.SetLoad("lw-a1", {100, 20});
  caseload.SetLoad("lw-a2", {25, 5});
  caseload.SetLoad("lw-b2", {7, 7});
  auto report = CapacityByPcn(**dir, caseload, absl::CivilDay(2024, 12, 1));
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->size(), 3u);
  const PcnCapacity& alpha = (*report)[0];
  EXPECT_EQ(alpha.pcn_code, "U00001");
  EXPECT_EQ(alpha.accepted_this_year, 125);
  EXPECT_EQ(alpha.annual_cap, 250 + 125 + 250);
  EXPECT_EQ(alpha.open_caseload, 25);
  EXPECT_EQ(alpha.open_cap, 60 + 30 + 60);
  // lw-b2 starts on 2025-01-01: listed, but not counted on 2024-12-01.
  const PcnCapacity& beta = (*report)[1];
  ASSERT_EQ(beta.link_workers.size(), 2u);
  EXPECT_FALSE(beta.link_workers[1].available);
  EXPECT_EQ(beta.link_workers[1].accepted_this_year, 7);
  EXPECT_EQ(beta.accepted_this_year, 0);
  EXPECT_EQ(beta.annual_cap, 250);
  EXPECT_TRUE((*report)[2].link_workers.empty());
}

}  // namespace
}  // namespace sprout::routing
