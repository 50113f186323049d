// Failover on one machine, natively: one PostgreSQL, two sproutd replicas and
// HAProxy in front, run from deploy/compose/haproxy.cfg as compose runs it.
// Submitters and queue watchers work through the load balancer; one replica is
// killed with SIGKILL mid-load. Then:
//  - every acknowledged referral is stored exactly once (retries reuse the
//    request id, so a submission whose answer was lost is replayed, not
//    stored twice), and none is lost;
//  - the watchers, resuming from their last sequence on the surviving
//    replica, see every referral's queue item added exactly once;
//  - the only errors clients see during the switch are UNAVAILABLE, which
//    gRPC clients retry.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/channel.h"
#include "client/client_options.h"
#include "gtest/gtest.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/test_backends.h"
#include "tests/integration/test_referrals.h"

namespace sprout {
namespace {

constexpr int kReferrals = 240;
constexpr int kSubmitters = 4;
constexpr int kWatchers = 2;

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t size = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

// HAProxy, run from deploy/compose/haproxy.cfg with the environment compose
// gives it, plus a stats socket to read the health checks' verdicts.
class LoadBalancer {
 public:
  LoadBalancer(const std::string& dir, const std::string& certs,
               const std::vector<std::string>& replicas)
      : stats_(dir + "/haproxy.stats"), port_(FreePort()) {
    std::ofstream(dir + "/stats.cfg")
        << "global\n    stats socket " << stats_ << " mode 600 level admin\n";
    pid_ = fork();
    if (pid_ == 0) {
      setenv("SPROUT_LB_LISTEN", absl::StrCat("127.0.0.1:", port_).c_str(), 1);
      setenv("SPROUTD_1", replicas[0].c_str(), 1);
      setenv("SPROUTD_2", replicas[1].c_str(), 1);
      setenv("SPROUT_CERTS", certs.c_str(), 1);
      if (freopen((dir + "/haproxy.log").c_str(), "w", stdout) == nullptr) _exit(127);
      dup2(fileno(stdout), fileno(stderr));
      const std::string config = testing::SourceDir() + "/deploy/compose/haproxy.cfg";
      const std::string extra = dir + "/stats.cfg";
      execlp("haproxy", "haproxy", "-db", "-f", config.c_str(), "-f", extra.c_str(), nullptr);
      _exit(127);
    }
  }
  ~LoadBalancer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }

  int port() const { return port_; }

  // The health checks' verdict on `server` ("UP", "DOWN", ...), "" if unknown.
  std::string Status(const std::string& server) const {
    const std::vector<std::string> row = StatRow(server);
    if (row.size() <= 17) return "";
    return row[17].substr(0, row[17].find(' '));  // "UP", "DOWN", "UP 1/2", ...
  }

  // The connections `server` holds now; -1 if unknown.
  int Sessions(const std::string& server) const {
    const std::vector<std::string> row = StatRow(server);
    int sessions = -1;
    return row.size() > 4 && absl::SimpleAtoi(row[4], &sessions) ? sessions : -1;
  }

  // Waits up to 30 s for `server` to be `status`; "UP" also needs a health
  // check to have passed (HAProxy counts a server UP before its first check).
  // HAProxy tells its state only when asked, so this asks every 100 ms.
  bool Await(const std::string& server, const std::string& status) const {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      const std::vector<std::string> row = StatRow(server);
      const bool checked = row.size() > 36 && absl::StartsWith(row[36], "L7OK");
      if (Status(server) == status && (status != "UP" || checked)) return true;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

 private:
  // `server`'s row of HAProxy's "show stat" CSV (pxname, svname, qcur, qmax,
  // scur, ..., status at 17, ..., check_status at 36); empty if not found.
  std::vector<std::string> StatRow(const std::string& server) const {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", stats_.c_str());
    std::string csv;
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
      const char command[] = "show stat\n";
      if (write(fd, command, sizeof(command) - 1) > 0) {
        char buffer[4096];
        for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;) csv.append(buffer, n);
      }
    }
    close(fd);
    for (absl::string_view line : absl::StrSplit(csv, '\n')) {
      std::vector<std::string> fields = absl::StrSplit(line, ',');
      if (fields.size() > 17 && fields[0] == "sproutd" && fields[1] == server) return fields;
    }
    return {};
  }

  const std::string stats_;
  const int port_;
  pid_t pid_ = -1;
};

// A WatchQueue through the load balancer that resumes after its last
// sequence whenever the stream ends, as a link worker's client would.
class ResumingWatch {
 public:
  explicit ResumingWatch(std::function<std::shared_ptr<grpc::Channel>()> channel)
      : channel_(std::move(channel)), thread_([this] { Run(); }) {}
  ~ResumingWatch() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
      if (context_ != nullptr) context_->TryCancel();
    }
    thread_.join();
  }

  // Waits until the first stream's connection (through the balancer to a
  // replica: TLS is end to end) is up; false after `timeout`.
  bool AwaitConnected(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&connected_), timeout);
  }

  // Waits until `count` distinct items were added; false after `timeout`.
  bool AwaitAdded(size_t count, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, count]()
                      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return added_.size() >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
  }

  std::map<std::string, int> added() const {
    absl::MutexLock lock(&mu_);
    return added_;
  }
  // How each stream but the last ended: one per resume.
  std::vector<grpc::StatusCode> ends() const {
    absl::MutexLock lock(&mu_);
    return ends_;
  }

 private:
  void Run() {
    int64_t after = 0;
    for (;;) {
      std::shared_ptr<grpc::Channel> channel = channel_();
      channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30));
      auto stub = v1::QueueService::NewStub(channel);
      v1::WatchQueueRequest request;
      request.set_parent("pcns/U99001");
      request.set_after_sequence(after);
      auto context = std::make_shared<grpc::ClientContext>();
      {
        absl::MutexLock lock(&mu_);
        if (stop_) return;
        context_ = context;
        connected_ = true;
      }
      std::unique_ptr<grpc::ClientReader<v1::QueueEvent>> reader =
          stub->WatchQueue(context.get(), request);
      v1::QueueEvent event;
      while (reader->Read(&event)) {
        after = std::max(after, event.sequence());
        if (event.type() == v1::QUEUE_EVENT_TYPE_ADDED) {
          absl::MutexLock lock(&mu_);
          ++added_[event.item().name()];
        }
      }
      const grpc::Status status = reader->Finish();
      absl::MutexLock lock(&mu_);
      if (stop_) return;
      ends_.push_back(status.error_code());
    }
  }

  const std::function<std::shared_ptr<grpc::Channel>()> channel_;
  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  std::shared_ptr<grpc::ClientContext> context_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> added_ ABSL_GUARDED_BY(mu_);
  std::vector<grpc::StatusCode> ends_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: starts once the members above exist
};

class FailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (testing::PostgresDsnFromEnv().empty()) {
      GTEST_SKIP() << "SPROUT_TEST_PG_DSN is unset; deploy/test starts a PostgreSQL and sets it";
    }
    absl::StatusOr<std::vector<std::string>> flags =
        testing::StoreFlags(testing::Backend::kPostgres, "sprout_failover_test");
    ASSERT_TRUE(flags.ok()) << flags.status();
    flags->push_back("--agency_rate_per_second=0");  // one practice submits everything
    absl::StatusOr<std::vector<std::unique_ptr<testing::SproutdProcess>>> replicas =
        testing::StartReplicas(::testing::TempDir() + "/failover", 2, *flags);
    ASSERT_TRUE(replicas.ok()) << replicas.status();
    replicas_ = *std::move(replicas);
    certs_ = replicas_[0]->work_dir() + "/certs";
    std::ofstream bundle(certs_ + "/probe-bundle.pem");
    for (const char* part : {"/probe.pem", "/probe.key"}) {
      std::ifstream in(certs_ + part);
      bundle << in.rdbuf();
    }
    bundle.close();
    lb_ = std::make_unique<LoadBalancer>(
        replicas_[0]->work_dir(), certs_,
        std::vector<std::string>{replicas_[0]->target(), replicas_[1]->target()});
    ASSERT_TRUE(lb_->Await("sproutd-1", "UP")) << "sproutd-1 is " << lb_->Status("sproutd-1");
    ASSERT_TRUE(lb_->Await("sproutd-2", "UP")) << "sproutd-2 is " << lb_->Status("sproutd-2");
  }

  void TearDown() override {
    lb_.reset();
    for (auto& replica : replicas_) replica->Stop();
  }

  // A new connection to the load balancer as `identity`.
  std::shared_ptr<grpc::Channel> ThroughBalancer(const std::string& identity) const {
    client::ClientOptions options;
    options.target = absl::StrCat("127.0.0.1:", lb_->port());
    options.ca_file = certs_ + "/ca.pem";
    options.cert_file = certs_ + "/" + identity + ".pem";
    options.key_file = certs_ + "/" + identity + ".key";
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::CreateChannel(options);
    EXPECT_TRUE(channel.ok()) << channel.status();
    return channel.ok() ? *channel : nullptr;
  }

  std::vector<std::unique_ptr<testing::SproutdProcess>> replicas_;
  std::string certs_;
  std::unique_ptr<LoadBalancer> lb_;
};

TEST_F(FailoverTest, AKilledReplicaLosesNothingAndDuplicatesNothing) {
  // Watchers first, one at a time and each connected before the next:
  // least-connections then puts one on each replica, so one of them is on the
  // replica that will be killed.
  std::vector<std::unique_ptr<ResumingWatch>> watchers;
  for (int i = 0; i < kWatchers; ++i) {
    watchers.push_back(
        std::make_unique<ResumingWatch>([this] { return ThroughBalancer("linkworker"); }));
    ASSERT_TRUE(watchers.back()->AwaitConnected(absl::Seconds(30)));
  }
  ASSERT_EQ(lb_->Sessions("sproutd-1"), 1);
  ASSERT_EQ(lb_->Sessions("sproutd-2"), 1);

  std::atomic<int> next{0};
  absl::Mutex mu;
  std::map<std::string, std::string> acknowledged;  // request id -> referral
  int retries = 0;
  // Anything but UNAVAILABLE, or UNAVAILABLE for a minute: what a client
  // would have to report.
  std::vector<std::string> failures;
  std::vector<std::thread> submitters;
  for (int s = 0; s < kSubmitters; ++s) {
    submitters.emplace_back([&] {
      auto stub = v1::ReferralService::NewStub(ThroughBalancer("gp"));
      for (int n = next.fetch_add(1); n < kReferrals; n = next.fetch_add(1)) {
        v1::SubmitReferralRequest request;
        request.set_request_id(absl::StrCat("failover-", n));
        *request.mutable_referral() = testing::GpReferral(testing::TestNhsNumber(70000 + n));
        // Retried with the same request id until answered, as a client
        // following the README's retry advice does: after a growing back-off
        // (the client's, not a wait for the test), waiting for the channel
        // to reconnect rather than failing fast.
        const absl::Time give_up = absl::Now() + absl::Seconds(60);
        for (int attempt = 1;; ++attempt) {
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
          context.set_wait_for_ready(attempt > 1);
          v1::SubmitReferralResponse response;
          const grpc::Status status = stub->SubmitReferral(&context, request, &response);
          const bool retry = !status.ok() && status.error_code() == grpc::StatusCode::UNAVAILABLE &&
                             absl::Now() < give_up;
          {
            absl::MutexLock lock(&mu);
            if (status.ok()) {
              acknowledged[request.request_id()] = response.referral().name();
            } else if (retry) {
              ++retries;
            } else {
              failures.push_back(absl::StrCat(request.request_id(), ": ", status.error_code(), " ",
                                              status.error_message()));
            }
          }
          if (!retry) break;
          absl::SleepFor(absl::Milliseconds(std::min(20 * attempt, 500)));
        }
      }
    });
  }

  // Mid-load, one replica dies without a chance to drain or flush.
  size_t acknowledged_before_kill = 0;
  {
    absl::MutexLock lock(&mu);
    auto a_third = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
      return acknowledged.size() >= kReferrals / 3;
    };
    EXPECT_TRUE(mu.AwaitWithTimeout(absl::Condition(&a_third), absl::Seconds(60)));
    acknowledged_before_kill = acknowledged.size();
  }
  replicas_[0]->Kill();
  EXPECT_TRUE(lb_->Await("sproutd-1", "DOWN"))
      << "the health checks did not drop the killed replica";
  for (std::thread& t : submitters) t.join();

  absl::MutexLock lock(&mu);
  EXPECT_TRUE(failures.empty()) << failures.size() << " submissions failed, e.g. "
                                << (failures.empty() ? "" : failures.front());
  ASSERT_EQ(acknowledged.size(), static_cast<size_t>(kReferrals));
  EXPECT_GE(retries, 1) << "no call met the killed replica: the test proved less";
  std::set<std::string> referrals;
  for (const auto& [request_id, referral] : acknowledged) referrals.insert(referral);
  EXPECT_EQ(referrals.size(), acknowledged.size()) << "two request ids answered with one referral";

  // Exactly once in the store: the GP's referrals, read back through the survivor.
  auto gp = v1::ReferralService::NewStub(replicas_[1]->Channel("gp"));
  std::set<std::string> stored;
  v1::ListReferralsRequest list;
  list.set_page_size(500);
  do {
    v1::ListReferralsResponse page;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    const grpc::Status status = gp->ListReferrals(&context, list, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const v1::Referral& r : page.referrals()) {
      EXPECT_TRUE(stored.insert(r.name()).second) << r.name() << " listed twice";
    }
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(stored, referrals) << "stored and acknowledged referrals differ";

  // Every watcher saw every item added once, across its resumes.
  int resumed = 0;
  for (size_t i = 0; i < watchers.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("watcher ", i));
    EXPECT_TRUE(watchers[i]->AwaitAdded(kReferrals, absl::Seconds(60)));
    const std::map<std::string, int> added = watchers[i]->added();
    EXPECT_EQ(added.size(), static_cast<size_t>(kReferrals));
    for (const auto& [item, count] : added) EXPECT_EQ(count, 1) << item;
    for (grpc::StatusCode code : watchers[i]->ends()) {
      EXPECT_EQ(code, grpc::StatusCode::UNAVAILABLE) << "a watch ended with a non-retryable code";
      ++resumed;
    }
  }
  EXPECT_GE(resumed, 1) << "no watcher was on the killed replica: the test proved less";
  std::cout << "killed a replica after " << acknowledged_before_kill << " of " << kReferrals
            << " acknowledged; " << retries << " retried calls; " << resumed << " watch resumes\n";
}

}  // namespace
}  // namespace sprout
