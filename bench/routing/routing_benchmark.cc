// Cost of one routing decision on the demo directory and policy, against a
// baseline doing only the lookups any router must do (practice -> PCN, the
// PCN's link workers and their loads) with no rules and no explanation.
//
//   build-routing/tests/server/routing/routing_benchmark   (run from the repo root)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "base/read_file.h"
#include "server/routing/directory_loader.h"
#include "server/routing/router.h"
#include "server/routing/routing_policy_text.h"
#include "tests/repo_path.h"
#include "tests/server/routing/fake_concepts.h"

namespace sprout::routing {
namespace {

using namespace ::sprout::routing::testing;  // NOLINT: test constants.

using ::sprout::testing::RepoPath;

struct Demo {
  Demo() {
    const DirectoryFiles files = DirectoryFiles::InFolder(RepoPath("deploy/demo/directory"));
    sources.sub_icb_locations = {files.sub_icb_locations,
                                 *ReadFileToString(files.sub_icb_locations)};
    sources.pcn_details = {files.pcn_details, *ReadFileToString(files.pcn_details)};
    sources.core_partners = {files.core_partners, *ReadFileToString(files.core_partners)};
    sources.postcode_coverage = {files.postcode_coverage,
                                 *ReadFileToString(files.postcode_coverage)};
    sources.link_workers = {files.link_workers, *ReadFileToString(files.link_workers)};
    directory = *BuildDirectory(sources, compiler);
    policy = *LoadRoutingPolicy(RepoPath("deploy/demo/routing_policy.textproto"), compiler);
    router = *Router::CreateForDirectory(directory, policy);
    // Give every link worker a different load so no decision is a pure tie.
    int i = 0;
    for (const LinkWorker& w : directory->link_workers()) {
      caseload.SetLoad(w.id, {(i * 7) % 40, (i * 3) % 15});
      ++i;
    }
    caseload.RecordAccepted("lw-u99005-02", "person-continuing");
  }
  FakeConceptCompiler compiler;
  DirectorySources sources;
  std::shared_ptr<const Directory> directory;
  std::shared_ptr<const RoutingPolicy> policy;
  std::unique_ptr<Router> router;
  InMemoryCaseload caseload;
};

Demo& GetDemo() {
  static Demo* demo = new Demo();
  return *demo;
}

RoutingRequest GpRequest() {
  RoutingRequest r;
  r.referral_date = absl::CivilDay(2025, 5, 1);
  r.practice_code = "Y99017";
  r.source_type = SourceType::kGpPractice;
  r.reasons = {kSocialProblem};
  r.age_years = 45;
  r.person_key = "person-new";
  return r;
}

void BM_Baseline_LookupsOnly(benchmark::State& state) {
  Demo& demo = GetDemo();
  const RoutingRequest r = GpRequest();
  for (auto _ : state) {
    std::shared_ptr<const Directory> dir = demo.directory;
    const Pcn* pcn = dir->PcnForPractice(*r.practice_code, r.referral_date);
    const LinkWorker* best = nullptr;
    double best_ratio = 2;
    for (const LinkWorker* w : dir->LinkWorkersInPcn(pcn->code)) {
      const LinkWorkerLoad load = *demo.caseload.LoadOf(w->id, r.referral_date);
      const double ratio = static_cast<double>(load.accepted_this_year) / w->annual_cap;
      if (ratio < best_ratio) best = w, best_ratio = ratio;
    }
    benchmark::DoNotOptimize(best);
    benchmark::DoNotOptimize(*demo.caseload.OpenEpisodeLinkWorker(r.person_key));
  }
}
BENCHMARK(BM_Baseline_LookupsOnly);

void RouteLoop(benchmark::State& state, const RoutingRequest& r) {
  Demo& demo = GetDemo();
  for (auto _ : state) {
    absl::StatusOr<RoutingDecision> d = demo.router->Route(r, demo.caseload);
    benchmark::DoNotOptimize(d);
  }
}

void BM_Route_DefaultPath(benchmark::State& state) { RouteLoop(state, GpRequest()); }
BENCHMARK(BM_Route_DefaultPath);

void BM_Route_SpecialismRule(benchmark::State& state) {
  RoutingRequest r = GpRequest();
  r.reasons = {kFinancialProblem, kFeelingLonely};
  RouteLoop(state, r);
}
BENCHMARK(BM_Route_SpecialismRule);

void BM_Route_PostcodeSector(benchmark::State& state) {
  RoutingRequest r = GpRequest();
  r.practice_code.reset();
  r.postcode = "ZW1 9QT";
  RouteLoop(state, r);
}
BENCHMARK(BM_Route_PostcodeSector);

void BM_Route_HomelessToTriage(benchmark::State& state) {
  RoutingRequest r = GpRequest();
  r.practice_code.reset();
  r.postcode = "ZZ99 3VZ";
  r.reasons = {kHomeless};
  RouteLoop(state, r);
}
BENCHMARK(BM_Route_HomelessToTriage);

void BM_Route_Continuity(benchmark::State& state) {
  RoutingRequest r = GpRequest();
  r.person_key = "person-continuing";
  RouteLoop(state, r);
}
BENCHMARK(BM_Route_Continuity);

void BM_BuildDemoDirectory(benchmark::State& state) {
  Demo& demo = GetDemo();
  for (auto _ : state) benchmark::DoNotOptimize(BuildDirectory(demo.sources, demo.compiler));
}
BENCHMARK(BM_BuildDemoDirectory);

}  // namespace
}  // namespace sprout::routing

BENCHMARK_MAIN();
