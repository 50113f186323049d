// submit_load: drives SubmitReferral with a fixed number of calls in flight,
// or at a fixed rate, and reports throughput and latency (PERFORMANCE.md
// P1/P2). Every call is a distinct, valid, fictional GP referral with its own
// request_id and NHS number (999 test range), so the server does real work on
// each. With --watchers it also holds WatchQueue streams on the queue the
// referrals reach and reports queue delivery (P7): from the item's enqueue
// time (stamped before its commit, so this bounds commit -> subscriber from
// above) to the watcher receiving it, on the same machine's clock.
//
//   submit_load --target 127.0.0.1:50061 --in_flight 64 --seconds 10
//               [--principal urn:sprout:org:Y99001:role:referrer]   (one line)
//   submit_load --target ... --rate 2000 --watchers 4   (P7)
//   submit_load --fdatasync /tmp/x   (the fdatasync p50 of a 1.5 KB append)
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "sprout/v1/queue_service.grpc.pb.h"
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
ABSL_FLAG(double, rate, 0,
          "calls started per second, open loop (at most --in_flight outstanding); 0: keep "
          "--in_flight calls in flight");
ABSL_FLAG(int, watchers, 0, "WatchQueue streams held on --watch_queue while loading");
ABSL_FLAG(std::string, watch_queue, "pcns/U99001", "the queue the referrals reach");
ABSL_FLAG(std::string, watch_principal, "urn:sprout:org:U99001:role:link_worker:lw:lw-u99001-01",
          "x-sprout-principal of the watchers");

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
    const double rate = absl::GetFlag(FLAGS_rate);
    const absl::Time start = absl::Now();
    measure_from_ = start + absl::Seconds(2);
    stop_at_ = measure_from_ + absl::Seconds(absl::GetFlag(FLAGS_seconds));
    std::vector<std::thread> watchers;
    for (int i = 0; i < absl::GetFlag(FLAGS_watchers); ++i) {
      watchers.emplace_back([this] { Watch(); });
    }
    if (rate > 0) {
      Pace(rate, in_flight);
    } else {
      for (int i = 0; i < in_flight; ++i) StartOne(/*chain=*/true);
    }
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Load* self)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) { return self->outstanding_ == 0; },
          this));
    }
    // Events still in flight to the watchers arrive within a second.
    absl::SleepFor(absl::Seconds(1));
    {
      absl::MutexLock lock(&mu_);
      for (grpc::ClientContext* c : watch_contexts_) c->TryCancel();
    }
    for (std::thread& t : watchers) t.join();
    absl::MutexLock lock(&mu_);
    const double seconds = absl::ToDoubleSeconds(stop_at_ - measure_from_);
    if (rate > 0) {
      std::printf("rate %.0f/s: ", rate);
    } else {
      std::printf("in_flight %d: ", in_flight);
    }
    std::printf("%.0f calls/s  p50 %.0f us  p99 %.0f us  errors %d", latencies_us_.size() / seconds,
                Percentile(latencies_us_, 0.5), Percentile(latencies_us_, 0.99), errors_);
    if (!first_error_.empty()) std::printf("  (first: %s)", first_error_.c_str());
    std::printf("\n");
    if (!watchers.empty()) {
      std::printf(
          "%zu watchers: %zu deliveries  enqueue->watcher p50 %.0f us  p99 %.0f us  max %.0f us  "
          "stream errors %d\n",
          watchers.size(), delivery_us_.size(), Percentile(delivery_us_, 0.5),
          Percentile(delivery_us_, 0.99), Percentile(delivery_us_, 1.0), watch_errors_);
      // After the commit the server both answers the submitter and wakes the
      // watchers: how much later (or earlier: negative) a watcher has it.
      std::vector<double> after_answer_us;
      for (const auto& [referral, received] : received_) {
        auto it = answered_.find(referral);
        if (it != answered_.end()) {
          after_answer_us.push_back(absl::ToDoubleMicroseconds(received - it->second));
        }
      }
      std::printf(
          "  watcher after the submitter's answer: p50 %.0f us  p99 %.0f us  (%zu matched)\n",
          Percentile(after_answer_us, 0.5), Percentile(after_answer_us, 0.99),
          after_answer_us.size());
    }
  }

 private:
  struct CallState {
    grpc::ClientContext context;
    sprout::v1::SubmitReferralRequest request;
    sprout::v1::SubmitReferralResponse response;
    absl::Time start;
  };

  // Starts calls at `rate` a second until stop_at_, never more than
  // `in_flight` outstanding (a call that would exceed it is skipped and
  // counted as an error: the server is not keeping up).
  void Pace(double rate, int in_flight) {
    const absl::Duration interval = absl::Seconds(1) / rate;
    absl::Time next = absl::Now();
    while (next < stop_at_) {
      absl::SleepFor(next - absl::Now());
      bool room;
      {
        absl::MutexLock lock(&mu_);
        room = outstanding_ < in_flight;
        if (!room) ++errors_;
      }
      if (room) StartOne(/*chain=*/false);
      next += interval;
    }
  }

  // One WatchQueue stream from now on; records each ADDED item's delivery.
  void Watch() {
    auto stub = sprout::v1::QueueService::NewStub(
        grpc::CreateChannel(absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.AddMetadata("x-sprout-principal", absl::GetFlag(FLAGS_watch_principal));
    {
      absl::MutexLock lock(&mu_);
      watch_contexts_.push_back(&context);
    }
    sprout::v1::WatchQueueRequest request;
    request.set_parent(absl::GetFlag(FLAGS_watch_queue));
    // From the start: catch-up items predate the measurement and are skipped.
    request.set_after_sequence(0);
    auto reader = stub->WatchQueue(&context, request);
    sprout::v1::QueueEvent event;
    while (reader->Read(&event)) {
      const absl::Time received = absl::Now();
      if (event.type() != sprout::v1::QUEUE_EVENT_TYPE_ADDED) continue;
      const absl::Time enqueued = absl::FromUnixSeconds(event.item().enqueue_time().seconds()) +
                                  absl::Nanoseconds(event.item().enqueue_time().nanos());
      if (enqueued < measure_from_ || enqueued > stop_at_) continue;
      absl::MutexLock lock(&mu_);
      delivery_us_.push_back(absl::ToDoubleMicroseconds(received - enqueued));
      received_.emplace_back(event.item().referral(), received);
    }
    grpc::Status status = reader->Finish();
    absl::MutexLock lock(&mu_);
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
      ++watch_errors_;
      if (first_error_.empty()) first_error_ = "WatchQueue: " + status.error_message();
    }
  }

  void StartOne(bool chain) {
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
        &call->context, &call->request, &call->response, [this, call, chain](grpc::Status status) {
          const absl::Time end = absl::Now();
          {
            absl::MutexLock lock(&mu_);
            if (!status.ok()) {
              ++errors_;
              if (first_error_.empty()) first_error_ = status.error_message();
            } else if (call->start >= measure_from_ && end <= stop_at_) {
              latencies_us_.push_back(absl::ToDoubleMicroseconds(end - call->start));
              if (absl::GetFlag(FLAGS_watchers) > 0) {
                answered_[call->response.referral().name()] = end;
              }
            }
          }
          delete call;
          if (chain) StartOne(/*chain=*/true);
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
  std::vector<double> delivery_us_ ABSL_GUARDED_BY(mu_);
  // Referral name -> when its SubmitReferral answer arrived; and each
  // watcher receipt (name, when).
  absl::flat_hash_map<std::string, absl::Time> answered_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<std::string, absl::Time>> received_ ABSL_GUARDED_BY(mu_);
  std::vector<grpc::ClientContext*> watch_contexts_ ABSL_GUARDED_BY(mu_);
  int watch_errors_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_fdatasync).empty()) return TimeFdatasync(absl::GetFlag(FLAGS_fdatasync));
  Load load;
  load.Run();
  return 0;
}
