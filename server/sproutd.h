// File: server/sproutd.h
//
// The sproutd server: builds every component from Options, serves the four
// Sprout services plus grpc.health.v1 and reflection, and shuts down
// gracefully. main.cc only turns flags into Options and signals into Shutdown.
//
//   SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<Sproutd> server, Sproutd::Create(options));
//   SPROUT_RETURN_IF_ERROR(server->Start());   // listening, then loading, then SERVING
//   ...                                         // until SIGTERM
//   server->Shutdown(absl::Seconds(10));
#ifndef SPROUT_SERVER_SPROUTD_H_
#define SPROUT_SERVER_SPROUTD_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sprout {

// Everything sproutd needs to start. Relative paths are resolved against the
// working directory. Defaults are the embedded demo set-up.
struct SproutdOptions {
  // Where to listen. Default: loopback only.
  std::string listen_address = "127.0.0.1:50051";
  // The FHIR R4 / BaRS front door (server/fhir/): HTTPS with mutual TLS on
  // the same certificates, CA and CRLs as gRPC. Empty: off. Needs TLS (not
  // with insecure_dev).
  std::string fhir_listen_address;
  // The largest FHIR request body taken; larger ones get 413 unread.
  int fhir_max_body_bytes = 1 << 20;
  // FHIR requests served at once (each waits for its commit on its thread).
  int fhir_threads = 16;
  // The message back to referrers (server/outbox/): the file registering
  // each organisation's endpoint (empty: none registered, and every outcome
  // message is kept as NO_ENDPOINT), and how delivery retries. Sent with the
  // TLS certificate and key below as the client certificate, checking the
  // receiver against the client CA file.
  std::string message_back_endpoints_file;
  int message_back_max_attempts = 20;
  absl::Duration message_back_initial_backoff = absl::Seconds(5);
  absl::Duration message_back_max_backoff = absl::Minutes(15);
  absl::Duration message_back_timeout = absl::Seconds(10);

  // Mutual TLS (the default): the server's certificate chain and key, and the
  // CA that issues client certificates. All three are required unless
  // insecure_dev.
  std::string tls_cert_file = "certs/out/server.pem";
  std::string tls_key_file = "certs/out/server.key";
  std::string tls_client_ca_file = "certs/out/ca.pem";
  // The three files above are re-read on SIGHUP, by
  // AdminService.ReloadDirectory and, when this is above 0, every this many
  // seconds. Each time they are checked (PEM, the key matches the
  // certificate, valid now) before gRPC sees them: a good set takes effect for
  // new connections within a second, connections already open keep theirs,
  // and a bad set is refused and logged while the previous one stays.
  int tls_reload_seconds = 10;
  // A folder of certificate revocation lists, each named by its issuer's
  // hash as `openssl rehash` names them ({hash}.r0): a client certificate
  // they revoke is refused at the handshake. Empty: no revocation checks.
  std::string tls_crl_dir;
  // Plaintext, for development only: allowed only on a loopback address; the
  // caller's identity is taken from the x-sprout-principal header. Default off.
  bool insecure_dev = false;

  // SNOMED CT RF2 release folders (International + UK edition, or the bundled
  // starter release). Default: the starter release.
  std::vector<std::string> snomed_release_dirs = {"snomed/data/starter"};
  // Binary cache of the loaded release; empty disables it. Default: under var/.
  std::string snomed_cache_file = "var/snomed.cache";

  // The PCN directory folder (ePCN files, postcode coverage, link workers).
  std::string directory_dir = "deploy/demo/directory";
  // The routing policy (protobuf text format).
  std::string routing_policy_file = "deploy/demo/routing_policy.textproto";
  // Agency local code maps (*.textproto).
  std::string codemaps_dir = "deploy/demo/codemaps";
  std::string lexicons_dir = "deploy/demo/lexicons";
  // SIGHUP also reloads the SNOMED CT release (and rebuilds what names its
  // concepts) from the --snomed_release folders.
  bool reload_terminology_on_sighup = false;
  // Coding bindings (protobuf text, proto/sprout/config/v1/bindings.proto):
  // the reason and referral-source ECL and the service code, checked against
  // the release at start-up. Default "deploy/demo/bindings.textproto".
  std::string bindings_file = "deploy/demo/bindings.textproto";

  // The embedded SQLite database file (its folder is created if missing), or
  // a PostgreSQL connection string ("postgresql://..." or "host=...
  // dbname=...") for several replicas sharing one database.
  std::string database_file = "var/sprout.db";
  // At least 32 random bytes: the key of the keyed hash (HMAC-SHA256) that
  // pseudonymises people for episode matching and the routing log.
  std::string pseudonym_key_file = "var/pseudonym.key";
  // The data keys that encrypt patient data at rest (server/store/data_keys.h,
  // doc/encryption-at-rest.md); made by `sprout-keys new`. Must not be
  // readable by group or others. Re-read on SIGHUP and by
  // AdminService.ReencryptPatientData.
  std::string data_key_file = "var/data.keys";
  // The audit anchor (server/audit/audit_anchor.h): the audit trail's head,
  // signed with the pseudonym key and kept outside the database so records
  // cut from the trail's end are detected. Empty: no anchor.
  std::string audit_anchor_file;  // sproutd's flag default: var/audit.anchor
  // Rewrite the anchor once the trail has grown by this many records (and
  // within 30 seconds of any growth, and at shutdown).
  int audit_anchor_every = 100;
  // Submissions waiting for the writer beyond this are refused with
  // RESOURCE_EXHAUSTED (back-pressure instead of unbounded queueing).
  int max_pending_writes = 4096;
  // Threads of the pool that runs the calls that read the store or wait for
  // it (ADR 0001), so a slow database never holds gRPC's own threads.
  int blocking_threads = 8;
  // Unary calls served at once, server-wide, before more are refused at once
  // with RESOURCE_EXHAUSTED (reason SERVER_BUSY, RetryInfo): past the load
  // the machine can serve, more concurrency only adds queueing (P10). 0: no
  // limit. Default 64: on two cores SubmitReferral reaches its highest rate
  // at 64 in flight, and a higher limit only lengthens the queue
  // (BENCHMARKS.md "Overload (P10)"). Scale it with the cores.
  int max_calls_in_flight = 64;
  // Concurrent streams (calls and watches) one client connection may have
  // open (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS); a client past it waits
  // for one of its own calls to end. At least 1. Default 256.
  int max_streams_per_connection = 256;

  // Backpressure between tenants (README "Backpressure"): refusals are
  // RESOURCE_EXHAUSTED with RetryInfo and store nothing.
  // Per submitting organisation, SubmitReferral calls allowed per second,
  // sustained; 0 disables. Default: 50, far above one agency's normal use.
  // Costs one hash-map probe per call and ~100 bytes per active organisation.
  double agency_rate_per_second = 50;
  // Calls an idle organisation may make at once. At least 1. Default: 200.
  int agency_burst = 200;
  // Referrals that may wait on one PCN (all its queues) or triage queue
  // before submissions routed there are refused; 0 disables. Default: 5000.
  // The count is read from the store once per PCN every 30 s (a scan of its
  // waiting items) and kept in memory in between.
  int pcn_queue_limit = 5000;
  // Working days (Monday to Friday) an item may wait unclaimed before it is
  // flagged overdue: routine and urgent. At least 1. Default: 3 and 1.
  int overdue_working_days = 3;
  int overdue_urgent_working_days = 1;

  // Where the Prometheus metrics endpoint listens (HTTP, GET /metrics;
  // doc/metrics.md), e.g. "127.0.0.1:9464"; port 0 picks a free one. Empty:
  // no endpoint. The sproutd binary's default is 127.0.0.1:9464, loopback
  // only: expose it further only to the scraper's network.
  std::string metrics_listen;
};

class Sproutd {
 public:
  // Create()
  //
  // Checks the options (INVALID_ARGUMENT naming the option when one is
  // unusable, e.g. insecure_dev on a non-loopback address). Loads nothing.
  static absl::StatusOr<std::unique_ptr<Sproutd>> Create(SproutdOptions options);
  virtual ~Sproutd() = default;

  // Start()
  //
  // Starts listening (health NOT_SERVING, every call UNAVAILABLE), loads the
  // terminology, directory, policy, code maps and store, then flips health to
  // SERVING. Returns the first start-up error with a one-line message naming
  // the file and problem; the server is then stopped.
  virtual absl::Status Start() = 0;

  // The port actually bound (useful with listen_address "127.0.0.1:0").
  virtual int port() const = 0;

  // The metrics endpoint's port; 0 without one.
  virtual int metrics_port() const = 0;

  // The FHIR listener's port; 0 without one.
  virtual int fhir_port() const = 0;

  // ReloadRouting()
  //
  // What SIGHUP does: as AdminService.ReloadDirectory on behalf of the
  // operator (audited as organisation "sproutd", role "operator"). Re-reads
  // the directory folder and routing policy file given at start-up,
  // validates them fully, then swaps them in; requests in flight finish with
  // the old ones. Also re-reads the data key file (a new write key is used
  // from then on). Logs one line for each. On FAILED_PRECONDITION (a bad
  // file, named with the problem) the old configuration stays in force.
  // UNAVAILABLE before Start() has finished.
  virtual absl::Status ReloadRouting() = 0;

  // Blocks until Shutdown() completes.
  virtual void Wait() = 0;

  // Shutdown()
  //
  // Health NOT_SERVING, stop accepting calls, let in-flight calls finish for up
  // to `grace` (then cancel them), flush the store's writer. Idempotent.
  virtual void Shutdown(absl::Duration grace) = 0;
};

}  // namespace sprout

#endif  // SPROUT_SERVER_SPROUTD_H_
