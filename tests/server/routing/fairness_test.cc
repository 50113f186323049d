// Fairness over 10,000 generated referrals.
//
// Bound: within a PCN, the least-loaded choice keeps the spread of
// accepted-this-year / annual cap between its link workers at or below
// 1 / (the smallest annual cap in the PCN) at every step. (Each assignment adds
// 1/cap_i to the currently smallest ratio, so the largest ratio can exceed the
// smallest by at most one such step.) Here the smallest cap is 125 (0.5 WTE),
// so the bound is 0.008, i.e. under one referral's worth of load.
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "server/routing/router.h"
#include "tests/server/routing/fake_concepts.h"

namespace sprout::routing {
namespace {

using ::sprout::routing::testing::FakeConceptCompiler;

constexpr int kPcns = 8;
constexpr int kPracticesPerPcn = 5;
constexpr double kWtes[] = {1.0, 1.0, 0.8, 0.6, 0.5};
constexpr int kReferrals = 10000;

std::shared_ptr<const Directory> GeneratedDirectory() {
  DirectoryContents c;
  c.version = "generated";
  c.icbs.push_back({"QA1", "ICB", ""});
  c.sub_icb_locations.push_back({"01A", "SICBL", "QA1", ""});
  for (int p = 0; p < kPcns; ++p) {
    const std::string pcn = absl::StrFormat("U%05d", p + 1);
    c.pcns.push_back({pcn, absl::StrCat("PCN ", p), "01A", std::nullopt, std::nullopt, ""});
    for (int q = 0; q < kPracticesPerPcn; ++q) {
      Practice practice;
      practice.code = absl::StrFormat("A%05d", p * kPracticesPerPcn + q);
      practice.sicbl_code = "01A";
      practice.history.push_back({pcn, absl::CivilDay(2019, 7, 1), std::nullopt, ""});
      c.practices.push_back(practice);
    }
    int i = 0;
    for (double wte : kWtes) {
      LinkWorker w;
      w.id = absl::StrFormat("lw-%d-%d", p, i++);
      w.pcn_code = pcn;
      w.wte = wte;
      w.annual_cap = static_cast<int>(250 * wte);
      w.open_cap = 100000;  // Open caseload is not the constraint here.
      c.link_workers.push_back(w);
    }
  }
  auto dir = Directory::Create(std::move(c));
  EXPECT_TRUE(dir.ok()) << dir.status();
  return *dir;
}

struct RunResult {
  uint64_t fingerprint = 1469598103934665603ull;  // FNV-1a over decisions.
  double worst_spread = 0;
  int pooled = 0;
  int pooled_with_capacity_left = 0;
};

RunResult RouteAll(const Router& router, const Directory& dir) {
  InMemoryCaseload caseload;
  std::mt19937 rng(20250401);
  std::uniform_int_distribution<int> practice(0, kPcns * kPracticesPerPcn - 1);
  std::uniform_int_distribution<int> close(0, 2);
  RunResult result;
  std::vector<std::string> open_people;
  for (int n = 0; n < kReferrals; ++n) {
    RoutingRequest r;
    r.referral_date = absl::CivilDay(2025, 4, 1) + n / 40;
    r.practice_code = absl::StrFormat("A%05d", practice(rng));
    r.source_type = SourceType::kGpPractice;
    r.reasons = {testing::kSocialProblem};
    r.person_key = absl::StrCat("person-", n);
    absl::StatusOr<RoutingDecision> d = router.Route(r, caseload);
    EXPECT_TRUE(d.ok()) << d.status();
    for (char ch : d->link_worker_id + "|" + d->pcn_code) {
      result.fingerprint = (result.fingerprint ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
    }
    if (d->outcome == Outcome::kLinkWorker) {
      caseload.RecordAccepted(d->link_worker_id, r.person_key);
      open_people.push_back(r.person_key);
    } else {
      ++result.pooled;
    }
    // Close about a third of episodes as we go, oldest first.
    if (close(rng) == 0 && !open_people.empty()) {
      caseload.CloseEpisode(open_people.front());
      open_people.erase(open_people.begin());
    }
    // Spread within the referral's PCN after this decision.
    double lo = 2, hi = -1;
    bool capacity_left = false;
    for (const LinkWorker* w : dir.LinkWorkersInPcn(d->pcn_code)) {
      const LinkWorkerLoad load = *caseload.LoadOf(w->id, r.referral_date);
      const double ratio = static_cast<double>(load.accepted_this_year) / w->annual_cap;
      lo = std::min(lo, ratio);
      hi = std::max(hi, ratio);
      capacity_left |= load.accepted_this_year < w->annual_cap;
    }
    result.worst_spread = std::max(result.worst_spread, hi - lo);
    if (d->outcome == Outcome::kPcnPool && capacity_left) ++result.pooled_with_capacity_left;
  }
  return result;
}

TEST(FairnessTest, TenThousandReferralsStayWithinOneReferralOfEvenLoad) {
  std::shared_ptr<const Directory> dir = GeneratedDirectory();
  FakeConceptCompiler compiler;
  PolicySpec spec;
  spec.default_triage_sub_icb_location = "01A";
  auto policy = RoutingPolicy::Create(spec, compiler);
  ASSERT_TRUE(policy.ok());
  auto router = Router::CreateForDirectory(dir, *policy);
  ASSERT_TRUE(router.ok());

  const RunResult first = RouteAll(**router, *dir);
  constexpr double kBound = 1.0 / 125;
  EXPECT_LE(first.worst_spread, kBound + 1e-12);
  // Capacity is 8 PCNs x 975 = 7,800 a year, so about 2,200 referrals spill to
  // PCN pools, and only once every link worker of that PCN is at its cap.
  EXPECT_EQ(first.pooled, kReferrals - kPcns * 975);
  EXPECT_EQ(first.pooled_with_capacity_left, 0);
  // Deterministic: the same inputs give the same decisions.
  EXPECT_EQ(RouteAll(**router, *dir).fingerprint, first.fingerprint);
}

}  // namespace
}  // namespace sprout::routing
