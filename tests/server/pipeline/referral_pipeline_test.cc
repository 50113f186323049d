// The pipeline over real components: the starter SNOMED release, the demo
// directory and policy, the demo code maps and a SQLite file in a temp dir.
#include "server/pipeline/referral_pipeline.h"

#include <cstdlib>
#include <filesystem>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/intake/code_maps.h"
#include "server/pipeline/ecl_predicate_compiler.h"
#include "server/routing/directory_loader.h"
#include "server/routing/routing_policy_text.h"
#include "server/store/sqlite/sqlite_store.h"
#include "snomed/terminology_holder.h"
#include "tests/integration/test_referrals.h"
#include "tests/repo_path.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::pipeline {
namespace {

using ::sprout::testing::RepoPath;

// The shared GP referral as the API hands it on (the referrer's organisation
// stamped from the caller's certificate), for loneliness alone, so no
// specialism rule picks the link worker and load alone decides.
sprout::v1::Referral GpReferral(const std::string& nhs_number) {
  sprout::v1::Referral r = ::sprout::testing::GpReferral(nhs_number);
  r.mutable_referrer()->set_organisation_code("Y99001");
  r.clear_reasons();
  r.add_reasons()->set_snomed_code("267076002");  // Feeling lonely
  return r;
}

class ReferralPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    snomed::LoadOptions load;
    load.release_dirs = {RepoPath("snomed/data/starter")};
    auto terminology = snomed::Terminology::Load(load);
    ASSERT_TRUE(terminology.ok()) << terminology.status();
    terminology_ = std::make_unique<snomed::TerminologyHolder>(*terminology);
    compiler_ = std::make_unique<EclPredicateCompiler>(terminology_.get());

    auto directory = routing::LoadDirectory(
        routing::DirectoryFiles::InFolder(RepoPath("deploy/demo/directory")), *compiler_);
    ASSERT_TRUE(directory.ok()) << directory.status();
    auto policy =
        routing::LoadRoutingPolicy(RepoPath("deploy/demo/routing_policy.textproto"), *compiler_);
    ASSERT_TRUE(policy.ok()) << policy.status();
    auto config = routing::MakeRoutingConfig(*directory, *policy);
    ASSERT_TRUE(config.ok()) << config.status();
    routing_ = std::make_unique<routing::RoutingConfigHolder>(*config);

    auto maps = intake::CodeMaps::LoadDirectory(RepoPath("deploy/demo/codemaps"), **terminology);
    ASSERT_TRUE(maps.ok()) << maps.status();
    auto intake = intake::ReferralIntake::Create(*terminology, *maps, &clock_, {});
    ASSERT_TRUE(intake.ok()) << intake.status();
    intake_ = std::make_unique<intake::IntakeHolder>(*std::move(intake));

    const std::string dir = ::testing::TempDir() + "/pipeline_" +
                            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    store::SqliteStoreOptions store_options;
    store_options.cipher = ::sprout::store::testing::TestBodyCipher();
    store_options.path = dir + "/sprout.db";
    auto store = store::OpenSqliteStore(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);

    PipelineDeps deps;
    deps.intake = intake_.get();
    deps.routing_config = routing_.get();
    deps.store = store_.get();
    deps.clock = &clock_;
    deps.ids = &ids_;
    deps.person_hasher = &hasher_;
    pipeline_ = std::make_unique<ReferralPipeline>(deps);
  }

  void TearDown() override {
    if (store_ != nullptr) store_->Shutdown();
  }

  absl::StatusOr<store::SubmitOutcome> Submit(const std::string& request_id,
                                              const sprout::v1::Referral& referral) {
    absl::Notification done;
    absl::StatusOr<store::SubmitOutcome> result = absl::UnknownError("not called");
    pipeline_->SubmitAsync(request_id, referral, gp_, [&](absl::StatusOr<store::SubmitOutcome> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 3, 2, 10, 0, 0), absl::UTCTimeZone())};
  SequentialIdGenerator ids_{"t"};
  KeyedHasher hasher_{std::string(32, 'k')};
  const auth::Principal gp_{"Y99001", auth::Role::kReferrer, ""};
  std::unique_ptr<snomed::TerminologyHolder> terminology_;
  std::unique_ptr<EclPredicateCompiler> compiler_;
  std::unique_ptr<routing::RoutingConfigHolder> routing_;
  std::unique_ptr<intake::IntakeHolder> intake_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ReferralPipeline> pipeline_;
};

TEST_F(ReferralPipelineTest, PrepareCodesAndRoutesButStoresNothing) {
  absl::StatusOr<PreparedReferral> prepared = pipeline_->Prepare(GpReferral("9434765919"), gp_);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  EXPECT_EQ(prepared->referral.state(), sprout::v1::REFERRAL_STATE_QUEUED);
  EXPECT_EQ(prepared->referral.route().pcn(), "pcns/U99001");
  EXPECT_EQ(prepared->referral.route().pcn_display(), "Northgate Wrenfield PCN");
  EXPECT_EQ(prepared->decision.referral(), prepared->referral.name());
  EXPECT_FALSE(prepared->decision.explanation().steps().empty());
  EXPECT_EQ(prepared->queue_item.referral(), prepared->referral.name());
  EXPECT_EQ(prepared->queue_item.queue().rfind("pcns/U99001", 0), 0u);
  EXPECT_EQ(prepared->person_key.size(), 64u);
  const std::string id = prepared->referral.name().substr(std::string("referrals/").size());
  EXPECT_EQ(store_->GetReferral(id).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ReferralPipelineTest, SubmitCommitsReferralDecisionAndQueueItemTogether) {
  absl::StatusOr<store::SubmitOutcome> outcome = Submit("req-1", GpReferral("9434765919"));
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  const sprout::v1::Referral& referral = outcome->referral;
  const std::string id = referral.name().substr(std::string("referrals/").size());
  ASSERT_TRUE(store_->GetReferral(id).ok());
  const std::string decision_id =
      referral.route().decision().substr(std::string("routingDecisions/").size());
  absl::StatusOr<sprout::v1::RoutingDecision> decision = store_->GetRoutingDecision(decision_id);
  ASSERT_TRUE(decision.ok()) << decision.status();
  EXPECT_EQ(decision->route().pcn(), "pcns/U99001");
  auto items = store_->ListQueueItems("pcns/U99001", 50, "");
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->items.size(), 1u);
  EXPECT_EQ(items->items[0].referral(), referral.name());
}

TEST_F(ReferralPipelineTest, SecondReferralForTheSamePersonJoinsTheOpenEpisode) {
  absl::StatusOr<store::SubmitOutcome> first = Submit("req-a", GpReferral("9434765919"));
  ASSERT_TRUE(first.ok()) << first.status();
  sprout::v1::Referral again = GpReferral("943 476 5919");  // same number, other spacing
  again.mutable_reasons(0)->set_snomed_code("160932005");   // Financial problem
  absl::StatusOr<store::SubmitOutcome> second = Submit("req-b", again);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(first->referral.name(), second->referral.name());
  EXPECT_TRUE(second->referral.linked_to_existing_episode());
  EXPECT_EQ(second->referral.episode(), first->referral.episode());
  // Continuity: the open episode keeps its link worker.
  EXPECT_EQ(second->referral.route().link_worker(), first->referral.route().link_worker());
}

TEST_F(ReferralPipelineTest, WaitingReferralsCountTowardsLoadSoWorkIsSpread) {
  // Different people at the same practice with a reason no specialism covers
  // (161152002 |Social problem|), so every link worker of the PCN is equally
  // preferred: with every caseload empty, waiting items must spread the
  // referrals across them rather than pile them on one.
  const char* kNhsNumbers[] = {"9434765919", "9000000009", "9434765870", "4010232137"};
  std::set<std::string> workers;
  for (int i = 0; i < 4; ++i) {
    sprout::v1::Referral referral = GpReferral(kNhsNumbers[i]);
    referral.mutable_reasons(0)->set_snomed_code("161152002");
    absl::StatusOr<store::SubmitOutcome> outcome = Submit(absl::StrCat("spread-", i), referral);
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    workers.insert(outcome->referral.route().link_worker());
  }
  EXPECT_EQ(workers.size(), 4u);
}

TEST_F(ReferralPipelineTest, MissingRequestIdIsRefusedBeforeAnythingElse) {
  absl::StatusOr<store::SubmitOutcome> outcome = Submit("", GpReferral("9434765919"));
  ASSERT_EQ(outcome.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<FieldViolation> v = ViolationsOf(outcome.status());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "request_id");
}

TEST_F(ReferralPipelineTest, InvalidReferralIsRefusedWithEveryViolation) {
  sprout::v1::Referral bad = GpReferral("9434765918");  // wrong check digit
  bad.mutable_consent()->set_referral_agreed(false);
  absl::StatusOr<store::SubmitOutcome> outcome = Submit("req-bad", bad);
  ASSERT_EQ(outcome.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<FieldViolation> v = ViolationsOf(outcome.status());
  ASSERT_GE(v.size(), 2u);
  std::vector<std::string> fields;
  for (const FieldViolation& f : v) fields.push_back(f.field);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "referral.patient.nhs_number"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "referral.consent.referral_agreed"),
            fields.end());
  auto items = store_->ListQueueItems("pcns/U99001", 50, "");
  ASSERT_TRUE(items.ok());
  EXPECT_TRUE(items->items.empty());
}

// After a reload the next referral is routed, named and versioned by the new
// configuration, all from one snapshot.
TEST_F(ReferralPipelineTest, RoutesWithTheConfigurationInForce) {
  auto spec = routing::ParseRoutingPolicyText(R"(
    name: "reloaded"
    default_triage_sub_icb_location: "Z1W0A"
    rules { name: "gp-to-riverside" when { source_types: SOURCE_TYPE_GP_PRACTICE }
            then { route_to_pcn: "U99002" } }
  )",
                                              "reloaded.textproto");
  ASSERT_TRUE(spec.ok()) << spec.status();
  spec->version = "sha256:reloaded";
  auto policy = routing::RoutingPolicy::Create(*spec, *compiler_);
  ASSERT_TRUE(policy.ok()) << policy.status();
  const std::shared_ptr<const routing::RoutingConfig> before = routing_->Get();
  auto config = routing::MakeRoutingConfig(before->directory, *policy);
  ASSERT_TRUE(config.ok()) << config.status();
  routing_->Replace(*config);

  absl::StatusOr<PreparedReferral> prepared = pipeline_->Prepare(GpReferral("9434765919"), gp_);
  ASSERT_TRUE(prepared.ok()) << prepared.status();
  const sprout::v1::Route& route = prepared->referral.route();
  EXPECT_EQ(route.pcn(), "pcns/U99002");
  EXPECT_EQ(route.pcn_display(), "Riverside Wrenfield PCN");
  EXPECT_EQ(route.rule(), "gp-to-riverside");
  EXPECT_EQ(route.policy_version(), "sha256:reloaded");
  EXPECT_EQ(route.directory_version(), before->directory->version());
  EXPECT_EQ(prepared->decision.route().policy_version(), "sha256:reloaded");
}

}  // namespace
}  // namespace sprout::pipeline
