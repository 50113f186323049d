// File: server/fhir/fhir_server.h
//
// sproutd's FHIR R4 front door (BaRS): an HTTPS listener, mutual TLS with the
// same certificates and identities as gRPC, that takes referral messages on
// POST /FHIR/R4/$process-message into the same pipeline as SubmitReferral
// (one pipeline, two front doors) and serves what a BaRS sender reads first
// (GET /FHIR/R4/metadata, GET /FHIR/R4/MessageDefinition), and lets a
// referrer read its own referrals back (GET /FHIR/R4/ServiceRequest/{id},
// GET /FHIR/R4/Task?focus=ServiceRequest/{id}) under the same rules and
// audit as GetReferral.
//
// Requests run on the listener's own worker threads (cpp-httplib's pool), not
// on gRPC's: each waits for its commit, which is the pool's job, and never
// holds a gRPC thread (ADR 0001).
#ifndef SPROUT_SERVER_FHIR_FHIR_SERVER_H_
#define SPROUT_SERVER_FHIR_FHIR_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "server/fhir/tls_material.h"
#include "server/pipeline/referral_pipeline.h"

namespace sprout::fhir {

struct FhirServerOptions {
  // "host:port"; port 0 picks a free one (see FhirServer::port()).
  std::string listen_address;
  // The server's chain and key, the CA that issues client certificates
  // (gRPC's staged copies, so both doors serve the same checked material)
  // and the CRL folder.
  TlsFiles tls;
  // Larger bodies are refused with 413 before they are read.
  size_t max_body_bytes = 1 << 20;
  int worker_threads = 16;
  std::string software_version;
};

struct FhirServerDeps {
  const pipeline::ReferralPipeline* pipeline = nullptr;
  // Reads for GET ServiceRequest and Task, and their audit records.
  store::Store* store = nullptr;
  const Clock* clock = nullptr;
  // Called with each referral stored through this door (not for replays):
  // the counters gRPC's SubmitReferral keeps. May be empty.
  std::function<void(const sprout::v1::Referral&)> on_stored;
  // Called as each request finishes, with its route (RouteOf), HTTP status
  // and latency: for the metrics. May be empty.
  std::function<void(absl::string_view route, int http_status, absl::Duration latency)> on_finished;
};

// The route a request path takes, a bounded label for metrics:
// "process-message", "ServiceRequest", "Task", "metadata",
// "MessageDefinition", or "other".
absl::string_view RouteOf(absl::string_view path);

class FhirServer {
 public:
  // Binds and starts serving. FAILED_PRECONDITION naming --fhir_listen when
  // the address cannot be bound or the TLS material cannot be loaded.
  static absl::StatusOr<std::unique_ptr<FhirServer>> Start(FhirServerOptions options,
                                                           FhirServerDeps deps);
  ~FhirServer();  // stops

  FhirServer(const FhirServer&) = delete;
  FhirServer& operator=(const FhirServer&) = delete;

  int port() const;
  // Re-reads the certificate, key, client CA and CRL files it was started
  // with (gRPC's staged copies) for new connections; on error what is served
  // stays. Call after the server certificates were reloaded. Thread-safe.
  absl::Status ReloadCertificates();
  // Stops taking connections and waits for requests in progress. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit FhirServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sprout::fhir

#endif  // SPROUT_SERVER_FHIR_FHIR_SERVER_H_
