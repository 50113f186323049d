// sprout-bench: an asynchronous load generator for SubmitReferral. Closed
// loop (--in_flight calls kept in flight over --channels connections) or open
// loop (--rate calls started a second), plaintext (sproutd --insecure_dev,
// identity in x-sprout-principal) or mutual TLS (--certs_dir, the demo
// identities of certs/make-dev-certs). It reports throughput and
// p50/p90/p99/p99.9 latency (PERFORMANCE.md P1/P2); with --baseline it first
// runs the same load, over the same transport, against a no-op
// ReferralService it serves itself, and prints every figure as a ratio
// measured in the same run.
//
// What it sends: every call a distinct, valid referral with its own
// request_id. By default fictional GP referrals (999-range NHS numbers). With
// --mix, the channels take turns as the listed demo identities (with
// --certs_dir), each sending a variation of its worked example from
// client/examples/ (a different person each call: the mix of referrer kinds,
// SNOMED codes, local codes and free text of those examples). With --file, the
// lines of a JSON-lines file (client/examples/make-bulk-file) in turn.
//
//   sprout-bench --target 127.0.0.1:50061 --in_flight 64 --seconds 10
//   sprout-bench --target 127.0.0.1:50051 --certs_dir certs/out --mix all --baseline
//   sprout-bench --target ... --rate 2000 --watchers 4   (P7)
//   sprout-bench --target ... --validate --baseline   (P3: no commit, against no-op)
//   sprout-bench --target ... --certs_dir certs/out --mix all --count 1000000   (1M run)
//   sprout-bench --fdatasync /tmp/x   (the fdatasync p50 of a 1.5 KB append)
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/submit/noop_referral_service.h"
#include "client/cli/global_flags.h"
#include "client/referral_builder.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/test_referrals.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50061", "server address");
ABSL_FLAG(int, in_flight, 64, "calls kept in flight");
ABSL_FLAG(int, channels, 4, "channels (connections) the calls are spread over");
ABSL_FLAG(int, seconds, 10, "how long to measure (after a 2 s warm-up)");
ABSL_FLAG(int64_t, count, 0,
          "instead of --seconds: send exactly this many calls, closed loop and without a "
          "warm-up, and report how long they took from the first call to the last answer");
ABSL_FLAG(std::string, certs_dir, "",
          "mutual TLS with ca.pem and the demo identities' NAME.pem/NAME.key in this folder "
          "(certs/out); empty: plaintext, identity in x-sprout-principal");
ABSL_FLAG(std::string, principal, "urn:sprout:org:Y99001:role:referrer",
          "plaintext only: the x-sprout-principal of every call without --mix (sproutd "
          "--insecure_dev)");
ABSL_FLAG(std::string, mix, "",
          "comma-separated demo identities the channels take turns as (their certificates "
          "with --certs_dir, their x-sprout-principal in plaintext) "
          "(e.g. gp,police,hospital), or 'all'; each sends its client/examples referral with a "
          "new person every call. Empty: GP referrals as --principal or the gp identity");
ABSL_FLAG(std::string, examples_dir, "client/examples", "where --mix finds the examples");
ABSL_FLAG(std::string, file, "",
          "instead: a JSON-lines file of referrals (Referral or SubmitReferralRequest), sent in "
          "turn with fresh request ids, as --identity");
ABSL_FLAG(std::string, identity, "police", "with --file and --certs_dir: who sends it");
ABSL_FLAG(bool, baseline, false,
          "first run the same load against a no-op ReferralService served in this process "
          "over the same transport, and print each figure as a ratio to it");
ABSL_FLAG(std::string, run_id, "", "prefix for request ids (default: the start time)");
ABSL_FLAG(std::string, fdatasync, "", "instead: time 1.5 KB append + fdatasync on this file");
ABSL_FLAG(double, rate, 0,
          "calls started per second, open loop (at most --in_flight outstanding); 0: keep "
          "--in_flight calls in flight");
ABSL_FLAG(bool, validate, false,
          "send ValidateReferral (validate, code and route; nothing stored: P3) instead of "
          "SubmitReferral");
ABSL_FLAG(int, watchers, 0, "WatchQueue streams held on --watch_queue while loading");
ABSL_FLAG(std::string, watch_queue, "pcns/U99001", "the queue the referrals reach");
ABSL_FLAG(std::string, watch_principal, "urn:sprout:org:U99001:role:link_worker:lw:lw-u99001-01",
          "plaintext: x-sprout-principal of the watchers (TLS: the linkworker identity)");

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

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "sprout-bench: cannot read %s\n", path.c_str());
    std::exit(1);
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A Referral, or the referral of a SubmitReferralRequest, from protobuf JSON
// (as sproutctl reads it).
sprout::v1::Referral ParseReferral(const std::string& json, const std::string& where) {
  absl::StatusOr<sprout::v1::SubmitReferralRequest> request =
      sprout::client::ParseReferralJson(json);
  if (!request.ok()) {
    std::fprintf(stderr, "sprout-bench: %s: %s\n", where.c_str(),
                 std::string(request.status().message()).c_str());
    std::exit(1);
  }
  return request->referral();
}

// The worked example of a demo identity (client/examples/README.md).
std::string ExampleFile(const std::string& identity) { return identity + "-referral.json"; }

constexpr const char* kEveryReferrer[] = {"gp",
                                          "pharmacy",
                                          "police",
                                          "fire",
                                          "housing",
                                          "jobcentre",
                                          "local-authority",
                                          "hospital",
                                          "mental-health",
                                          "community-health",
                                          "vcse",
                                          "self"};

// Who a channel speaks as and what it sends.
struct Sender {
  std::string identity;                         // demo identity (TLS), or empty
  std::string principal;                        // plaintext: its x-sprout-principal, or empty
  std::vector<sprout::v1::Referral> templates;  // sent in turn, varied per call
  bool vary_person = true;                      // a new person each call
};

// The same referral about a different (fictional) person: call `n`'s own
// family name, birth day and, where the example has one, 999-range NHS number.
sprout::v1::Referral ForPerson(const sprout::v1::Referral& base, int64_t n) {
  sprout::v1::Referral r = base;
  sprout::v1::Patient* p = r.mutable_patient();
  p->set_family_name(
      absl::StrCat(absl::string_view(base.patient().family_name()).substr(0, 20), "-", n));
  if (!p->nhs_number().empty()) p->set_nhs_number(sprout::testing::TestNhsNumber(n));
  p->mutable_birth_date()->set_day(1 + n % 28);
  return r;
}

std::vector<Sender> MakeSenders() {
  std::vector<Sender> senders;
  const bool tls = !absl::GetFlag(FLAGS_certs_dir).empty();
  if (!absl::GetFlag(FLAGS_file).empty()) {
    Sender s;
    s.identity = tls ? absl::GetFlag(FLAGS_identity) : "";
    s.vary_person = false;
    int line_number = 0;
    for (absl::string_view line : absl::StrSplit(ReadFile(absl::GetFlag(FLAGS_file)), '\n')) {
      ++line_number;
      line = absl::StripAsciiWhitespace(line);
      if (line.empty() || line[0] == '#') continue;
      s.templates.push_back(ParseReferral(
          std::string(line), absl::StrCat(absl::GetFlag(FLAGS_file), ":", line_number)));
    }
    if (s.templates.empty()) {
      std::fprintf(stderr, "sprout-bench: %s has no referrals\n",
                   absl::GetFlag(FLAGS_file).c_str());
      std::exit(1);
    }
    senders.push_back(std::move(s));
    return senders;
  }
  std::vector<std::string> names;
  const std::string mix = absl::GetFlag(FLAGS_mix);
  if (mix == "all") {
    names.assign(std::begin(kEveryReferrer), std::end(kEveryReferrer));
  } else if (!mix.empty()) {
    names = absl::StrSplit(mix, ',', absl::SkipEmpty());
  }
  if (names.empty()) {  // the classic load: GP referrals from Y99001
    Sender s;
    s.identity = tls ? "gp" : "";
    s.templates.push_back(sprout::testing::GpReferral());
    senders.push_back(std::move(s));
    return senders;
  }
  for (const std::string& name : names) {
    Sender s;
    if (tls) {
      s.identity = name;  // its certificate
    } else {
      s.principal = sprout::client::cli::DemoPrincipalUri(name);  // its x-sprout-principal
      if (s.principal.empty()) {
        std::fprintf(stderr, "sprout-bench: --mix: %s is not a demo identity\n", name.c_str());
        std::exit(1);
      }
    }
    const std::string path =
        absl::StrCat(absl::GetFlag(FLAGS_examples_dir), "/", ExampleFile(name));
    s.templates.push_back(ParseReferral(ReadFile(path), path));
    senders.push_back(std::move(s));
  }
  return senders;
}

std::shared_ptr<grpc::ChannelCredentials> CredentialsFor(const std::string& identity) {
  const std::string dir = absl::GetFlag(FLAGS_certs_dir);
  if (dir.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(dir + "/ca.pem");
  ssl.pem_cert_chain = ReadFile(absl::StrCat(dir, "/", identity, ".pem"));
  ssl.pem_private_key = ReadFile(absl::StrCat(dir, "/", identity, ".key"));
  return grpc::SslCredentials(ssl);
}

// What one run measured.
struct Figures {
  double calls_per_second = 0;
  double p50 = 0, p90 = 0, p99 = 0, p999 = 0;  // microseconds
  int errors = 0;
};

using sprout::bench::NoopReferralService;

// Serves NoopReferralService on a free loopback port, with the server
// certificate of --certs_dir (and client certificates required) when TLS.
std::unique_ptr<grpc::Server> StartNoopServer(NoopReferralService* service, int* port) {
  const std::string dir = absl::GetFlag(FLAGS_certs_dir);
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!dir.empty()) {
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = ReadFile(dir + "/ca.pem");
    ssl.pem_key_cert_pairs.push_back(
        {ReadFile(dir + "/server.key"), ReadFile(dir + "/server.pem")});
    credentials = grpc::SslServerCredentials(ssl);
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", credentials, port);
  builder.RegisterService(service);
  return builder.BuildAndStart();
}

class Load {
 public:
  Load(const std::string& target, std::vector<Sender> senders) : senders_(std::move(senders)) {
    run_id_ = absl::GetFlag(FLAGS_run_id);
    if (run_id_.empty()) run_id_ = absl::StrCat(absl::ToUnixMillis(absl::Now()));
    target_ = target;
    // At least one channel per sender, so each identity has its connection.
    const int channels =
        std::max<int>(absl::GetFlag(FLAGS_channels), static_cast<int>(senders_.size()));
    for (int i = 0; i < channels; ++i) {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", i);  // distinct connections
      const Sender& sender = senders_[i % senders_.size()];
      stubs_.push_back({sprout::v1::ReferralService::NewStub(grpc::CreateCustomChannel(
                            target, CredentialsFor(sender.identity), args)),
                        &sender});
    }
  }

  // `label` names the server in the report line.
  Figures Run(const std::string& label) {
    const int in_flight = absl::GetFlag(FLAGS_in_flight);
    const double rate = absl::GetFlag(FLAGS_rate);
    const absl::Time start = absl::Now();
    count_ = absl::GetFlag(FLAGS_count);
    if (count_ > 0) {
      measure_from_ = start;
      stop_at_ = absl::InfiniteFuture();
    } else {
      measure_from_ = start + absl::Seconds(2);
      stop_at_ = measure_from_ + absl::Seconds(absl::GetFlag(FLAGS_seconds));
    }
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
    if (!watchers.empty()) {
      // Events still in flight to the watchers arrive within a second.
      absl::SleepFor(absl::Seconds(1));
      absl::MutexLock lock(&mu_);
      for (grpc::ClientContext* c : watch_contexts_) c->TryCancel();
    }
    for (std::thread& t : watchers) t.join();
    absl::MutexLock lock(&mu_);
    const double seconds = count_ > 0 ? absl::ToDoubleSeconds(absl::Now() - start)
                                      : absl::ToDoubleSeconds(stop_at_ - measure_from_);
    Figures f;
    f.calls_per_second = latencies_us_.size() / seconds;
    f.p50 = Percentile(latencies_us_, 0.5);
    f.p90 = Percentile(latencies_us_, 0.9);
    f.p99 = Percentile(latencies_us_, 0.99);
    f.p999 = Percentile(latencies_us_, 0.999);
    f.errors = errors_;
    std::printf("%s", label.c_str());
    if (count_ > 0) {
      std::printf("%lld calls in %.1f s, in_flight %d: ", static_cast<long long>(count_), seconds,
                  in_flight);
    } else if (rate > 0) {
      std::printf("rate %.0f/s: ", rate);
    } else {
      std::printf("in_flight %d: ", in_flight);
    }
    std::printf("%.0f calls/s  p50 %.0f us  p90 %.0f us  p99 %.0f us  p99.9 %.0f us  errors %d",
                f.calls_per_second, f.p50, f.p90, f.p99, f.p999, f.errors);
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
    return f;
  }

 private:
  struct Stub {
    std::unique_ptr<sprout::v1::ReferralService::Stub> stub;
    const Sender* sender;
  };

  struct CallState {
    grpc::ClientContext context;
    sprout::v1::SubmitReferralRequest request;
    sprout::v1::SubmitReferralResponse response;
    sprout::v1::ValidateReferralRequest preview;  // --validate
    sprout::v1::ValidateReferralResponse previewed;
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
    const bool tls = !absl::GetFlag(FLAGS_certs_dir).empty();
    auto stub = sprout::v1::QueueService::NewStub(
        grpc::CreateChannel(target_, CredentialsFor(tls ? "linkworker" : "")));
    grpc::ClientContext context;
    if (!tls) context.AddMetadata("x-sprout-principal", absl::GetFlag(FLAGS_watch_principal));
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
    if (count_ > 0 ? n > count_ : absl::Now() >= stop_at_) return;
    {
      absl::MutexLock lock(&mu_);
      ++outstanding_;
    }
    Stub& stub = stubs_[n % stubs_.size()];
    const Sender& sender = *stub.sender;
    auto* call = new CallState;
    if (sender.identity.empty()) {
      call->context.AddMetadata("x-sprout-principal", sender.principal.empty()
                                                          ? absl::GetFlag(FLAGS_principal)
                                                          : sender.principal);
    }
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    call->request.set_request_id(absl::StrCat("load-", run_id_, "-", n));
    const sprout::v1::Referral& base =
        sender.templates[(n / stubs_.size()) % sender.templates.size()];
    *call->request.mutable_referral() = sender.vary_person ? ForPerson(base, n) : base;
    auto done = [this, call, chain](grpc::Status status) {
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
    };
    call->start = absl::Now();
    if (absl::GetFlag(FLAGS_validate)) {
      *call->preview.mutable_referral() = std::move(*call->request.mutable_referral());
      stub.stub->async()->ValidateReferral(&call->context, &call->preview, &call->previewed,
                                           std::move(done));
    } else {
      stub.stub->async()->SubmitReferral(&call->context, &call->request, &call->response,
                                         std::move(done));
    }
  }

  std::vector<Sender> senders_;
  std::string target_;
  std::string run_id_;
  std::vector<Stub> stubs_;
  std::atomic<int64_t> next_{1};
  absl::Time measure_from_;
  absl::Time stop_at_;
  int64_t count_ = 0;  // --count; 0: timed
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

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_fdatasync).empty()) return TimeFdatasync(absl::GetFlag(FLAGS_fdatasync));
  if (absl::GetFlag(FLAGS_count) > 0 && absl::GetFlag(FLAGS_rate) > 0) {
    std::fprintf(stderr, "sprout-bench: --count is closed loop; leave --rate at 0\n");
    return 2;
  }
  std::vector<Sender> senders = MakeSenders();
  std::fprintf(stderr, "load: %zu sender(s)%s, %s\n", senders.size(),
               absl::GetFlag(FLAGS_certs_dir).empty() ? " over plaintext" : " over mutual TLS",
               absl::GetFlag(FLAGS_rate) > 0 ? "open loop" : "closed loop");
  std::optional<Figures> baseline;
  if (absl::GetFlag(FLAGS_baseline)) {
    NoopReferralService service;
    int port = 0;
    std::unique_ptr<grpc::Server> server = StartNoopServer(&service, &port);
    if (server == nullptr || port == 0) {
      std::fprintf(stderr, "sprout-bench: the no-op server did not start\n");
      return 1;
    }
    Load noop(absl::StrCat("127.0.0.1:", port), senders);
    baseline = noop.Run("no-op server  ");
    server->Shutdown();
  }
  Load load(absl::GetFlag(FLAGS_target), senders);
  const Figures f = load.Run(absl::StrCat(absl::GetFlag(FLAGS_target), "  "));
  if (baseline.has_value()) {
    std::printf(
        "ratio to the no-op server: throughput %.2fx  p50 %.1fx  p90 %.1fx  p99 %.1fx  "
        "p99.9 %.1fx\n",
        Ratio(f.calls_per_second, baseline->calls_per_second), Ratio(f.p50, baseline->p50),
        Ratio(f.p90, baseline->p90), Ratio(f.p99, baseline->p99), Ratio(f.p999, baseline->p999));
  }
  return f.errors > 0 && f.calls_per_second == 0 ? 1 : 0;
}
