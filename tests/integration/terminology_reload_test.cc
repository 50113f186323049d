// Swapping in a new SNOMED CT release without a restart, end to end through
// the real sproutd binary over mutual TLS: referrals submitted throughout a
// reload are all stored and routed, the routing log shows decisions made on
// each release, GetRelease reports the new one; a release that no longer
// holds what the configuration names is refused, saying why, and the release
// in use stays; SIGHUP with --reload_terminology_on_sighup reloads too.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "snomed/synthetic_release.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "sprout/v1/terminology_service.grpc.pb.h"
#include "tests/integration/error_details.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/sqlite_peek.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using testing::GpReferral;
using ::testing::HasSubstr;
using testing::QueryInt;
using testing::TestNhsNumber;

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return context;
}

// Referrals stored so far, which the test can wait on.
class StoredCount {
 public:
  void Add() {
    absl::MutexLock lock(&mu_);
    ++count_;
  }
  int Get() const {
    absl::MutexLock lock(&mu_);
    return count_;
  }
  // Waits (up to 30 s) until the count reaches `n`; fails the test otherwise.
  void AwaitAtLeast(int n) const {
    absl::MutexLock lock(&mu_);
    auto reached = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return count_ >= n; };
    EXPECT_TRUE(mu_.AwaitWithTimeout(absl::Condition(&reached), absl::Seconds(30)))
        << "referrals stopped arriving: " << count_ << " of " << n;
  }

 private:
  mutable absl::Mutex mu_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

class TerminologyReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = ::testing::TempDir() + "/terminology_reload";
    fs::remove_all(work_);
    fs::create_directories(work_);
    // Two copies of the starter release under different names: the name is
    // the release's identity, so decisions on each can be told apart.
    release_a_ = work_ + "/uk-2025-10";
    release_b_ = work_ + "/uk-2026-04";
    fs::copy(testing::SourceDir() + "/snomed/data/starter", release_a_,
             fs::copy_options::recursive);
    fs::copy(testing::SourceDir() + "/snomed/data/starter", release_b_,
             fs::copy_options::recursive);
  }

  void Start(std::vector<std::string> extra = {}) {
    std::vector<std::string> flags = {"--snomed_release=" + release_a_};
    for (std::string& f : extra) flags.push_back(std::move(f));
    absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> started =
        testing::SproutdProcess::Start(work_ + "/server", flags);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
    admin_ = sprout::v1::AdminService::NewStub(server_->Channel("admin"));
    terminology_ = sprout::v1::TerminologyService::NewStub(server_->Channel("gp"));
  }

  void TearDown() override {
    if (server_ != nullptr) EXPECT_EQ(server_->Stop(), 0) << "sproutd did not exit cleanly";
  }

  grpc::Status Reload(std::vector<std::string> folders,
                      sprout::v1::ReloadTerminologyResponse* out) {
    sprout::v1::ReloadTerminologyRequest request;
    for (const std::string& f : folders) request.add_release_folders(f);
    return admin_->ReloadTerminology(Context().get(), request, out);
  }

  sprout::v1::Release Release() {
    sprout::v1::Release release;
    EXPECT_TRUE(terminology_->GetRelease(Context().get(), {}, &release).ok());
    return release;
  }

  // Every release named by a routing decision in the log.
  std::set<std::string> ReleasesInTheRoutingLog() {
    std::set<std::string> out;
    sprout::v1::QueryRoutingLogRequest request;
    request.set_page_size(500);
    for (int pages = 0; pages < 100; ++pages) {
      sprout::v1::QueryRoutingLogResponse page;
      grpc::Status status = admin_->QueryRoutingLog(Context().get(), request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const auto& d : page.decisions()) out.insert(d.terminology_release());
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return out;
  }

  std::string work_, release_a_, release_b_;
  std::unique_ptr<testing::SproutdProcess> server_;
  std::unique_ptr<sprout::v1::AdminService::Stub> admin_;
  std::unique_ptr<sprout::v1::TerminologyService::Stub> terminology_;
};

TEST_F(TerminologyReloadTest, ANewReleaseIsSwappedInWhileReferralsArriveAndNoneIsLost) {
  Start({"--agency_rate_per_second=0"});  // as fast as they can, not as fast as one agency may
  EXPECT_EQ(Release().id(), "uk-2025-10");
  EXPECT_THAT(Release().folders(), ElementsAre(release_a_));

  // Two referrers submit without pause throughout the reload.
  std::atomic<bool> stop{false};
  StoredCount stored;
  std::atomic<int> failed{0};
  std::vector<std::thread> submitters;
  for (int t = 0; t < 2; ++t) {
    submitters.emplace_back([&, t] {
      auto referrals = sprout::v1::ReferralService::NewStub(server_->Channel("gp"));
      for (int i = 0; !stop.load() || i < 5; ++i) {
        sprout::v1::SubmitReferralRequest request;
        request.set_request_id(absl::StrCat("reload-", t, "-", i));
        *request.mutable_referral() = GpReferral(TestNhsNumber(6000 + t * 1000 + i));
        sprout::v1::SubmitReferralResponse response;
        grpc::Status status = referrals->SubmitReferral(Context().get(), request, &response);
        if (status.ok()) {
          stored.Add();
        } else {
          failed.fetch_add(1);
        }
        if (!status.ok()) ADD_FAILURE() << status.error_code() << " " << status.error_message();
      }
    });
  }
  // Referrals are arriving before the reload starts and after it ends.
  stored.AwaitAtLeast(20);
  sprout::v1::ReloadTerminologyResponse reloaded;
  grpc::Status status = Reload({release_b_}, &reloaded);
  stored.AwaitAtLeast(stored.Get() + 20);
  stop = true;
  for (std::thread& t : submitters) t.join();

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reloaded.release(), "uk-2026-04 20251001");
  EXPECT_EQ(reloaded.previous_release(), "uk-2025-10 20251001");
  EXPECT_THAT(reloaded.folders(), ElementsAre(release_b_));
  EXPECT_GT(reloaded.concepts(), 100);
  EXPECT_GT(reloaded.routing_rules(), 0);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(QueryInt(server_->database_file(), "SELECT count(*) FROM referrals"), stored.Get());

  EXPECT_EQ(Release().id(), "uk-2026-04");
  EXPECT_THAT(Release().folders(), ElementsAre(release_b_));
  EXPECT_THAT(ReleasesInTheRoutingLog(),
              ::testing::IsSupersetOf({"uk-2025-10 20251001", "uk-2026-04 20251001"}));
  EXPECT_EQ(QueryInt(server_->database_file(),
                     "SELECT count(*) FROM audit_records WHERE action = 'ReloadTerminology' AND "
                     "outcome = 'OK'"),
            1);
}

TEST_F(TerminologyReloadTest, AReleaseThatNoLongerHoldsTheConfiguredConceptsIsRefused) {
  Start();
  snomed::SyntheticReleaseOptions synthetic;
  synthetic.out_dir = work_ + "/synthetic";
  synthetic.scale = 0.002;
  absl::StatusOr<snomed::SyntheticReleaseStats> written = snomed::WriteSyntheticRelease(synthetic);
  ASSERT_TRUE(written.ok()) << written.status();

  sprout::v1::ReloadTerminologyResponse reloaded;
  grpc::Status status = Reload({written->release_dir}, &reloaded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(),
              HasSubstr("the new release cannot replace uk-2025-10 20251001: "));
  EXPECT_THAT(status.error_message(), HasSubstr("not in the loaded SNOMED CT release"));
  EXPECT_EQ(testing::ErrorInfoOf(status).reason(), "TERMINOLOGY_RELOAD_REFUSED");

  // A folder that is not a release at all is refused too.
  status = Reload({work_ + "/no-such-release"}, &reloaded);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("SNOMED release: "));

  // Nothing changed: the release in use still codes and routes.
  EXPECT_EQ(Release().id(), "uk-2025-10");
  auto referrals = sprout::v1::ReferralService::NewStub(server_->Channel("gp"));
  sprout::v1::SubmitReferralRequest request;
  request.set_request_id("after-refusal");
  *request.mutable_referral() = GpReferral(TestNhsNumber(7000));
  sprout::v1::SubmitReferralResponse response;
  ASSERT_TRUE(referrals->SubmitReferral(Context().get(), request, &response).ok());
  EXPECT_EQ(response.referral().terminology_release(), "uk-2025-10 20251001");
  EXPECT_EQ(QueryInt(server_->database_file(),
                     "SELECT count(*) FROM audit_records WHERE action = 'ReloadTerminology' AND "
                     "outcome = 'FAILED_PRECONDITION'"),
            2);
}

TEST_F(TerminologyReloadTest, SighupReloadsTheReleaseWhenAskedTo) {
  Start({"--reload_terminology_on_sighup"});
  ASSERT_TRUE(server_->Signal(SIGHUP));
  const std::string sql =
      "SELECT count(*) FROM audit_records WHERE action = 'ReloadTerminology' AND "
      "actor_organisation = 'sproutd' AND outcome = 'OK'";
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (QueryInt(server_->database_file(), sql) < 1 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(QueryInt(server_->database_file(), sql), 1);
  EXPECT_EQ(Release().id(), "uk-2025-10");
}

}  // namespace
}  // namespace sprout
