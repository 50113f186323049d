// Cost of intake per referral, against the baseline of copying the same
// message (Process() copies its input once). A program, not a test:
//   build-intake/tests/server/intake/intake_bench --benchmark_repetitions=3
// Run from the repository root (loads the starter release and demo maps).
#include "benchmark/benchmark.h"
#include "server/intake/intake.h"
#include "server/intake/validator.h"
#include "tests/server/intake/starter.h"
#include "tests/server/intake/test_referrals.h"

namespace sprout::intake {
namespace {

const ReferralIntake& Intake() {
  static const ReferralIntake* intake = [] {
    static FakeClock clock(testing::TestNow());
    auto created = ReferralIntake::Create(testing::StarterRelease(), testing::DemoCodeMaps(),
                                          &clock, IntakeOptions());
    if (!created.ok()) std::abort();
    return created->release();
  }();
  return *intake;
}

sprout::v1::Referral Case(int which) {
  switch (which) {
    case 0:
      return testing::ValidGpReferral();  // SNOMED code + exact free text
    case 1:
      return testing::ValidPoliceReferral();  // local code
    case 2:
      return testing::ValidSelfReferral();  // ambiguous free text
    default: {
      sprout::v1::Referral r = testing::ValidGpReferral();  // two violations
      r.mutable_patient()->set_nhs_number("9434765918");
      r.mutable_reasons(0)->set_snomed_code("24700007");
      return r;
    }
  }
}

void BM_CopyReferral(benchmark::State& state) {
  const sprout::v1::Referral r = Case(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    sprout::v1::Referral copy = r;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_CopyReferral)->DenseRange(0, 3);

void BM_ValidateReferral(benchmark::State& state) {
  const sprout::v1::Referral r = Case(static_cast<int>(state.range(0)));
  ValidationContext context;
  context.now = testing::TestNow();
  for (auto _ : state) benchmark::DoNotOptimize(ValidateReferral(r, context));
}
BENCHMARK(BM_ValidateReferral)->DenseRange(0, 3);

void BM_Process(benchmark::State& state) {
  const sprout::v1::Referral r = Case(static_cast<int>(state.range(0)));
  const ReferralIntake& intake = Intake();
  for (auto _ : state) benchmark::DoNotOptimize(intake.Process(r));
}
BENCHMARK(BM_Process)->DenseRange(0, 3);

}  // namespace
}  // namespace sprout::intake

BENCHMARK_MAIN();
