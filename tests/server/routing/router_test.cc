#include "server/routing/router.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/routing/directory_loader.h"
#include "server/routing/routing_config.h"
#include "tests/server/routing/router_test_util.h"

namespace sprout::routing {
namespace {

using namespace ::sprout::routing::testing;  // NOLINT: test constants.

class RouterFixture {
 public:
  RouterFixture() {
    auto dir = BuildDirectory(RouterSources(), compiler_);
    EXPECT_TRUE(dir.ok()) << dir.status();
    auto policy = RoutingPolicy::Create(TestPolicySpec(), compiler_);
    EXPECT_TRUE(policy.ok()) << policy.status();
    auto router = Router::CreateForDirectory(*dir, *policy);
    EXPECT_TRUE(router.ok()) << router.status();
    router_ = *std::move(router);
  }
  const Router& router() const { return *router_; }

 private:
  FakeConceptCompiler compiler_;
  std::unique_ptr<Router> router_;
};

// The decision in one line, for failure messages.
std::string Describe(const RoutingDecision& d) {
  std::string out = absl::StrCat(OutcomeName(d.outcome), " pcn=", d.pcn_code,
                                 " link_worker=", d.link_worker_id, " triage=", d.triage_queue,
                                 " rule=", d.deciding_rule, " summary: ", d.explanation.summary);
  for (const ExplanationStep& s : d.explanation.steps) {
    absl::StrAppend(&out, "\n  ", s.kind, " ", s.subject, s.matched ? " (matched) " : " ",
                    s.detail);
  }
  return out;
}

// A routine GP referral from Alpha's A00001 for a 40-year-old, on 2025-03-01.
RoutingRequest BaseRequest() {
  RoutingRequest r;
  r.referral_date = absl::CivilDay(2025, 3, 1);
  r.practice_code = "A00001";
  r.source_type = SourceType::kGpPractice;
  r.priority = Priority::kRoutine;
  r.reasons = {kSocialProblem};
  r.age_years = 40;
  r.terminology_release = "test-release";
  return r;
}

struct Expected {
  Outcome outcome;
  std::string pcn;
  std::string link_worker;  // Or the triage queue when outcome is kTriage.
  std::string rule;
  QueuePriority priority = QueuePriority::kRoutine;
  ResolutionMethod resolution = ResolutionMethod::kPractice;
};

struct Scenario {
  std::string name;
  std::function<void(RoutingRequest*)> request;
  std::function<void(InMemoryCaseload*)> loads;
  Expected expected;
};

void NoLoads(InMemoryCaseload*) {}
void NoChange(RoutingRequest*) {}

class RouterScenarioTest : public ::testing::TestWithParam<Scenario> {};

TEST_P(RouterScenarioTest, RoutesAsExpected) {
  RouterFixture fixture;
  RoutingRequest request = BaseRequest();
  GetParam().request(&request);
  InMemoryCaseload caseload;
  GetParam().loads(&caseload);
  absl::StatusOr<RoutingDecision> d = fixture.router().Route(request, caseload);
  ASSERT_TRUE(d.ok()) << d.status();
  const Expected& e = GetParam().expected;
  const std::string json = Describe(*d);
  EXPECT_EQ(d->outcome, e.outcome) << json;
  EXPECT_EQ(d->pcn_code, e.pcn) << json;
  if (e.outcome == Outcome::kTriage) {
    EXPECT_EQ(d->triage_queue, e.link_worker) << json;
    EXPECT_EQ(d->link_worker_id, "") << json;
  } else {
    EXPECT_EQ(d->link_worker_id, e.link_worker) << json;
  }
  EXPECT_EQ(d->deciding_rule, e.rule) << json;
  EXPECT_EQ(d->queue_priority, e.priority) << json;
  EXPECT_EQ(d->resolution, e.resolution) << json;
  EXPECT_EQ(d->terminology_release, "test-release");
  EXPECT_THAT(d->directory_version, ::testing::StartsWith("sha256:"));
  EXPECT_FALSE(d->explanation.summary.empty()) << json;
  // Every rule is recorded unless continuity decided before them.
  int rule_steps = 0;
  for (const ExplanationStep& s : d->explanation.steps) rule_steps += s.kind == "rule";
  EXPECT_GE(rule_steps, 9) << json;
}

const Scenario kScenarios[] = {
    {"NoRuleLeastLoadedByAnnualRatioWins",
     NoChange,
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a1", {10, 2});  // 10/250 = 0.04
       c->SetLoad("lw-a2", {4, 1});   // 4/125 = 0.032
     },
     {Outcome::kLinkWorker, "U00001", "lw-a2", "default"}},
    {"EqualLoadsTieBrokenByOpenCaseloadThenId",
     NoChange,
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a1", {10, 5});  // 10/250 = 0.04, 5/60 open
       c->SetLoad("lw-a2", {5, 1});   // 5/125 = 0.04, 1/30 open
     },
     {Outcome::kLinkWorker, "U00001", "lw-a2", "default"}},
    {"WaitingItemsRankAsLoadSoReferralsSpread",
     NoChange,
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a1", {0, 0, 5});  // nothing accepted yet, 5 waiting on the queue
     },
     {Outcome::kLinkWorker, "U00001", "lw-a2", "default"}},
    {"WaitingItemsNeverFillTheOpenCap",
     [](RoutingRequest* r) { r->reasons = {kHousingProblems}; },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a2", {20, 0, 40});  // open cap 30: 40 waiting, none accepted and open
     },
     {Outcome::kLinkWorker, "U00001", "lw-a2", "housing"}},
    {"NoLoadAtAllPicksLowestId",
     NoChange,
     NoLoads,
     {Outcome::kLinkWorker, "U00001", "lw-a1", "default"}},
    {"AgeBandExcludesAdultFromYoungPeoplesWorker",
     NoChange,
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a1", {1, 1});
       c->SetLoad("lw-a2", {1, 1});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a1", "default"}},
    {"YoungPersonGoesToYoungPeoplesWorker",
     [](RoutingRequest* r) { r->age_years = 16; },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a1", {1, 1});
       c->SetLoad("lw-a2", {1, 1});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a3", "default"}},
    {"HousingPrefersHousingSpecialistOverLessLoaded",
     [](RoutingRequest* r) { r->reasons = {kHousingUnsatisfactory}; },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a2", {60, 10});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a2", "housing"}},
    {"HousingSpecialistAtAnnualCapSpillsToColleague",
     [](RoutingRequest* r) { r->reasons = {kHousingProblems}; },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a2", {125, 10});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a1", "housing"}},
    {"HousingSpecialistAtOpenCapSpillsToColleague",
     [](RoutingRequest* r) { r->reasons = {kHousingProblems}; },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a2", {20, 30});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a1", "housing"}},
    {"EveryoneAtCapGoesToPcnPool",
     NoChange,
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a1", {250, 10});
       c->SetLoad("lw-a2", {100, 30});
     },
     {Outcome::kPcnPool, "U00001", "", "default"}},
    {"DebtPrefersDebtSpecialist",
     [](RoutingRequest* r) { r->reasons = {kFinancialProblem}; },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a1", {100, 20});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a1", "debt"}},
    {"AnySpecialismCoveringAReason",
     [](RoutingRequest* r) {
       r->reasons = {kFeelingLonely, kHousingUnsatisfactory};
     },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a2", {50, 5});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a2", "lonely-any-specialism"}},
    {"AnySpecialismWithNoCoverSpillsToLeastLoaded",
     [](RoutingRequest* r) { r->reasons = {kFeelingLonely}; },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a1", {50, 5});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a2", "lonely-any-specialism"}},
    {"PoliceDomesticAbuseFlagGoesToPcnSicblTriageUrgently",
     [](RoutingRequest* r) {
       r->source_type = SourceType::kPolice;
       r->safeguarding_flags = {kAtRiskOfDomesticViolence};
     },
     NoLoads,
     {Outcome::kTriage, "", "01A", "police-safeguarding-triage", QueuePriority::kUrgent}},
    {"PoliceWithoutMatchingFlagIsNotTriaged",
     [](RoutingRequest* r) {
       r->source_type = SourceType::kPolice;
       r->safeguarding_flags = {kAdultSafeguardingConcern};
     },
     NoLoads,
     {Outcome::kLinkWorker, "U00001", "lw-a1", "default"}},
    {"VulnerableAdultRaisedToUrgent",
     [](RoutingRequest* r) { r->safeguarding_flags = {kVulnerableAdult}; },
     NoLoads,
     {Outcome::kLinkWorker, "U00001", "lw-a1", "vulnerable-urgent", QueuePriority::kUrgent}},
    {"UrgentReferralIsQueuedUrgent",
     [](RoutingRequest* r) { r->priority = Priority::kUrgent; },
     NoLoads,
     {Outcome::kLinkWorker, "U00001", "lw-a1", "default", QueuePriority::kUrgent}},
    {"VcseRoutedToAnotherPcn",
     [](RoutingRequest* r) { r->source_type = SourceType::kVcse; },
     NoLoads,
     {Outcome::kLinkWorker, "U00002", "lw-b1", "vcse-to-beta"}},
    {"PharmacyGoesToNamedWorkerEvenIfMoreLoaded",
     [](RoutingRequest* r) { r->source_type = SourceType::kCommunityPharmacy; },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a2", {90, 20});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a2", "pharmacy-named-worker"}},
    {"NamedWorkerAtCapSpillsToColleague",
     [](RoutingRequest* r) { r->source_type = SourceType::kCommunityPharmacy; },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a2", {125, 20});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a1", "pharmacy-named-worker"}},
    {"OlderHospitalDischargeIsUrgent",
     [](RoutingRequest* r) {
       r->source_type = SourceType::kHospitalDischarge;
       r->age_years = 80;
     },
     NoLoads,
     {Outcome::kLinkWorker, "U00001", "lw-a1", "older-discharge-urgent", QueuePriority::kUrgent}},
    {"HospitalDischargeOfUnknownAgeDoesNotMatchAgeRule",
     [](RoutingRequest* r) {
       r->source_type = SourceType::kHospitalDischarge;
       r->age_years.reset();
     },
     NoLoads,
     {Outcome::kLinkWorker, "U00001", "lw-a1", "default"}},
    {"JobCentreInBetaGoesToTriage",
     [](RoutingRequest* r) {
       r->source_type = SourceType::kJobCentre;
       r->practice_code = "B00003";
     },
     NoLoads,
     {Outcome::kTriage, "", "01A", "beta-jobcentre-triage"}},
    {"JobCentreInAlphaIsNotTriaged",
     [](RoutingRequest* r) { r->source_type = SourceType::kJobCentre; },
     NoLoads,
     {Outcome::kLinkWorker, "U00001", "lw-a1", "default"}},
    {"PreferredLanguageSpeakerChosenOverLessLoaded",
     [](RoutingRequest* r) { r->language = "pl"; },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a1", {30, 5});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a1", "default"}},
    {"NoSpeakerFallsBackToLeastLoaded",
     [](RoutingRequest* r) { r->language = "so"; },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-a1", {30, 5});
     },
     {Outcome::kLinkWorker, "U00001", "lw-a2", "default"}},
    {"MovedPracticeLastDayInOldPcn",
     [](RoutingRequest* r) {
       r->practice_code = "A00002";
       r->referral_date = absl::CivilDay(2024, 9, 30);
     },
     NoLoads,
     {Outcome::kLinkWorker, "U00001", "lw-a1", "default"}},
    {"MovedPracticeFirstDayInNewPcn",
     [](RoutingRequest* r) {
       r->practice_code = "A00002";
       r->referral_date = absl::CivilDay(2024, 10, 1);
     },
     NoLoads,
     {Outcome::kLinkWorker, "U00002", "lw-b1", "default"}},
    {"WorkerNotYetAvailableIsExcluded",
     [](RoutingRequest* r) {
       r->practice_code = "B00003";
       r->referral_date = absl::CivilDay(2024, 12, 31);
     },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-b1", {100, 10});
     },
     {Outcome::kLinkWorker, "U00002", "lw-b1", "default"}},
    {"WorkerAvailableFromStartDateTakesLoad",
     [](RoutingRequest* r) {
       r->practice_code = "B00003";
       r->referral_date = absl::CivilDay(2025, 1, 1);
     },
     [](InMemoryCaseload* c) {
       c->SetLoad("lw-b1", {100, 10});
     },
     {Outcome::kLinkWorker, "U00002", "lw-b2", "default"}},
    {"NoPracticeUsesPostcodeSector",
     [](RoutingRequest* r) {
       r->practice_code.reset();
       r->source_type = SourceType::kSelfReferral;
       r->postcode = "AB1 2XY";
     },
     NoLoads,
     {Outcome::kLinkWorker, "U00002", "lw-b1", "default", QueuePriority::kRoutine,
      ResolutionMethod::kPostcode}},
    {"NoPracticeUsesPostcodeDistrict",
     [](RoutingRequest* r) {
       r->practice_code.reset();
       r->postcode = "AB1 7XY";
     },
     NoLoads,
     {Outcome::kLinkWorker, "U00001", "lw-a1", "default", QueuePriority::kRoutine,
      ResolutionMethod::kPostcode}},
    {"UnknownPracticeFallsBackToPostcode",
     [](RoutingRequest* r) {
       r->practice_code = "Y12345";
       r->postcode = "AB2 1AA";
     },
     NoLoads,
     {Outcome::kLinkWorker, "U00002", "lw-b1", "default", QueuePriority::kRoutine,
      ResolutionMethod::kPostcode}},
    {"NoFixedAbodeWithoutPracticeGoesToDefaultTriage",
     [](RoutingRequest* r) {
       r->practice_code.reset();
       r->postcode = "ZZ99 3VZ";
       r->reasons = {kHomeless};
     },
     NoLoads,
     {Outcome::kTriage, "", "01B", "default", QueuePriority::kRoutine, ResolutionMethod::kNone}},
    {"NoFixedAbodeGoesToReferrersTriage",
     [](RoutingRequest* r) {
       r->practice_code.reset();
       r->postcode = "ZZ99 3VZ";
       r->referrer_sub_icb_location = "02C";
     },
     NoLoads,
     {Outcome::kTriage, "", "02C", "default", QueuePriority::kRoutine, ResolutionMethod::kNone}},
    {"NoPracticeNoPostcodeGoesToTriage",
     [](RoutingRequest* r) {
       r->practice_code.reset();
       r->source_type = SourceType::kSelfReferral;
     },
     NoLoads,
     {Outcome::kTriage, "", "01B", "default", QueuePriority::kRoutine, ResolutionMethod::kNone}},
    {"UncoveredPostcodeGoesToTriage",
     [](RoutingRequest* r) {
       r->practice_code.reset();
       r->postcode = "CD9 1AA";
     },
     NoLoads,
     {Outcome::kTriage, "", "01B", "default", QueuePriority::kRoutine, ResolutionMethod::kNone}},
    {"EndedRelationshipTriagesToPracticeSicbl",
     [](RoutingRequest* r) {
       r->practice_code = "C00004";
       r->referral_date = absl::CivilDay(2024, 6, 1);
     },
     NoLoads,
     {Outcome::kTriage, "", "02C", "default", QueuePriority::kRoutine, ResolutionMethod::kNone}},
    {"PcnWithoutLinkWorkersGoesToItsPool",
     [](RoutingRequest* r) {
       r->practice_code = "C00004";
       r->referral_date = absl::CivilDay(2023, 12, 31);
     },
     NoLoads,
     {Outcome::kPcnPool, "U00003", "", "default"}},
    {"ContinuityKeepsOpenEpisodeWorker",
     [](RoutingRequest* r) {
       r->person_key = "pk-continuing";
       r->reasons = {kFinancialProblem};  // The debt rule would pick lw-a1.
     },
     [](InMemoryCaseload* c) {
       c->RecordAccepted("lw-a2", "pk-continuing");
       c->SetLoad("lw-a2", {125, 30});  // At both caps: not re-checked.
     },
     {Outcome::kLinkWorker, "U00001", "lw-a2", "continuity"}},
    {"ContinuityCrossesPcn",
     [](RoutingRequest* r) { r->person_key = "pk-moved"; },
     [](InMemoryCaseload* c) { c->RecordAccepted("lw-b1", "pk-moved"); },
     {Outcome::kLinkWorker, "U00002", "lw-b1", "continuity"}},
    {"ContinuityStillRaisesUrgency",
     [](RoutingRequest* r) {
       r->person_key = "pk-flagged";
       r->safeguarding_flags = {kVulnerableAdult};
     },
     [](InMemoryCaseload* c) { c->RecordAccepted("lw-a2", "pk-flagged"); },
     {Outcome::kLinkWorker, "U00001", "lw-a2", "continuity", QueuePriority::kUrgent}},
    {"ContinuityWithUnavailableWorkerFallsThrough",
     [](RoutingRequest* r) {
       r->person_key = "pk-early";
       r->referral_date = absl::CivilDay(2024, 12, 1);
     },
     [](InMemoryCaseload* c) { c->RecordAccepted("lw-b2", "pk-early"); },
     {Outcome::kLinkWorker, "U00001", "lw-a1", "default"}},
    {"ClosedEpisodeDoesNotContinue",
     [](RoutingRequest* r) { r->person_key = "pk-closed"; },
     [](InMemoryCaseload* c) {
       c->RecordAccepted("lw-b1", "pk-closed");
       c->CloseEpisode("pk-closed");
     },
     {Outcome::kLinkWorker, "U00001", "lw-a1", "default"}},
};

INSTANTIATE_TEST_SUITE_P(Scenarios, RouterScenarioTest, ::testing::ValuesIn(kScenarios),
                         [](const ::testing::TestParamInfo<Scenario>& info) {
                           return info.param.name;
                         });

// Explanation content for one spill-over decision, checked step by step.
TEST(RouterExplanationTest, SpillOverExplainsEveryRuleCandidateAndTheWinner) {
  RouterFixture fixture;
  RoutingRequest request = BaseRequest();
  request.reasons = {kHousingProblems};
  InMemoryCaseload caseload;
  caseload.SetLoad("lw-a1", {20, 4});
  caseload.SetLoad("lw-a2", {125, 10});
  absl::StatusOr<RoutingDecision> d = fixture.router().Route(request, caseload);
  ASSERT_TRUE(d.ok()) << d.status();
  const Explanation& e = d->explanation;

  ASSERT_FALSE(e.steps.empty());
  EXPECT_EQ(e.steps[0].kind, "pcn");
  EXPECT_EQ(e.steps[0].subject, "practice A00001");
  EXPECT_TRUE(e.steps[0].matched);
  EXPECT_EQ(e.steps[0].detail,
            "core partner of U00001 (Alpha PCN) 2019-07-01 onwards, which covers 2025-03-01 "
            "[partners.csv:1]");

  std::vector<std::string> rules;
  for (const ExplanationStep& s : e.steps) {
    if (s.kind == "rule") rules.push_back(s.subject + (s.matched ? " +" : " -"));
  }
  EXPECT_THAT(rules,
              ::testing::ElementsAre("1 police-safeguarding-triage -", "2 vulnerable-urgent -",
                                     "3 lonely-any-specialism -", "4 housing +", "5 debt -",
                                     "6 vcse-to-beta -", "7 pharmacy-named-worker -",
                                     "8 older-discharge-urgent -", "9 beta-jobcentre-triage -"));
  auto step = [&](absl::string_view subject) -> const ExplanationStep* {
    for (const ExplanationStep& s : e.steps) {
      if (s.subject == subject) return &s;
    }
    return nullptr;
  };
  ASSERT_NE(step("4 housing"), nullptr);
  EXPECT_EQ(step("4 housing")->detail,
            "all conditions hold: reason 81877007 is in << 81877007; decides");
  EXPECT_EQ(step("5 debt")->detail, "no reason is in << 160932005");
  ASSERT_NE(step("specialism 'housing'"), nullptr);
  EXPECT_FALSE(step("specialism 'housing'")->matched);
  EXPECT_EQ(step("specialism 'housing'")->detail,
            "every link worker with specialism 'housing' is excluded; spilling over to colleagues");

  ASSERT_EQ(e.candidates.size(), 3u);
  EXPECT_EQ(e.candidates[0].link_worker_id, "lw-a1");
  EXPECT_TRUE(e.candidates[0].eligible);
  EXPECT_EQ(e.candidates[0].detail, "chosen: 20/250 accepted this year, 4/60 open, 0 waiting");
  EXPECT_EQ(e.candidates[1].link_worker_id, "lw-a2");
  EXPECT_FALSE(e.candidates[1].eligible);
  EXPECT_TRUE(e.candidates[1].preferred);
  EXPECT_EQ(e.candidates[1].detail, "excluded: annual caseload cap reached (125/125)");
  EXPECT_EQ(e.candidates[2].detail, "excluded: works with ages 11-25; the person is 40");
  EXPECT_EQ(e.summary,
            "lw-a1: least loaded of 1 in U00001 (20/250 accepted this year, 4/60 open, 0 waiting)");
  EXPECT_EQ(d->deciding_rule, "housing");
  EXPECT_EQ(d->terminology_release, "test-release");
  EXPECT_EQ(d->policy_name, "test-policy");
}

TEST(RouterExplanationTest, RaisedPriorityNamesTheRule) {
  RouterFixture fixture;
  RoutingRequest request = BaseRequest();
  request.safeguarding_flags = {kVulnerableAdult};
  InMemoryCaseload caseload;
  absl::StatusOr<RoutingDecision> d = fixture.router().Route(request, caseload);
  ASSERT_TRUE(d.ok());
  const auto& steps = d->explanation.steps;
  auto it = std::find_if(steps.begin(), steps.end(),
                         [](const ExplanationStep& s) { return s.kind == "priority"; });
  ASSERT_NE(it, steps.end());
  EXPECT_EQ(it->detail,
            "rule 'vulnerable-urgent' raises it to urgent: queued ahead of routine items");
}

TEST(RouterExplanationTest, TieBreakIsExplained) {
  RouterFixture fixture;
  InMemoryCaseload caseload;
  absl::StatusOr<RoutingDecision> d = fixture.router().Route(BaseRequest(), caseload);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->explanation.summary,
            "lw-a1: least loaded of 2 in U00001 (0/250 accepted this year, 0/60 open, 0 waiting); "
            "tie with "
            "lw-a2 broken by id");
}

TEST(RouterExplanationTest, HomelessReferralExplainsPseudoPostcode) {
  RouterFixture fixture;
  RoutingRequest request = BaseRequest();
  request.practice_code.reset();
  request.postcode = "ZZ99 3VZ";
  InMemoryCaseload caseload;
  absl::StatusOr<RoutingDecision> d = fixture.router().Route(request, caseload);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->explanation.steps[1].detail, "pseudo-postcode (no fixed abode): no geography");
  EXPECT_EQ(d->explanation.summary, "triage queue of 01B (Test SICBL B): no PCN could be resolved");
}

class FailingCaseload : public CaseloadView {
 public:
  absl::StatusOr<LinkWorkerLoad> LoadOf(absl::string_view, absl::CivilDay) const override {
    return absl::UnavailableError("store down");
  }
  absl::StatusOr<std::optional<std::string>> OpenEpisodeLinkWorker(
      absl::string_view) const override {
    return std::optional<std::string>();
  }
};

TEST(RouterTest, CaseloadErrorsArePropagated) {
  RouterFixture fixture;
  FailingCaseload caseload;
  absl::StatusOr<RoutingDecision> d = fixture.router().Route(BaseRequest(), caseload);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kUnavailable);
}

// A reload builds its configuration with MakeRoutingConfig, as start-up does:
// a directory that drops what the policy names is refused there.
TEST(RouterTest, AConfigurationWhoseDirectoryDropsANamedWorkerIsRefused) {
  FakeConceptCompiler compiler;
  auto policy = RoutingPolicy::Create(TestPolicySpec(), compiler);
  ASSERT_TRUE(policy.ok());
  DirectorySources without_a2 = RouterSources();
  without_a2.link_workers.content =
      "link_worker_id,pcn_code,display_name,wte,annual_caseload_cap,open_caseload_cap,"
      "specialisms,languages,age_groups,available_from,available_to\n"
      "lw-a1,U00001,Alpha 1,1.0,,,debt=<< 160932005;housing=<< 81877007,en,,,\n";
  auto next = BuildDirectory(without_a2, compiler);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(MakeRoutingConfig(*next, *policy).status().message(),
            "rule 7 'pharmacy-named-worker': assign_link_worker: unknown link worker 'lw-a2'");
}

// Decisions made while the configuration is being swapped (as a reload does)
// each use one whole snapshot: with the old directory A00001 is in Alpha,
// with the new one (where Alpha's rows moved the practice to Beta) it is in
// Beta, never a mix.
TEST(RouterTest, ReloadDuringRoutingNeverMixesDirectories) {
  FakeConceptCompiler compiler;
  auto old_dir = BuildDirectory(RouterSources(), compiler);
  DirectorySources moved = RouterSources();
  moved.core_partners.content =
      "A00001,ALPHA SURGERY,01A,S,U00002,BETA PCN,01A,S,20190701,,Y\n"
      "C00004,LAPSED SURGERY,02C,S,U00003,GAMMA PCN,02C,S,20190701,20231231,Y\n";
  auto new_dir = BuildDirectory(moved, compiler);
  ASSERT_TRUE(old_dir.ok() && new_dir.ok()) << new_dir.status();
  auto policy = RoutingPolicy::Create(TestPolicySpec(), compiler);
  ASSERT_TRUE(policy.ok());
  auto old_config = MakeRoutingConfig(*old_dir, *policy);
  auto new_config = MakeRoutingConfig(*new_dir, *policy);
  ASSERT_TRUE(old_config.ok() && new_config.ok());
  RoutingConfigHolder holder(*old_config);
  InMemoryCaseload caseload;
  std::atomic<bool> stop{false};
  std::thread reloader([&] {
    for (int i = 0; !stop; ++i) holder.Replace(i % 2 ? *old_config : *new_config);
  });
  int seen_old = 0, seen_new = 0;
  for (int i = 0; i < 5000; ++i) {
    absl::StatusOr<RoutingDecision> d = holder.Get()->router->Route(BaseRequest(), caseload);
    ASSERT_TRUE(d.ok());
    if (d->directory_version == (*old_dir)->version()) {
      ++seen_old;
      EXPECT_EQ(d->link_worker_id.substr(0, 4), "lw-a");
    } else {
      ++seen_new;
      EXPECT_EQ(d->directory_version, (*new_dir)->version());
      EXPECT_EQ(d->link_worker_id.substr(0, 4), "lw-b");
    }
  }
  stop = true;
  reloader.join();
  EXPECT_EQ(seen_old + seen_new, 5000);
}

TEST(RouterTest, CreateRejectsPolicyNamingUnknownPcn) {
  FakeConceptCompiler compiler;
  auto dir = BuildDirectory(RouterSources(), compiler);
  ASSERT_TRUE(dir.ok());
  PolicySpec spec = TestPolicySpec();
  spec.rules[5].target = "U09999";
  auto policy = RoutingPolicy::Create(spec, compiler);
  ASSERT_TRUE(policy.ok());
  auto router = Router::CreateForDirectory(*dir, *policy);
  ASSERT_FALSE(router.ok());
  EXPECT_EQ(router.status().message(), "rule 6 'vcse-to-beta': route_to_pcn: unknown PCN 'U09999'");
}

}  // namespace
}  // namespace sprout::routing
