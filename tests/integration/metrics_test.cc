// The Prometheus endpoint of the real sproutd: after a few calls, GET /metrics
// (over HTTP, through cpp-httplib) shows each RPC by method and code, errors
// by reason, stored referrals by source type, PCN and coding method, the
// versions in force and the WAL size, in the text exposition format, and no
// label or value carries anything of the test patients.
#include <httplib.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/sproutd_suite.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class MetricsTest : public testing::SproutdSuite<MetricsTest> {
 protected:
  static void SetUpTestSuite() { StartServer("metrics"); }

  static std::string Scrape() {
    absl::StatusOr<std::string> text = testing::ScrapeMetrics(server_->metrics_port());
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? *text : "";
  }

  static double Sample(const std::string& text, const std::string& series) {
    return testing::MetricSample(text, series);
  }
};

TEST_F(MetricsTest, CallsAndReferralsAreCountedByWhatTheyWere) {
  ASSERT_GT(server_->metrics_port(), 0);
  auto gp = v1::ReferralService::NewStub(server_->Channel("gp"));
  auto police = v1::ReferralService::NewStub(server_->Channel("police"));
  v1::SubmitReferralRequest request;
  v1::SubmitReferralResponse response;
  request.set_request_id("metrics-gp");
  *request.mutable_referral() = testing::GpReferral();
  ASSERT_TRUE(gp->SubmitReferral(Context().get(), request, &response).ok());
  // A replay is answered but not counted as a new referral.
  ASSERT_TRUE(gp->SubmitReferral(Context().get(), request, &response).ok());
  ASSERT_TRUE(response.replayed());
  request.set_request_id("metrics-police");
  *request.mutable_referral() = testing::PoliceReferral();
  ASSERT_TRUE(police->SubmitReferral(Context().get(), request, &response).ok());
  v1::GetReferralRequest get;
  get.set_name("referrals/does-not-exist");
  v1::Referral referral;
  ASSERT_EQ(gp->GetReferral(Context().get(), get, &referral).error_code(),
            grpc::StatusCode::NOT_FOUND);

  const std::string text = Scrape();
  EXPECT_EQ(Sample(text,
                   "sprout_rpc_handled_total{code=\"OK\",method=\"SubmitReferral\","
                   "service=\"ReferralService\"}"),
            3);
  EXPECT_EQ(Sample(text,
                   "sprout_rpc_handled_total{code=\"NOT_FOUND\",method=\"GetReferral\","
                   "service=\"ReferralService\"}"),
            1);
  EXPECT_EQ(
      Sample(text, "sprout_rpc_errors_total{method=\"GetReferral\",reason=\"REFERRAL_NOT_FOUND\"}"),
      1);
  EXPECT_EQ(Sample(text,
                   "sprout_rpc_duration_seconds_count{method=\"SubmitReferral\","
                   "service=\"ReferralService\"}"),
            3);
  EXPECT_EQ(Sample(text, "sprout_referrals_total{source_type=\"GP_PRACTICE\"}"), 1);
  EXPECT_EQ(Sample(text, "sprout_referrals_total{source_type=\"POLICE\"}"), 1);
  EXPECT_EQ(Sample(text, "sprout_referrals_routed_total{pcn=\"U99001\"}"), 1);
  EXPECT_EQ(Sample(text, "sprout_referrals_routed_total{pcn=\"U99003\"}"), 1);
  EXPECT_EQ(Sample(text, "sprout_coded_reasons_total{method=\"SNOMED\"}"), 2);
  EXPECT_EQ(Sample(text, "sprout_coded_reasons_total{method=\"LOCAL_MAP\"}"), 1);
  EXPECT_EQ(Sample(text, "sprout_pcn_queue_waiting{pcn=\"U99001\"}"), 1);
  EXPECT_EQ(Sample(text, "sprout_pcn_queue_waiting{pcn=\"U99003\"}"), 1);
  EXPECT_EQ(
      Sample(text,
             "sprout_terminology_release_info{release=\"starter\",effective_date=\"20251001\"}"),
      1);
  EXPECT_THAT(text, HasSubstr("sprout_build_info{version=\"0.1.0\",grpc=\""));
  EXPECT_THAT(text, HasSubstr("sprout_routing_config_info{directory_version=\"sha256:"));
  EXPECT_GT(Sample(text, "sprout_sqlite_wal_bytes"), 0);
  EXPECT_GE(Sample(text, "sprout_terminology_load_seconds"), 0);
  EXPECT_THAT(text, HasSubstr("# TYPE sprout_rpc_duration_seconds histogram"));
  // Two new referrals and a replay's audit record at least: committed
  // transactions, their sizes and COMMIT times; nothing left waiting.
  EXPECT_GE(Sample(text, "sprout_writer_transactions_total{outcome=\"committed\"}"), 2);
  EXPECT_GE(Sample(text, "sprout_writer_batch_jobs_count"), 2);
  EXPECT_GE(Sample(text, "sprout_writer_commit_seconds_count"), 2);
  EXPECT_GT(Sample(text, "sprout_writer_commit_seconds_sum"), 0);
  EXPECT_GE(Sample(text, "sprout_sqlite_fsync_seconds_count{file=\"wal\"}"), 2);
  EXPECT_GT(Sample(text, "sprout_sqlite_fsync_seconds_sum{file=\"wal\"}"), 0);
  EXPECT_EQ(Sample(text, "sprout_writer_queue_depth"), 0);
  // Nothing is overdue minutes after it was queued: the family, no series.
  EXPECT_THAT(text, HasSubstr("# TYPE sprout_overdue_items gauge"));
  EXPECT_THAT(text, Not(HasSubstr("sprout_overdue_items{")));
}

TEST_F(MetricsTest, NothingOfThePatientsAppears) {
  const std::string text = Scrape();
  ASSERT_THAT(text, HasSubstr("sprout_referrals_total"));
  const v1::Referral gp = testing::GpReferral();
  const v1::Referral police = testing::PoliceReferral();
  for (const v1::Referral* r : {&gp, &police}) {
    const v1::Patient& p = r->patient();
    for (const std::string& needle :
         {p.nhs_number(), p.given_name(), p.family_name(), p.address().postcode(),
          p.contact().phone(),
          std::string(p.address().lines().empty() ? "" : p.address().lines(0))}) {
      if (needle.empty()) continue;
      EXPECT_THAT(text, Not(HasSubstr(needle)));
    }
  }
}

TEST(MetricsEndpointTest, AnAddressInUseStopsStartUpNamingTheFlag) {
  httplib::Server holder;
  const int taken = holder.bind_to_any_port("127.0.0.1");
  ASSERT_GT(taken, 0);
  const std::string dir = ::testing::TempDir() + "/metrics_in_use";
  absl::StatusOr<testing::StartupFailure> run = testing::RunSproutdExpectingFailure(
      dir, {absl::StrCat("--metrics_listen=127.0.0.1:", taken)});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_NE(run->exit_code, 0);
  EXPECT_THAT(run->stderr_text, HasSubstr("--metrics_listen: cannot listen on 127.0.0.1:"));
}

}  // namespace
}  // namespace sprout
