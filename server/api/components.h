// The running parts a gRPC adapter calls, and when they are ready.
#ifndef SPROUT_SERVER_API_COMPONENTS_H_
#define SPROUT_SERVER_API_COMPONENTS_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/clock.h"
#include "server/admission/agency_rate_limiter.h"
#include "server/admission/calls_in_flight.h"
#include "server/admission/queue_limiter.h"
#include "server/api/queue_watch_hub.h"
#include "server/auth/server_certificates.h"
#include "server/common/keyed_hash.h"
#include "server/intake/code_maps.h"
#include "server/intake/intake.h"
#include "server/lifecycle/queue_timing.h"
#include "server/metrics/service_metrics.h"
#include "server/pipeline/referral_pipeline.h"
#include "server/pipeline/routing_reloader.h"
#include "server/pipeline/terminology_reloader.h"
#include "server/routing/directory_holder.h"
#include "server/routing/routing_config.h"
#include "server/store/store.h"
#include "snomed/terminology_holder.h"

namespace sprout {
class WorkerPool;
}  // namespace sprout

namespace sprout::api {

// Everything the services use once start-up has finished. Owned by the
// server; the services hold a pointer that stays valid until shutdown.
struct Components {
  const Clock* clock = nullptr;
  snomed::TerminologyHolder* terminology = nullptr;
  routing::DirectoryHolder* directory = nullptr;
  const routing::RoutingConfigHolder* routing_config = nullptr;  // router + directory in force
  // The intake (coder, code maps, lexicons) in force; replaced on a
  // terminology reload.
  const intake::IntakeHolder* intake = nullptr;
  store::Store* store = nullptr;
  // Runs handlers' blocking work (store reads with their audit appends) off
  // gRPC's callback threads (ADR 0001).
  WorkerPool* blocking = nullptr;
  // Whether SubmitReferral and ValidateReferral route on gRPC's thread: true
  // with SQLite, whose routing reads (caseload counters, the person's open
  // episode) are local indexed lookups that never wait for the writer (WAL),
  // where the hop to the pool would cost more than they do (ADR 0001); false
  // with PostgreSQL, whose reads are network round trips.
  bool route_inline = false;
  const pipeline::ReferralPipeline* pipeline = nullptr;
  QueueWatchHub* queue_watch = nullptr;  // wakes WatchQueue streams
  // Backpressure (README "Backpressure"), for statistics; null when off.
  const admission::AgencyRateLimiter* agency_limits = nullptr;
  const admission::QueueLimiter* queue_limits = nullptr;
  // The audit anchor file VerifyAuditLog checks the trail against, and the
  // key that signs it; empty path: no anchor.
  std::string audit_anchor_file;
  const KeyedHasher* audit_anchor_key = nullptr;
  // When an item left unclaimed is overdue (--overdue_working_days).
  lifecycle::OverduePolicy overdue;
  // Re-reads the directory and routing policy files given at start-up,
  // validates them, and swaps them in (pipeline::RoutingReloader::Reload),
  // logging the result; the same path as SIGHUP. Null when reload is not
  // supported.
  std::function<absl::StatusOr<pipeline::ReloadOutcome>(const pipeline::ReloadActor&)>
      reload_directory;
  // Loads a SNOMED CT release (the start-up folders, or those given) and
  // swaps it in with everything rebuilt against it
  // (pipeline::TerminologyReloader::Reload), logging the result; the same
  // path as SIGHUP with --reload_terminology_on_sighup. Null when not
  // supported.
  std::function<absl::StatusOr<pipeline::TerminologyReloadOutcome>(const pipeline::ReloadActor&,
                                                                   std::vector<std::string>)>
      reload_terminology;
  // Adds a phrase accepted from coding review to its agency's lexicon, with
  // its audit record, and swaps in the intake rebuilt with it
  // (pipeline::TerminologyReloader::AcceptPhrase); returns the lexicon's new
  // label. Null when not supported.
  std::function<absl::StatusOr<std::string>(const store::LexiconAddition&,
                                            const store::AuditEvent&)>
      accept_lexicon_phrase;
  // Re-reads the data key file given at start-up into the store's body
  // cipher (its last key becomes the write key) and returns the key ids, the
  // write key last; the same path as SIGHUP. The old keys stay in force on
  // error. Null when not supported.
  std::function<absl::StatusOr<std::vector<std::string>>()> reload_data_keys;
  // Re-reads and checks the server certificate, key and client CA files given
  // at start-up and stages them for new connections
  // (auth::ServerCertificates::Reload), logging the result; the same path as
  // SIGHUP. What was served stays on error. Null in plaintext development mode.
  std::function<absl::StatusOr<auth::CertificateSummary>(const pipeline::ReloadActor&)>
      reload_certificates;
  // Tells the outbox's delivery worker to look for due messages now (after
  // a redelivery). Null when there is none.
  std::function<void()> wake_outbox;
  // Counts stored referrals (RPCs are counted by an interceptor); null: none.
  metrics::ServiceMetrics* metrics = nullptr;
};

// How callers are identified.
struct ApiOptions {
  // Plaintext dev mode: the caller's identity comes from the
  // "x-sprout-principal" metadata header (a principal URI, see
  // auth/principal.h) instead of a client certificate. Never in production.
  bool insecure_dev = false;
  // The server-wide limit on unary calls in flight, checked first by every
  // call (BeginCall). Null: no limit. Must outlive the server.
  const admission::CallsInFlight* calls_in_flight = nullptr;
};

// Shared by all services: the options and, once start-up finishes, the
// components. Before that every call answers UNAVAILABLE. Thread-safe.
class ServiceState {
 public:
  explicit ServiceState(ApiOptions options) : options_(options) {}

  const ApiOptions& options() const { return options_; }
  // Null until SetReady().
  const Components* components() const { return ready_.load(std::memory_order_acquire); }
  // REQUIRES: `components` outlives every call.
  void SetReady(const Components* components) {
    ready_.store(components, std::memory_order_release);
  }

 private:
  const ApiOptions options_;
  std::atomic<const Components*> ready_{nullptr};
};

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_COMPONENTS_H_
