// overload_bench: PERFORMANCE.md P10, overload at 2x max load.
//
// Runs sproutd in this process (insecure dev mode on loopback, so callers can
// be any organisation through the x-sprout-principal header; SQLite in a
// fresh folder) and drives SubmitReferral through real gRPC:
//
//   A  unloaded: 1 call in flight                      -> baseline p50/p99
//   B  max load: 64 calls in flight, closed loop       -> X calls/s
//   R  64 calls in flight from one agency over its rate -> refusals/s
//   C  2X open loop: 0.5X from 1000 agencies within their rates, 1.5X from
//      one flooding agency                             -> admitted p99 vs A;
//                                                         refusals and their p99
//   D  2X open loop from 1000 agencies, each within its rate (the limits
//      here do not apply; shows what the store's write queue does)
//
// Usage (Release build, repo root):
//   build/bench/overload/overload_bench [work_dir] [seconds_per_phase] [max_pending_writes]
//   build/bench/overload/overload_bench host:port [seconds_per_phase]
// The second form drives a sproutd already running with --insecure_dev (e.g.
// pinned to another CPU with taskset), so the client does not share its CPU.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/intake/identifiers.h"
#include "server/sproutd.h"
#include "server/store/data_keys.h"
#include "sprout/v1/referral_service.grpc.pb.h"

namespace sprout {
namespace {

constexpr int kNormalAgencies = 1000;
constexpr int kMaxInFlight = 20000;  // the open-loop client gives up beyond this

// A valid, distinct NHS number for person `n` (skipping stems whose check
// digit would be 10).
std::string NhsNumber(int64_t n) {
  for (int64_t stem = 943000000 + n * 2;; ++stem) {
    const std::string s = absl::StrCat(stem);
    const int check = intake::NhsNumberCheckDigit(s);
    if (check >= 0) return absl::StrCat(s, check);
  }
}

sprout::v1::SubmitReferralRequest MakeRequest(int64_t n) {
  sprout::v1::SubmitReferralRequest request;
  request.set_request_id(absl::StrCat("overload-", n));
  sprout::v1::Referral& r = *request.mutable_referral();
  sprout::v1::Patient* p = r.mutable_patient();
  p->set_nhs_number(NhsNumber(n % 50000));
  p->set_nhs_number_verification_status(sprout::v1::NHS_NUMBER_VERIFICATION_STATUS_VERIFIED);
  p->set_given_name("Alex");
  p->set_family_name("Example");
  p->mutable_birth_date()->set_year(1950);
  p->mutable_birth_date()->set_month(4);
  p->mutable_birth_date()->set_day(21);
  p->mutable_address()->add_lines("1 Test Street");
  p->mutable_address()->set_postcode("ZW1 4AB");
  p->set_registered_practice_code(absl::StrCat("Y9900", 1 + n % 8));
  sprout::v1::Referrer* ref = r.mutable_referrer();
  ref->set_source_type(sprout::v1::SOURCE_TYPE_GP_PRACTICE);
  ref->set_practitioner_name("Dr Demo");
  ref->set_callback_phone("01632 960100");
  r.set_priority(sprout::v1::PRIORITY_ROUTINE);
  r.add_reasons()->set_snomed_code("267076002");
  r.mutable_consent()->set_referral_agreed(true);
  r.mutable_consent()->set_information_sharing_agreed(true);
  return request;
}

// Outcomes of one phase, by caller class.
class Results {
 public:
  void Record(bool flood, grpc::StatusCode code, absl::Duration latency) {
    absl::MutexLock lock(&mu_);
    latencies_[{flood, code}].push_back(latency);
  }

  void Print(absl::string_view phase, absl::Duration elapsed) {
    absl::MutexLock lock(&mu_);
    for (auto& [key, v] : latencies_) {
      std::sort(v.begin(), v.end());
      auto at = [&v](double q) { return v[std::min(v.size() - 1, size_t(q * v.size()))]; };
      std::printf("%-3s %-6s %-20s n=%-8zu rate=%8.0f/s p50=%9s p99=%9s max=%9s\n",
                  std::string(phase).c_str(), key.first ? "flood" : "normal", CodeName(key.second),
                  v.size(), v.size() / absl::ToDoubleSeconds(elapsed),
                  absl::FormatDuration(at(0.5)).c_str(), absl::FormatDuration(at(0.99)).c_str(),
                  absl::FormatDuration(v.back()).c_str());
    }
  }

  absl::Duration P99(bool flood, grpc::StatusCode code) {
    absl::MutexLock lock(&mu_);
    std::vector<absl::Duration>& v = latencies_[{flood, code}];
    if (v.empty()) return absl::ZeroDuration();
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(0.99 * v.size()))];
  }

  size_t Count(bool flood, grpc::StatusCode code) {
    absl::MutexLock lock(&mu_);
    return latencies_[{flood, code}].size();
  }

 private:
  static const char* CodeName(grpc::StatusCode code) {
    switch (code) {
      case grpc::StatusCode::OK:
        return "OK";
      case grpc::StatusCode::RESOURCE_EXHAUSTED:
        return "RESOURCE_EXHAUSTED";
      case grpc::StatusCode::DEADLINE_EXCEEDED:
        return "DEADLINE_EXCEEDED";
      default:
        return "other";
    }
  }

  absl::Mutex mu_;
  std::map<std::pair<bool, grpc::StatusCode>, std::vector<absl::Duration>> latencies_
      ABSL_GUARDED_BY(mu_);
};

class Driver {
 public:
  explicit Driver(const std::string& target) {
    for (int i = 0; i < 4; ++i) {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", i);  // distinct channels, distinct connections
      stubs_.push_back(sprout::v1::ReferralService::NewStub(
          grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args)));
    }
  }

  // Starts one call; `done` runs on a gRPC thread when it ends.
  void Call(int agency, bool flood, Results* results, std::function<void()> done) {
    struct InFlight {
      grpc::ClientContext context;
      sprout::v1::SubmitReferralRequest request;
      sprout::v1::SubmitReferralResponse response;
      absl::Time start;
    };
    auto* call = new InFlight;
    const int64_t n = next_.fetch_add(1);
    call->request = MakeRequest(n);
    const std::string org = flood ? "B00001" : absl::StrCat("A", 10000 + agency);
    call->context.AddMetadata("x-sprout-principal",
                              absl::StrCat("urn:sprout:org:", org, ":role:referrer"));
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    call->start = absl::Now();
    ++in_flight_;
    stubs_[n % stubs_.size()]->async()->SubmitReferral(
        &call->context, &call->request, &call->response,
        [this, call, flood, results, done = std::move(done)](grpc::Status status) {
          results->Record(flood, status.error_code(), absl::Now() - call->start);
          delete call;
          --in_flight_;
          done();
        });
  }

  // Closed loop: `in_flight` callers from normal agencies (or all from the
  // flooding one), each calling again as soon as its call ends, until
  // `calls` have been made or `until`.
  void ClosedLoop(int in_flight, int64_t calls, absl::Time until, Results* results,
                  bool flood = false) {
    std::atomic<int64_t> started{0};
    std::atomic<int> running{in_flight};
    absl::Notification finished;
    std::function<void()> next = [&] {
      const int64_t i = started.fetch_add(1);
      if (i >= calls || absl::Now() >= until) {
        if (--running == 0) finished.Notify();
        return;
      }
      Call(static_cast<int>(i % kNormalAgencies), flood, results, next);
    };
    for (int i = 0; i < in_flight; ++i) next();
    finished.WaitForNotification();
  }

  // Open loop at `rate` calls/s for `duration`; `flood_share` of the calls
  // come from one agency. Returns the calls not sent (client at its cap).
  int64_t OpenLoop(double rate, double flood_share, absl::Duration duration, Results* results) {
    const absl::Time start = absl::Now();
    int64_t sent = 0, dropped = 0;
    uint64_t spread = 0;
    while (true) {
      const absl::Duration elapsed = absl::Now() - start;
      if (elapsed >= duration) break;
      const int64_t due = static_cast<int64_t>(absl::ToDoubleSeconds(elapsed) * rate);
      for (; sent < due; ++sent) {
        if (in_flight_.load() >= kMaxInFlight) {
          ++dropped;
          continue;
        }
        // Deterministic interleaving: flood_share of every 100 calls.
        const bool flood = (sent % 100) < static_cast<int64_t>(flood_share * 100);
        Call(static_cast<int>(spread++ % kNormalAgencies), flood, results, [] {});
      }
      absl::SleepFor(absl::Microseconds(500));
    }
    while (in_flight_.load() > 0) absl::SleepFor(absl::Milliseconds(10));
    return dropped;
  }

 private:
  std::vector<std::unique_ptr<sprout::v1::ReferralService::Stub>> stubs_;
  std::atomic<int64_t> next_{0};
  std::atomic<int> in_flight_{0};
};

long RssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

int Run(Driver& driver, absl::Duration phase);

int Main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp/overload-bench";
  const absl::Duration phase = absl::Seconds(argc > 2 ? std::atoi(argv[2]) : 10);
  if (dir.find(':') != std::string::npos) {
    std::printf("driving the sproutd at %s\n", dir.c_str());
    Driver driver(dir);
    return Run(driver, phase);
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream key(dir + "/pseudonym.key");
    key << std::string(32, 'k');
  }
  std::filesystem::permissions(dir + "/pseudonym.key", std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_write);
  if (absl::Status keys =
          sprout::store::DataKeyRing::Generate().WriteFile(dir + "/data.keys", /*replace=*/false);
      !keys.ok()) {
    std::fprintf(stderr, "overload_bench: %s\n", std::string(keys.message()).c_str());
    return 1;
  }
  SproutdOptions options;
  options.listen_address = "127.0.0.1:0";
  options.insecure_dev = true;
  options.database_file = dir + "/sprout.db";
  options.pseudonym_key_file = dir + "/pseudonym.key";
  options.data_key_file = dir + "/data.keys";
  options.snomed_cache_file = dir + "/snomed.cache";
  if (argc > 3) options.max_pending_writes = std::atoi(argv[3]);
  options.pcn_queue_limit = 0;  // every referral goes to a few demo PCNs; not measured here
  absl::StatusOr<std::unique_ptr<Sproutd>> server = Sproutd::Create(options);
  if (!server.ok() || !(*server)->Start().ok()) {
    std::fprintf(stderr, "overload_bench: sproutd did not start\n");
    return 1;
  }
  std::printf(
      "agency limit %.0f/s burst %d per organisation; %d normal agencies; "
      "max_pending_writes %d\n",
      options.agency_rate_per_second, options.agency_burst, kNormalAgencies,
      options.max_pending_writes);
  Driver driver(absl::StrCat("127.0.0.1:", (*server)->port()));
  const int status = Run(driver, phase);
  (*server)->Shutdown(absl::Seconds(5));
  return status;
}

// The four phases against `driver`'s server.
int Run(Driver& driver, absl::Duration phase) {
  Results warmup;
  driver.ClosedLoop(8, 2000, absl::Now() + absl::Seconds(5), &warmup);

  Results a;
  absl::Time t = absl::Now();
  driver.ClosedLoop(1, 2000, absl::Now() + phase, &a);
  a.Print("A", absl::Now() - t);
  const absl::Duration unloaded_p99 = a.P99(false, grpc::StatusCode::OK);

  Results b;
  t = absl::Now();
  driver.ClosedLoop(64, int64_t{1} << 40, absl::Now() + phase, &b);
  const absl::Duration b_elapsed = absl::Now() - t;
  b.Print("B", b_elapsed);
  const double max_rate = b.Count(false, grpc::StatusCode::OK) / absl::ToDoubleSeconds(b_elapsed);
  const long rss_before = RssKb();

  // What a refusal costs: one agency far over its rate, 64 in flight.
  Results r;
  t = absl::Now();
  driver.ClosedLoop(64, int64_t{1} << 40, absl::Now() + phase, &r, /*flood=*/true);
  const absl::Duration r_elapsed = absl::Now() - t;
  r.Print("R", r_elapsed);
  const double refusal_rate =
      r.Count(true, grpc::StatusCode::RESOURCE_EXHAUSTED) / absl::ToDoubleSeconds(r_elapsed);

  Results c;
  t = absl::Now();
  const int64_t c_dropped = driver.OpenLoop(2 * max_rate, 0.75, phase, &c);
  c.Print("C", absl::Now() - t);
  const long rss_c = RssKb();

  Results d;
  t = absl::Now();
  const int64_t d_dropped = driver.OpenLoop(2 * max_rate, 0, phase, &d);
  d.Print("D", absl::Now() - t);
  const long rss_d = RssKb();

  const absl::Duration c_p99 = c.P99(false, grpc::StatusCode::OK);
  const absl::Duration d_p99 = d.P99(false, grpc::StatusCode::OK);
  std::printf("\nunloaded p99 %s; max load X = %.0f/s; offered 2X = %.0f/s\n",
              absl::FormatDuration(unloaded_p99).c_str(), max_rate, 2 * max_rate);
  std::printf("refusals at 64 in flight: %.0f/s = %.2fx the admission rate X\n", refusal_rate,
              refusal_rate / max_rate);
  std::printf(
      "C (one agency floods): admitted normal p99 %s = %.2fx unloaded (target <= 4x); "
      "flood refused %zu, refusal p99 %s; client-dropped %lld\n",
      absl::FormatDuration(c_p99).c_str(), absl::FDivDuration(c_p99, unloaded_p99),
      c.Count(true, grpc::StatusCode::RESOURCE_EXHAUSTED),
      absl::FormatDuration(c.P99(true, grpc::StatusCode::RESOURCE_EXHAUSTED)).c_str(),
      static_cast<long long>(c_dropped));
  std::printf(
      "D (all within their rates): admitted p99 %s = %.2fx unloaded; refused %zu; "
      "client-dropped %lld\n",
      absl::FormatDuration(d_p99).c_str(), absl::FDivDuration(d_p99, unloaded_p99),
      d.Count(false, grpc::StatusCode::RESOURCE_EXHAUSTED), static_cast<long long>(d_dropped));
  std::printf(
      "RSS of this process (client, and the server if in-process): after B %ld KiB, after C %ld "
      "KiB, after D %ld KiB\n",
      rss_before, rss_c, rss_d);
  return 0;
}

}  // namespace
}  // namespace sprout

int main(int argc, char** argv) { return sprout::Main(argc, argv); }
