// sprout-fhir-bench: FHIR $process-message throughput against gRPC
// SubmitReferral on the same referrals, in one run against one sproutd
// (PERFORMANCE.md; BENCHMARKS.md "FHIR edge"). Closed loop: --threads
// clients each send one referral at a time, first over gRPC for --seconds,
// then over FHIR for --seconds. Every call is a distinct GP referral: the
// example message client/examples/fhir/gp-referral.json with its own
// MessageHeader.id and NHS number, and over gRPC the very Referral the FHIR
// reader makes of that message, with the same id as request_id.
//
//   sprout-fhir-bench --grpc_target 127.0.0.1:50051 --fhir_port 8443 --certs_dir certs/out
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "server/fhir/message_bundle.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/test_referrals.h"

ABSL_FLAG(std::string, grpc_target, "127.0.0.1:50051", "sproutd's gRPC address");
ABSL_FLAG(int, fhir_port, 8443, "sproutd's FHIR port on 127.0.0.1");
ABSL_FLAG(std::string, certs_dir, "certs/out", "dev certificates (gp.pem, gp.key, ca.pem)");
ABSL_FLAG(std::string, example, "client/examples/fhir/gp-referral.json", "the message template");
ABSL_FLAG(int, threads, 16, "clients, each with one call in flight");
ABSL_FLAG(int, seconds, 10, "how long to measure each front door");

namespace {

using nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Message `n` of the run: the template with its own id and person.
json MessageNumber(const json& template_message, const std::string& run, int64_t n) {
  json message = template_message;
  message["entry"][0]["resource"]["id"] = absl::StrCat("bench-", run, "-", n);
  for (json& entry : message["entry"]) {
    if (entry["resource"]["resourceType"] == "Patient") {
      entry["resource"]["identifier"][0]["value"] = sprout::testing::TestNhsNumber(n);
    }
  }
  return message;
}

struct Result {
  int64_t ok = 0;
  int64_t failed = 0;
  double seconds = 0;
  double rate() const { return static_cast<double>(ok) / seconds; }
};

template <typename Send>  // bool Send(int thread, int64_t n)
Result RunClosedLoop(int threads, int seconds, Send send) {
  std::atomic<int64_t> next{0}, ok{0}, failed{0};
  const absl::Time start = absl::Now();
  const absl::Time end = start + absl::Seconds(seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      while (absl::Now() < end) {
        (send(t, next.fetch_add(1)) ? ok : failed).fetch_add(1);
      }
    });
  }
  for (std::thread& w : workers) w.join();
  Result result;
  result.ok = ok.load();
  result.failed = failed.load();
  result.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string certs = absl::GetFlag(FLAGS_certs_dir);
  const int threads = absl::GetFlag(FLAGS_threads);
  const int seconds = absl::GetFlag(FLAGS_seconds);
  const json template_message = json::parse(ReadFile(absl::GetFlag(FLAGS_example)));
  const std::string run = absl::FormatTime("%H%M%S", absl::Now(), absl::UTCTimeZone());

  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFile(certs + "/ca.pem");
  tls.pem_private_key = ReadFile(certs + "/gp.key");
  tls.pem_cert_chain = ReadFile(certs + "/gp.pem");
  std::vector<std::unique_ptr<sprout::v1::ReferralService::Stub>> stubs;
  for (int t = 0; t < threads; ++t) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", t);  // one connection per client, as for FHIR
    stubs.push_back(sprout::v1::ReferralService::NewStub(grpc::CreateCustomChannel(
        absl::GetFlag(FLAGS_grpc_target), grpc::SslCredentials(tls), args)));
  }
  const Result grpc_result = RunClosedLoop(threads, seconds, [&](int t, int64_t n) {
    const json message = MessageNumber(template_message, run + "g", n);
    sprout::fhir::ReadResult read = sprout::fhir::ReadReferralMessage(message);
    if (!read.message) return false;
    sprout::v1::SubmitReferralRequest request;
    request.set_request_id(read.message->message_id);
    *request.mutable_referral() = std::move(read.message->referral);
    sprout::v1::SubmitReferralResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stubs[t]->SubmitReferral(&context, request, &response).ok();
  });

  std::vector<std::unique_ptr<httplib::SSLClient>> clients;
  for (int t = 0; t < threads; ++t) {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", absl::GetFlag(FLAGS_fhir_port),
                                                       certs + "/gp.pem", certs + "/gp.key");
    client->set_ca_cert_path((certs + "/ca.pem").c_str());
    client->enable_server_certificate_verification(true);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);
    client->set_read_timeout(30, 0);
    clients.push_back(std::move(client));
  }
  const Result fhir_result = RunClosedLoop(threads, seconds, [&](int t, int64_t n) {
    const std::string body = MessageNumber(template_message, run + "f", n).dump();
    httplib::Result result =
        clients[t]->Post("/FHIR/R4/$process-message", body, "application/fhir+json");
    return result && result->status == 200;
  });

  std::printf("gRPC SubmitReferral: %.0f referrals/s (%lld ok, %lld failed, %d clients)\n",
              grpc_result.rate(), static_cast<long long>(grpc_result.ok),
              static_cast<long long>(grpc_result.failed), threads);
  std::printf("FHIR $process-message: %.0f referrals/s (%lld ok, %lld failed, %d clients)\n",
              fhir_result.rate(), static_cast<long long>(fhir_result.ok),
              static_cast<long long>(fhir_result.failed), threads);
  std::printf("ratio FHIR/gRPC: %.2f (target >= 0.5)\n", fhir_result.rate() / grpc_result.rate());
  return grpc_result.failed + fhir_result.failed == 0 ? 0 : 1;
}
