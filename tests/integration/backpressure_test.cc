// Backpressure end to end through the real sproutd binary over mutual TLS:
// an organisation over its rate, and a referral for a full PCN, get
// RESOURCE_EXHAUSTED with RetryInfo and ErrorInfo in the status details and
// store nothing, while other PCNs and other organisations are served.

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/health_check.h"
#include "google/protobuf/util/time_util.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "sprout/v1/terminology_service.grpc.pb.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/sqlite_peek.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using testing::PoliceReferral;

using testing::CountRows;

// A GP referral for a patient of `practice` (Y99001 is in PCN U99001, Y99005
// in U99002).
sprout::v1::Referral GpReferral(const std::string& nhs_number, const std::string& practice,
                                const std::string& postcode) {
  sprout::v1::Referral r = testing::GpReferral(nhs_number);
  r.mutable_patient()->set_registered_practice_code(practice);
  r.mutable_patient()->mutable_address()->set_postcode(postcode);
  return r;
}

// The details a RESOURCE_EXHAUSTED status carries.
struct Refusal {
  bool has_retry_info = false;
  google::rpc::RetryInfo retry_info;
  bool has_error_info = false;
  google::rpc::ErrorInfo error_info;
};

Refusal RefusalOf(const grpc::Status& status) {
  Refusal refusal;
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&refusal.retry_info)) refusal.has_retry_info = true;
    if (any.UnpackTo(&refusal.error_info)) refusal.has_error_info = true;
  }
  return refusal;
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

grpc::Status Submit(sprout::v1::ReferralService::Stub& stub, const std::string& request_id,
                    const sprout::v1::Referral& referral,
                    sprout::v1::SubmitReferralResponse* response) {
  sprout::v1::SubmitReferralRequest request;
  request.set_request_id(request_id);
  *request.mutable_referral() = referral;
  return stub.SubmitReferral(Context().get(), request, response);
}

TEST(BackpressureTest, OverRateAndFullPcnAreRefusedWithRetryInfoOthersServed) {
  const std::string dir = ::testing::TempDir() + "/backpressure";
  std::filesystem::remove_all(dir);
  // One token per 100 s and three at once, so the four calls below see the
  // same bucket however slow the machine; one referral per PCN.
  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server = testing::SproutdProcess::Start(
      dir, {"--agency_rate_per_second=0.01", "--agency_burst=3", "--pcn_queue_limit=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto gp = sprout::v1::ReferralService::NewStub((*server)->Channel("gp"));

  // 1. Northgate's PCN takes its one referral.
  sprout::v1::SubmitReferralResponse first;
  grpc::Status ok = Submit(*gp, "bp-1", GpReferral("9434765919", "Y99001", "ZW1 4AB"), &first);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  ASSERT_EQ(first.referral().route().pcn(), "pcns/U99001");
  const std::string organisation = first.referral().referrer().organisation_code();

  // 2. A second referral for the same PCN: the PCN is full.
  sprout::v1::SubmitReferralResponse response;
  grpc::Status full = Submit(*gp, "bp-2", GpReferral("9000000009", "Y99001", "ZW1 4AB"), &response);
  ASSERT_EQ(full.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << full.error_message();
  Refusal pcn_full = RefusalOf(full);
  ASSERT_TRUE(pcn_full.has_error_info);
  EXPECT_EQ(pcn_full.error_info.reason(), "PCN_QUEUE_FULL");
  EXPECT_EQ(pcn_full.error_info.metadata().at("queue"), "pcns/U99001");
  ASSERT_TRUE(pcn_full.has_retry_info);
  EXPECT_GT(pcn_full.retry_info.retry_delay().seconds(), 0);

  // 3. The same GP's referral for a patient of another PCN is accepted.
  grpc::Status other_pcn =
      Submit(*gp, "bp-3", GpReferral("9434765870", "Y99005", "ZW2 4AB"), &response);
  ASSERT_TRUE(other_pcn.ok()) << other_pcn.error_message();
  EXPECT_EQ(response.referral().route().pcn(), "pcns/U99002");

  // 4. The practice has used its three calls: over its rate.
  grpc::Status limited =
      Submit(*gp, "bp-4", GpReferral("4010232137", "Y99005", "ZW2 4AB"), &response);
  ASSERT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << limited.error_message();
  Refusal over_rate = RefusalOf(limited);
  ASSERT_TRUE(over_rate.has_error_info);
  EXPECT_EQ(over_rate.error_info.reason(), "AGENCY_RATE_LIMITED");
  EXPECT_EQ(over_rate.error_info.domain(), "sprout");
  EXPECT_EQ(over_rate.error_info.metadata().at("organisation"), organisation);
  ASSERT_TRUE(over_rate.has_retry_info);
  const absl::Duration delay = absl::Nanoseconds(
      google::protobuf::util::TimeUtil::DurationToNanoseconds(over_rate.retry_info.retry_delay()));
  EXPECT_GT(delay, absl::ZeroDuration());
  EXPECT_LE(delay, absl::Seconds(100));
  EXPECT_EQ(CountRows((*server)->database_file(), "referrals"), 2);

  // 5. Another organisation, meanwhile, is served.
  auto police = sprout::v1::ReferralService::NewStub((*server)->Channel("police"));
  grpc::Status police_ok = Submit(*police, "bp-police-1", PoliceReferral(), &response);
  ASSERT_TRUE(police_ok.ok()) << police_ok.error_message();
  EXPECT_EQ(response.referral().route().pcn(), "pcns/U99003");
  EXPECT_EQ(CountRows((*server)->database_file(), "referrals"), 3);

  EXPECT_EQ((*server)->Stop(), 0) << "sproutd did not exit cleanly";
}

// Waits up to 30 s for sprout_calls_in_flight to reach `want`; the last value.
double AwaitCallsInFlight(const testing::SproutdProcess& server, double want) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  double seen = -1;
  while (absl::Now() < deadline) {
    seen = testing::ScrapeSample(server.metrics_port(), "sprout_calls_in_flight");
    if (seen == want) break;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return seen;
}

// A server at --max_calls_in_flight refuses the next call of any method at
// once with SERVER_BUSY and RetryInfo, stores nothing for it, and serves
// again as soon as the calls in flight end. The two calls are held in flight
// by taking SQLite's write lock from outside, so their commits wait.
TEST(BackpressureTest, AtItsCallLimitTheServerRefusesAtOnceAndServesAgainWhenCallsEnd) {
  const std::string dir = ::testing::TempDir() + "/calls_in_flight";
  std::filesystem::remove_all(dir);
  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server =
      testing::SproutdProcess::Start(dir, {"--max_calls_in_flight=2"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto gp = sprout::v1::ReferralService::NewStub((*server)->Channel("gp"));
  auto terminology = sprout::v1::TerminologyService::NewStub((*server)->Channel("gp"));
  sprout::v1::GetConceptRequest lookup;
  lookup.set_name("concepts/267076002");  // Feeling lonely
  sprout::v1::Concept concept_response;
  ASSERT_TRUE(terminology->GetConcept(Context().get(), lookup, &concept_response).ok());
  ASSERT_EQ(AwaitCallsInFlight(**server, 0), 0);

  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open((*server)->database_file().c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::vector<grpc::Status> held(2);
  std::vector<std::thread> senders;
  const char* const kNhsNumbers[] = {"9434765919", "9434765870"};
  for (int i = 0; i < 2; ++i) {
    senders.emplace_back([&, i] {
      sprout::v1::SubmitReferralResponse response;
      held[i] =
          Submit(*gp, absl::StrCat("held-", i), testing::GpReferral(kNhsNumbers[i]), &response);
    });
  }
  EXPECT_EQ(AwaitCallsInFlight(**server, 2), 2) << "the two submissions never waited together";

  // A third call, of another service, is refused at once; the health service
  // still answers, so a busy server is not taken for a dead one.
  const grpc::Status busy = terminology->GetConcept(Context().get(), lookup, &concept_response);
  absl::StatusOr<client::ServingStatus> health =
      client::CheckHealth(*(*server)->Channel("gp"), "", absl::Seconds(10));
  sprout::v1::SubmitReferralResponse response;
  const grpc::Status busy_submit =
      Submit(*gp, "held-2", testing::GpReferral("4010232137"), &response);
  ASSERT_EQ(sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(holder);
  for (std::thread& t : senders) t.join();

  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, client::ServingStatus::kServing);
  for (const grpc::Status& refused : {busy, busy_submit}) {
    ASSERT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << refused.error_message();
    Refusal refusal = RefusalOf(refused);
    ASSERT_TRUE(refusal.has_error_info);
    EXPECT_EQ(refusal.error_info.reason(), "SERVER_BUSY");
    ASSERT_TRUE(refusal.has_retry_info);
    EXPECT_GT(
        google::protobuf::util::TimeUtil::DurationToNanoseconds(refusal.retry_info.retry_delay()),
        0);
    EXPECT_NE(refused.error_message().find("--max_calls_in_flight"), std::string::npos);
  }
  // The held calls finished once the lock went (committed, or UNAVAILABLE had
  // the writer's busy timeout passed first); the refused one stored nothing.
  for (const grpc::Status& s : held) {
    EXPECT_TRUE(s.ok() || s.error_code() == grpc::StatusCode::UNAVAILABLE) << s.error_message();
  }
  const int committed = (held[0].ok() ? 1 : 0) + (held[1].ok() ? 1 : 0);
  EXPECT_EQ(CountRows((*server)->database_file(), "referrals"), committed);
  EXPECT_EQ(AwaitCallsInFlight(**server, 0), 0);
  ASSERT_TRUE(terminology->GetConcept(Context().get(), lookup, &concept_response).ok());
  EXPECT_EQ((*server)->Stop(), 0) << "sproutd did not exit cleanly";
}

TEST(BackpressureTest, UnusableLimitFlagsStopStartUp) {
  for (const char* flag :
       {"--agency_burst=0", "--agency_rate_per_second=-1", "--pcn_queue_limit=-5",
        "--max_calls_in_flight=-1", "--max_streams_per_connection=0"}) {
    const std::string dir = ::testing::TempDir() + "/backpressure_flags";
    std::filesystem::remove_all(dir);
    absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server =
        testing::SproutdProcess::Start(dir, {flag});
    ASSERT_FALSE(server.ok()) << flag;
    // Exit status 2: the options were refused before anything was loaded.
    EXPECT_NE(server.status().message().find("status 2"), std::string::npos)
        << flag << ": " << server.status();
  }
}

}  // namespace
}  // namespace sprout
