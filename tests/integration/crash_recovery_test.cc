// Nothing acknowledged is lost, nothing is stored twice: sproutd is killed
// with SIGKILL while clients submit as fast as they can, then restarted, again
// and again. After each restart every referral the server acknowledged is
// present exactly once, a retry of an acknowledged request_id returns the
// original, and a retry of one that was in flight when the server died either
// returns what was committed or commits it now, never a second copy.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/test_backends.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

using testing::Backend;

constexpr int kRounds = 4;
constexpr int kClients = 8;

std::unique_ptr<grpc::ClientContext> Context(int seconds) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return context;
}

sprout::v1::SubmitReferralRequest RequestFor(int64_t n) {
  sprout::v1::SubmitReferralRequest request;
  request.set_request_id(absl::StrCat("crash-", n));
  *request.mutable_referral() = testing::GpReferral(testing::TestNhsNumber(n));
  return request;
}

// What the clients know: referrals acknowledged (request number -> name) and
// requests sent without an answer.
struct Ledger {
  std::mutex mu;
  std::map<int64_t, std::string> acknowledged;
  std::set<int64_t> unanswered;
};

// The clients, the server's life and the checks; the tests below decide
// what goes wrong.
class CrashRecoveryFixture {
 protected:
  // Makes a fresh folder and database for `backend`; skips the test when the
  // backend is PostgreSQL and no server is available.
  void Prepare(Backend backend) {
    if (backend == Backend::kPostgres && testing::PostgresDsnFromEnv().empty()) {
      GTEST_SKIP() << "SPROUT_TEST_PG_DSN is unset; deploy/test starts a PostgreSQL and sets it";
    }
    dir_ = absl::StrCat(::testing::TempDir(), "/crash_", testing::BackendName(backend));
    std::filesystem::remove_all(dir_);
    absl::StatusOr<std::vector<std::string>> flags =
        testing::StoreFlags(backend, "sprout_crash_test");
    ASSERT_TRUE(flags.ok()) << flags.status();
    flags_ = *flags;
    // One practice submits as fast as it can: lift the per-agency and
    // per-PCN limits, which are not what this test is about.
    flags_.push_back("--agency_rate_per_second=0");
    flags_.push_back("--pcn_queue_limit=0");
  }

  std::unique_ptr<testing::SproutdProcess> StartServer() {
    absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> started =
        testing::SproutdProcess::Start(dir_, flags_);
    EXPECT_TRUE(started.ok()) << started.status();
    return started.ok() ? *std::move(started) : nullptr;
  }

  // Submits from kClients threads until told to stop. A failed call ends
  // its thread (the server is gone), unless `persist`: then the client
  // retries the same request_id until it is answered, as a real one would
  // through an outage of the database.
  void Load(testing::SproutdProcess& server, std::atomic<int64_t>& next, std::atomic<bool>& stop,
            Ledger& ledger, bool persist = false) {
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&] {
        auto stub = sprout::v1::ReferralService::NewStub(server.Channel("gp"));
        while (!stop.load()) {
          const int64_t n = next.fetch_add(1);
          {
            std::lock_guard<std::mutex> lock(ledger.mu);
            ledger.unanswered.insert(n);
          }
          sprout::v1::SubmitReferralResponse response;
          grpc::Status status = stub->SubmitReferral(Context(10).get(), RequestFor(n), &response);
          while (persist && !status.ok() && !stop.load()) {
            absl::SleepFor(absl::Milliseconds(50));
            status = stub->SubmitReferral(Context(10).get(), RequestFor(n), &response);
          }
          if (!status.ok()) return;  // n stays unanswered
          std::lock_guard<std::mutex> lock(ledger.mu);
          ledger.unanswered.erase(n);
          ledger.acknowledged[n] = response.referral().name();
        }
      });
    }
    for (std::thread& t : clients) t.join();
  }

  // Retries what was in flight, and checks acknowledged ones replay.
  void Reconcile(testing::SproutdProcess& server, Ledger& ledger) {
    auto stub = sprout::v1::ReferralService::NewStub(server.Channel("gp"));
    std::lock_guard<std::mutex> lock(ledger.mu);
    for (int64_t n : ledger.unanswered) {
      sprout::v1::SubmitReferralResponse response;
      grpc::Status status = stub->SubmitReferral(Context(30).get(), RequestFor(n), &response);
      ASSERT_TRUE(status.ok()) << "retry of request " << n << ": " << status.error_message();
      ledger.acknowledged[n] = response.referral().name();
    }
    ledger.unanswered.clear();
    for (const auto& [n, name] : ledger.acknowledged) {
      sprout::v1::SubmitReferralResponse response;
      grpc::Status status = stub->SubmitReferral(Context(30).get(), RequestFor(n), &response);
      ASSERT_TRUE(status.ok()) << "replay of request " << n << ": " << status.error_message();
      EXPECT_TRUE(response.replayed()) << "request " << n;
      EXPECT_EQ(response.referral().name(), name) << "request " << n;
    }
  }

  // Every stored referral of the submitting practice, by name, with counts.
  std::map<std::string, int> StoredReferrals(testing::SproutdProcess& server) {
    auto stub = sprout::v1::ReferralService::NewStub(server.Channel("gp"));
    std::map<std::string, int> stored;
    sprout::v1::ListReferralsRequest request;
    request.set_page_size(500);
    while (true) {
      sprout::v1::ListReferralsResponse page;
      grpc::Status status = stub->ListReferrals(Context(30).get(), request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const auto& r : page.referrals()) ++stored[r.name()];
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    return stored;
  }

  // After the load: in-flight requests retried, every acknowledged referral
  // stored exactly once, nothing else stored, the audit chain intact.
  void ExpectEveryAcknowledgedReferralOnce(testing::SproutdProcess& server, Ledger& ledger) {
    Reconcile(server, ledger);
    const std::map<std::string, int> stored = StoredReferrals(server);
    std::set<std::string> acknowledged;
    for (const auto& [n, name] : ledger.acknowledged) acknowledged.insert(name);
    EXPECT_EQ(acknowledged.size(), ledger.acknowledged.size()) << "two requests share a referral";
    EXPECT_GT(acknowledged.size(), static_cast<size_t>(kRounds)) << "the load never got going";
    for (const std::string& name : acknowledged) {
      auto it = stored.find(name);
      ASSERT_NE(it, stored.end()) << name << " was acknowledged but is missing";
      EXPECT_EQ(it->second, 1) << name;
    }
    // Nothing stored that no client ever had acknowledged after reconciling.
    EXPECT_EQ(stored.size(), acknowledged.size());

    auto admin = sprout::v1::AdminService::NewStub(server.Channel("admin"));
    sprout::v1::VerifyAuditLogResponse audit;
    ASSERT_TRUE(admin->VerifyAuditLog(Context(60).get(), {}, &audit).ok());
    EXPECT_TRUE(audit.intact()) << audit.message();
  }

  std::string dir_;
  std::vector<std::string> flags_;
};

class CrashRecoveryTest : public CrashRecoveryFixture, public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { Prepare(GetParam()); }
};

class DatabaseRestartTest : public CrashRecoveryFixture, public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("SPROUT_TEST_PG_CTL") == nullptr) {
      GTEST_SKIP() << "SPROUT_TEST_PG_CTL is unset; deploy/test starts a PostgreSQL and sets it";
    }
    Prepare(Backend::kPostgres);
  }
};

TEST_P(CrashRecoveryTest, KillNineUnderLoadLosesAndDuplicatesNothing) {
  std::mt19937 random(20261121);
  std::uniform_int_distribution<int> kill_after_ms(300, 1200);
  Ledger ledger;
  std::atomic<int64_t> next{1};
  for (int round = 0; round < kRounds; ++round) {
    std::unique_ptr<testing::SproutdProcess> server = StartServer();
    ASSERT_NE(server, nullptr);
    Reconcile(*server, ledger);
    std::atomic<bool> stop{false};
    std::thread load([&] { Load(*server, next, stop, ledger); });
    absl::SleepFor(absl::Milliseconds(kill_after_ms(random)));
    server->Kill();
    stop.store(true);
    load.join();
  }

  std::unique_ptr<testing::SproutdProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  ExpectEveryAcknowledgedReferralOnce(*server, ledger);
  EXPECT_EQ(server->Stop(), 0);
  std::cout << "[ info ] " << ledger.acknowledged.size() << " referrals over " << kRounds
            << " kills, none lost or repeated\n";
}

// PostgreSQL itself crashes and restarts twice while clients submit through
// sproutd, retrying what fails with the same request_id.
TEST_F(DatabaseRestartTest, PostgresRestartUnderLoadLosesAndDuplicatesNothing) {
  const char* ctl = std::getenv("SPROUT_TEST_PG_CTL");
  Ledger ledger;
  std::atomic<int64_t> next{1};
  std::unique_ptr<testing::SproutdProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  std::atomic<bool> stop{false};
  std::thread load([&] { Load(*server, next, stop, ledger, /*persist=*/true); });
  for (int round = 0; round < 2; ++round) {
    absl::SleepFor(absl::Milliseconds(700));
    // An immediate stop is a crash for PostgreSQL: in-flight transactions
    // are cut off, and it recovers from its WAL on start.
    ASSERT_EQ(std::system(absl::StrCat(ctl, " stop -m immediate >/dev/null").c_str()), 0);
    absl::SleepFor(absl::Seconds(1));
    ASSERT_EQ(std::system(absl::StrCat(ctl, " start >/dev/null").c_str()), 0);
  }
  absl::SleepFor(absl::Seconds(2));  // sproutd reconnects and the load resumes
  stop.store(true);
  load.join();
  ExpectEveryAcknowledgedReferralOnce(*server, ledger);
  EXPECT_EQ(server->Stop(), 0);
  std::cout << "[ info ] " << ledger.acknowledged.size()
            << " referrals over 2 database restarts, none lost or repeated\n";
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashRecoveryTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return testing::BackendName(info.param);
                         });

}  // namespace
}  // namespace sprout
