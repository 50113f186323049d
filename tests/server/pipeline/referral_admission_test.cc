// Backpressure through the real pipeline (starter SNOMED release, demo
// directory and policy, SQLite in a temp dir): a flood from one organisation
// is refused while another is served; a full PCN refuses while another PCN
// accepts; refusals store nothing.
#include <cstdlib>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/admission/agency_rate_limiter.h"
#include "server/admission/queue_limiter.h"
#include "server/common/errors.h"
#include "server/intake/code_maps.h"
#include "server/pipeline/ecl_predicate_compiler.h"
#include "server/pipeline/referral_pipeline.h"
#include "server/pipeline/waiting_count.h"
#include "server/routing/directory_loader.h"
#include "server/routing/routing_config.h"
#include "server/routing/routing_policy_text.h"
#include "server/store/sqlite/sqlite_store.h"
#include "snomed/terminology_holder.h"
#include "tests/integration/test_referrals.h"
#include "tests/repo_path.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::pipeline {
namespace {

using ::sprout::testing::RepoPath;

// Valid NHS numbers (check digit), one person each.
const char* const kNhsNumbers[] = {"9434765919", "9000000009", "9434765870", "4010232137"};

// The shared GP referral sent by `practice` for a patient registered and
// living there, for loneliness alone, the referrer's organisation stamped as
// the API would.
sprout::v1::Referral GpReferral(const std::string& practice, const std::string& nhs_number) {
  sprout::v1::Referral r = ::sprout::testing::GpReferral(nhs_number);
  r.mutable_patient()->set_registered_practice_code(practice);
  r.mutable_patient()->mutable_address()->set_postcode(practice == "Y99001" ? "ZW1 4AB"
                                                                            : "ZW2 4AB");
  r.mutable_referrer()->set_organisation_code(practice);
  r.clear_reasons();
  r.add_reasons()->set_snomed_code("267076002");  // Feeling lonely
  return r;
}

absl::Duration RetryDelayOf(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryInfoTypeUrl);
  google::rpc::RetryInfo retry;
  if (!payload || !retry.ParseFromString(std::string(*payload))) return absl::Seconds(-1);
  return absl::Seconds(retry.retry_delay().seconds()) +
         absl::Nanoseconds(retry.retry_delay().nanos());
}

std::string MetadataOf(const absl::Status& status, const std::string& key) {
  google::rpc::ErrorInfo info;
  auto payload = status.GetPayload(kErrorInfoTypeUrl);
  if (!payload || !info.ParseFromString(std::string(*payload))) return "";
  auto it = info.metadata().find(key);
  return it == info.metadata().end() ? "" : it->second;
}

class ReferralAdmissionTest : public ::testing::Test {
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

    dir_ = ::testing::TempDir() + "/admission_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store::SqliteStoreOptions store_options;
    store_options.cipher = ::sprout::store::testing::TestBodyCipher();
    store_options.path = dir_ + "/sprout.db";
    auto store = store::OpenSqliteStore(store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  void TearDown() override {
    if (store_ != nullptr) store_->Shutdown();
  }

  // A pipeline over the fixture's parts with the given limiters (may be null).
  std::unique_ptr<ReferralPipeline> MakePipeline(admission::AgencyRateLimiter* agency_limits,
                                                 admission::QueueLimiter* queue_limits) {
    PipelineDeps deps;
    deps.intake = intake_.get();
    deps.routing_config = routing_.get();
    deps.store = store_.get();
    deps.clock = &clock_;
    deps.ids = &ids_;
    deps.person_hasher = &hasher_;
    deps.agency_limits = agency_limits;
    deps.queue_limits = queue_limits;
    return std::make_unique<ReferralPipeline>(deps);
  }

  // A queue limiter counting waiting items in the fixture's store.
  std::unique_ptr<admission::QueueLimiter> MakeQueueLimiter(int64_t max_waiting) {
    admission::QueueLimits limits;
    limits.max_waiting = max_waiting;
    store::Store* store = store_.get();
    return std::make_unique<admission::QueueLimiter>(
        limits, [store](absl::string_view queue) { return CountWaitingItems(*store, queue); },
        &clock_);
  }

  static absl::StatusOr<store::SubmitOutcome> Submit(const ReferralPipeline& pipeline,
                                                     const std::string& request_id,
                                                     const sprout::v1::Referral& referral,
                                                     const auth::Principal& caller) {
    absl::Notification done;
    absl::StatusOr<store::SubmitOutcome> result = absl::UnknownError("not called");
    pipeline.SubmitAsync(request_id, referral, caller, [&](absl::StatusOr<store::SubmitOutcome> r) {
      result = std::move(r);
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  int64_t Waiting(const std::string& queue) {
    absl::StatusOr<int64_t> n = CountWaitingItems(*store_, queue);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 3, 2, 10, 0, 0), absl::UTCTimeZone())};
  SequentialIdGenerator ids_{"t"};
  KeyedHasher hasher_{std::string(32, 'k')};
  const auth::Principal northgate_{"Y99001", auth::Role::kReferrer, ""};  // PCN U99001
  const auth::Principal riverside_{"Y99005", auth::Role::kReferrer, ""};  // PCN U99002
  std::string dir_;
  std::unique_ptr<snomed::TerminologyHolder> terminology_;
  std::unique_ptr<EclPredicateCompiler> compiler_;
  std::unique_ptr<routing::RoutingConfigHolder> routing_;
  std::unique_ptr<intake::IntakeHolder> intake_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(ReferralAdmissionTest, FloodFromOneOrganisationIsRefusedWhileAnotherIsServed) {
  admission::AgencyRateLimits limits;
  limits.rate_per_second = 1;
  limits.burst = 2;
  admission::AgencyRateLimiter agency_limits(limits, &clock_);
  std::unique_ptr<ReferralPipeline> pipeline = MakePipeline(&agency_limits, nullptr);

  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<store::SubmitOutcome> ok =
        Submit(*pipeline, absl::StrCat("ng-", i), GpReferral("Y99001", kNhsNumbers[i]), northgate_);
    ASSERT_TRUE(ok.ok()) << ok.status();
  }
  for (int i = 2; i < 20; ++i) {
    absl::StatusOr<store::SubmitOutcome> refused = Submit(
        *pipeline, absl::StrCat("ng-", i), GpReferral("Y99001", kNhsNumbers[i % 4]), northgate_);
    ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
    EXPECT_EQ(ErrorReasonOf(refused.status()), "AGENCY_RATE_LIMITED");
    EXPECT_EQ(MetadataOf(refused.status(), "organisation"), "Y99001");
    EXPECT_EQ(RetryDelayOf(refused.status()), absl::Seconds(1));
  }
  EXPECT_EQ(Waiting("pcns/U99001"), 2);  // the refusals stored nothing

  // Another practice, at the same moment, is served in full (other people:
  // an open episode would keep Northgate's PCN).
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<store::SubmitOutcome> ok = Submit(
        *pipeline, absl::StrCat("rs-", i), GpReferral("Y99005", kNhsNumbers[i + 2]), riverside_);
    ASSERT_TRUE(ok.ok()) << ok.status();
    EXPECT_EQ(ok->referral.route().pcn(), "pcns/U99002");
  }

  // One second later Northgate has exactly one more token.
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(Submit(*pipeline, "ng-late", GpReferral("Y99001", kNhsNumbers[2]), northgate_).ok());
  EXPECT_EQ(Submit(*pipeline, "ng-later", GpReferral("Y99001", kNhsNumbers[3]), northgate_)
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
}

TEST_F(ReferralAdmissionTest, PcnAtItsLimitRefusesWhileAnotherPcnAccepts) {
  std::unique_ptr<admission::QueueLimiter> queue_limits = MakeQueueLimiter(2);
  std::unique_ptr<ReferralPipeline> pipeline = MakePipeline(nullptr, queue_limits.get());

  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<store::SubmitOutcome> ok =
        Submit(*pipeline, absl::StrCat("ng-", i), GpReferral("Y99001", kNhsNumbers[i]), northgate_);
    ASSERT_TRUE(ok.ok()) << ok.status();
    ASSERT_EQ(ok->referral.route().pcn(), "pcns/U99001");
  }
  absl::StatusOr<store::SubmitOutcome> refused =
      Submit(*pipeline, "ng-2", GpReferral("Y99001", kNhsNumbers[2]), northgate_);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_EQ(ErrorReasonOf(refused.status()), "PCN_QUEUE_FULL");
  EXPECT_EQ(MetadataOf(refused.status(), "queue"), "pcns/U99001");
  EXPECT_GT(RetryDelayOf(refused.status()), absl::ZeroDuration());
  EXPECT_EQ(Waiting("pcns/U99001"), 2);

  // The same caller's referral for a patient of another PCN goes through.
  absl::StatusOr<store::SubmitOutcome> elsewhere =
      Submit(*pipeline, "rs-0", GpReferral("Y99005", kNhsNumbers[3]), riverside_);
  ASSERT_TRUE(elsewhere.ok()) << elsewhere.status();
  EXPECT_EQ(elsewhere->referral.route().pcn(), "pcns/U99002");
  EXPECT_EQ(Waiting("pcns/U99002"), 1);
}

TEST_F(ReferralAdmissionTest, ReplayDoesNotTakeASecondPlace) {
  std::unique_ptr<admission::QueueLimiter> queue_limits = MakeQueueLimiter(2);
  std::unique_ptr<ReferralPipeline> pipeline = MakePipeline(nullptr, queue_limits.get());
  const sprout::v1::Referral first = GpReferral("Y99001", kNhsNumbers[0]);
  ASSERT_TRUE(Submit(*pipeline, "ng-0", first, northgate_).ok());
  absl::StatusOr<store::SubmitOutcome> replay = Submit(*pipeline, "ng-0", first, northgate_);
  ASSERT_TRUE(replay.ok()) << replay.status();
  EXPECT_TRUE(replay->replayed);
  EXPECT_EQ(queue_limits->Occupancy("pcns/U99001"), 1);
  EXPECT_TRUE(Submit(*pipeline, "ng-1", GpReferral("Y99001", kNhsNumbers[1]), northgate_).ok());
  EXPECT_FALSE(Submit(*pipeline, "ng-2", GpReferral("Y99001", kNhsNumbers[2]), northgate_).ok());
}

TEST_F(ReferralAdmissionTest, NewLimiterCountsWhatTheStoreAlreadyHolds) {
  {
    std::unique_ptr<ReferralPipeline> unlimited = MakePipeline(nullptr, nullptr);
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(Submit(*unlimited, absl::StrCat("ng-", i), GpReferral("Y99001", kNhsNumbers[i]),
                         northgate_)
                      .ok());
    }
  }
  // As after a restart: the waiting items are counted from the store.
  std::unique_ptr<admission::QueueLimiter> queue_limits = MakeQueueLimiter(3);
  std::unique_ptr<ReferralPipeline> pipeline = MakePipeline(nullptr, queue_limits.get());
  absl::StatusOr<store::SubmitOutcome> refused =
      Submit(*pipeline, "ng-3", GpReferral("Y99001", kNhsNumbers[3]), northgate_);
  EXPECT_EQ(ErrorReasonOf(refused.status()), "PCN_QUEUE_FULL") << refused.status();
  EXPECT_EQ(queue_limits->Occupancy("pcns/U99001"), 3);
}

}  // namespace
}  // namespace sprout::pipeline
