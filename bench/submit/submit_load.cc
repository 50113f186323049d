// submit_load: drives SubmitReferral with a fixed number of calls in flight
// and reports throughput and latency (PERFORMANCE.md P1/P2). Every call is a
// distinct, valid, fictional GP referral with its own request_id and NHS
// number (999 test range), so the server does real work on each.
//
//   submit_load --target 127.0.0.1:50061 --in_flight 64 --seconds 10
//               [--principal urn:sprout:org:Y99001:role:referrer]   (one line)
//   submit_load --fdatasync /tmp/x   (the fdatasync p50 of a 1.5 KB append)
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/test_referrals.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50061", "server address (plaintext)");
ABSL_FLAG(int, in_flight, 64, "calls kept in flight");
ABSL_FLAG(int, channels, 4, "channels the calls are spread over");
ABSL_FLAG(int, seconds, 10, "how long to measure (after a 2 s warm-up)");
ABSL_FLAG(std::string, principal, "urn:sprout:org:Y99001:role:referrer",
          "x-sprout-principal header (sproutd --insecure_dev)");
ABSL_FLAG(std::string, run_id, "", "prefix for request ids (default: the start time)");
ABSL_FLAG(std::string, fdatasync, "", "instead: time 1.5 KB append + fdatasync on this file");

namespace {

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(v.size() * p))];
}

int TimeFdatasync(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  if (fd < 0) return 1;
  const std::string block(1536, 'x');
  std::vector<double> us;
  for (int i = 0; i < 2000; ++i) {
    const absl::Time t = absl::Now();
    if (::write(fd, block.data(), block.size()) < 0 || ::fdatasync(fd) != 0) return 1;
    us.push_back(absl::ToDoubleMicroseconds(absl::Now() - t));
  }
  ::close(fd);
  ::unlink(path.c_str());
  std::printf("fdatasync 1.5KB append: p50 %.0f us  p99 %.0f us\n", Percentile(us, 0.5),
              Percentile(us, 0.99));
  return 0;
}

class Load {
 public:
  Load() {
    run_id_ = absl::GetFlag(FLAGS_run_id);
    if (run_id_.empty()) run_id_ = absl::StrCat(absl::ToUnixMillis(absl::Now()));
    for (int i = 0; i < absl::GetFlag(FLAGS_channels); ++i) {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", i);  // distinct connections
      stubs_.push_back(sprout::v1::ReferralService::NewStub(grpc::CreateCustomChannel(
          absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials(), args)));
    }
  }

  void Run() {
    const int in_flight = absl::GetFlag(FLAGS_in_flight);
    const absl::Time start = absl::Now();
    measure_from_ = start + absl::Seconds(2);
    stop_at_ = measure_from_ + absl::Seconds(absl::GetFlag(FLAGS_seconds));
    for (int i = 0; i < in_flight; ++i) StartOne();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](Load* self)
             ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) { return self->outstanding_ == 0; },
        this));
    const double seconds = absl::ToDoubleSeconds(stop_at_ - measure_from_);
    std::printf("in_flight %d: %.0f calls/s  p50 %.0f us  p99 %.0f us  errors %d", in_flight,
                latencies_us_.size() / seconds, Percentile(latencies_us_, 0.5),
                Percentile(latencies_us_, 0.99), errors_);
    if (!first_error_.empty()) std::printf("  (first: %s)", first_error_.c_str());
    std::printf("\n");
  }

 private:
  struct CallState {
    grpc::ClientContext context;
    sprout::v1::SubmitReferralRequest request;
    sprout::v1::SubmitReferralResponse response;
    absl::Time start;
  };

  void StartOne() {
    const int64_t n = next_.fetch_add(1);
    if (absl::Now() >= stop_at_) return;
    {
      absl::MutexLock lock(&mu_);
      ++outstanding_;
    }
    auto* call = new CallState;
    call->context.AddMetadata("x-sprout-principal", absl::GetFlag(FLAGS_principal));
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    call->request.set_request_id(absl::StrCat("load-", run_id_, "-", n));
    *call->request.mutable_referral() =
        sprout::testing::GpReferral(sprout::testing::TestNhsNumber(n));
    call->start = absl::Now();
    stubs_[n % stubs_.size()]->async()->SubmitReferral(
        &call->context, &call->request, &call->response, [this, call](grpc::Status status) {
          const absl::Time end = absl::Now();
          {
            absl::MutexLock lock(&mu_);
            if (!status.ok()) {
              ++errors_;
              if (first_error_.empty()) first_error_ = status.error_message();
            } else if (call->start >= measure_from_ && end <= stop_at_) {
              latencies_us_.push_back(absl::ToDoubleMicroseconds(end - call->start));
            }
          }
          delete call;
          StartOne();
          absl::MutexLock lock(&mu_);
          --outstanding_;
        });
  }

  std::string run_id_;
  std::vector<std::unique_ptr<sprout::v1::ReferralService::Stub>> stubs_;
  std::atomic<int64_t> next_{1};
  absl::Time measure_from_;
  absl::Time stop_at_;
  absl::Mutex mu_;
  int outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  int errors_ ABSL_GUARDED_BY(mu_) = 0;
  std::string first_error_ ABSL_GUARDED_BY(mu_);
  std::vector<double> latencies_us_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_fdatasync).empty()) return TimeFdatasync(absl::GetFlag(FLAGS_fdatasync));
  Load load;
  load.Run();
  return 0;
}
