#include "server/sproutd.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <prometheus/exposer.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "base/clock.h"
#include "base/private_files.h"
#include "base/read_file.h"
#include "base/status_macros.h"
#include "base/worker_pool.h"
#include "server/admission/agency_rate_limiter.h"
#include "server/admission/calls_in_flight.h"
#include "server/admission/queue_limiter.h"
#include "server/api/admin_service.h"
#include "server/api/components.h"
#include "server/api/overdue_items.h"
#include "server/api/queue_service.h"
#include "server/api/referral_service.h"
#include "server/api/terminology_service.h"
#include "server/audit/audit_anchor_keeper.h"
#include "server/auth/server_certificates.h"
#include "server/common/errors.h"
#include "server/common/id_generator.h"
#include "server/common/keyed_hash.h"
#include "server/database_file_modes.h"
#include "server/fhir/fhir_server.h"
#include "server/intake/bindings.h"
#include "server/intake/code_maps.h"
#include "server/intake/intake.h"
#include "server/intake/lexicons.h"
#include "server/logging/access_log_interceptor.h"
#include "server/metrics/rpc_metrics_interceptor.h"
#include "server/metrics/service_metrics.h"
#include "server/outbox/message_back.h"
#include "server/pipeline/ecl_predicate_compiler.h"
#include "server/pipeline/referral_pipeline.h"
#include "server/pipeline/routing_reloader.h"
#include "server/pipeline/terminology_reloader.h"
#include "server/pipeline/waiting_count.h"
#include "server/reload_logging.h"
#include "server/routing/directory_holder.h"
#include "server/routing/directory_loader.h"
#include "server/routing/routing_config.h"
#include "server/scrape_gauges.h"
#include "server/sproutd_startup.h"
#include "server/store/body_cipher.h"
#include "server/store/data_keys.h"
#include "server/store/open_store.h"
#include "server/store/postgres/postgres_store.h"
#include "snomed/terminology.h"
#include "snomed/terminology_holder.h"

namespace sprout {
namespace {

// Everything that exists once start-up has loaded; destroyed after the gRPC
// server has stopped.
struct Loaded {
  std::unique_ptr<snomed::TerminologyHolder> terminology;
  std::unique_ptr<pipeline::EclPredicateCompiler> ecl_compiler;
  std::unique_ptr<routing::DirectoryHolder> directory;
  std::unique_ptr<routing::RoutingConfigHolder> routing;
  std::unique_ptr<pipeline::RoutingReloader> reloader;
  std::unique_ptr<intake::IntakeHolder> intake;
  std::unique_ptr<pipeline::TerminologyReloader> terminology_reloader;
  std::unique_ptr<store::Store> store;
  // After the store: stopped (writing the last anchor) before the store closes.
  std::unique_ptr<audit::AuditAnchorKeeper> anchor_keeper;
  // After the store: destroyed first, so its subscription ends before the store.
  std::unique_ptr<api::QueueWatchHub> queue_watch;
  // After the store too: drained and joined before the store closes.
  std::unique_ptr<WorkerPool> blocking;
  std::unique_ptr<KeyedHasher> person_hasher;
  // Shared with the store, which seals and opens every body with it.
  std::shared_ptr<store::BodyCipher> body_cipher;
  std::unique_ptr<IdGenerator> ids;
  std::unique_ptr<admission::AgencyRateLimiter> agency_limits;
  std::unique_ptr<admission::QueueLimiter> queue_limits;
  std::unique_ptr<pipeline::ReferralPipeline> pipeline;
  api::Components components;
};

class SproutdImpl final : public Sproutd {
 public:
  explicit SproutdImpl(SproutdOptions options)
      : options_(std::move(options)),
        calls_in_flight_(options_.max_calls_in_flight),
        state_(api::ApiOptions{options_.insecure_dev, &calls_in_flight_}),
        referrals_(&state_),
        queues_(&state_),
        terminology_(&state_),
        admin_(&state_) {}

  ~SproutdImpl() override { Shutdown(absl::Seconds(5)); }

  absl::Status Start() override {
    SPROUT_RETURN_IF_ERROR(StartListening());
    absl::Status loaded = Load();
    if (!loaded.ok()) {
      Shutdown(absl::ZeroDuration());
      return loaded;
    }
    if (absl::Status back = StartMessageBack(); !back.ok()) {
      Shutdown(absl::ZeroDuration());
      return back;
    }
    state_.SetReady(&loaded_->components);
    if (absl::Status fhir = StartFhir(); !fhir.ok()) {
      Shutdown(absl::ZeroDuration());
      return fhir;
    }
    server_->GetHealthCheckService()->SetServingStatus(true);
    spdlog::info("sproutd: SERVING on {} ({})", BoundAddress(),
                 options_.insecure_dev ? "PLAINTEXT dev mode" : "mutual TLS");
    return absl::OkStatus();
  }

  int port() const override { return port_; }
  int metrics_port() const override { return metrics_port_; }
  int fhir_port() const override { return fhir_ == nullptr ? 0 : fhir_->port(); }

  absl::Status ReloadRouting() override {
    const api::Components* components = state_.components();
    if (components == nullptr || !components->reload_directory) {
      return absl::UnavailableError("sproutd has not finished starting; nothing to reload");
    }
    absl::Status certificates =
        components->reload_certificates
            ? components->reload_certificates({"sproutd", "operator"}).status()
            : absl::OkStatus();
    absl::Status keys = components->reload_data_keys().status();
    // A new release rebuilds the routing configuration too, from the same
    // files a directory reload reads: then that is not needed as well.
    absl::Status routing =
        options_.reload_terminology_on_sighup && components->reload_terminology
            ? components->reload_terminology({"sproutd", "operator"}, {}).status()
            : components->reload_directory({"sproutd", "operator"}).status();
    if (!certificates.ok()) return certificates;
    return routing.ok() ? keys : routing;
  }

  void Wait() override {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&stopped_));
  }

  void Shutdown(absl::Duration grace) override {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) {
        mu_.Await(absl::Condition(&stopped_));
        return;
      }
      stopping_ = true;
    }
    // Its gauges read the components below; no scrape may outlive them.
    metrics_endpoint_.reset();
    // Takes no new FHIR requests and finishes those in progress while the
    // pipeline and store are still there.
    fhir_for_reload_.store(nullptr, std::memory_order_release);
    if (fhir_ != nullptr) fhir_->Stop();
    if (server_ != nullptr) {
      server_->GetHealthCheckService()->SetServingStatus(false);
      // Watch streams never end by themselves: end them so the drain does
      // not wait for its deadline. Clients reconnect with their last sequence.
      if (loaded_ != nullptr && loaded_->queue_watch != nullptr) {
        loaded_->queue_watch->CloseAll(ErrorWithInfo(
            absl::StatusCode::kUnavailable, "SHUTTING_DOWN",
            "sproutd is shutting down; reconnect and resume the watch from the last sequence"));
      }
      server_->Shutdown(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
    }
    if (certificate_timer_.joinable()) {
      stop_certificate_timer_.Notify();
      certificate_timer_.join();
    }
    // Only after the server has drained: in-flight commits finish and flush.
    if (loaded_ != nullptr) loaded_->queue_watch.reset();
    // Finishes the message it is sending; what is left stays in the outbox.
    if (message_back_ != nullptr) message_back_->Stop();
    // The last audit record is committed: anchor the trail's final head.
    if (loaded_ != nullptr && loaded_->anchor_keeper != nullptr) loaded_->anchor_keeper->Stop();
    if (loaded_ != nullptr && loaded_->store != nullptr) loaded_->store->Shutdown();
    spdlog::info("sproutd: stopped");
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }

 private:
  std::string BoundAddress() const {
    const size_t colon = options_.listen_address.rfind(':');
    return absl::StrCat(options_.listen_address.substr(0, colon), ":", port_);
  }

  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials() {
    if (options_.insecure_dev) {
      spdlog::warn(
          "sproutd: --insecure_dev: PLAINTEXT, identities from headers; "
          "development only, loopback only");
      return grpc::InsecureServerCredentials();
    }
    if (!options_.tls_crl_dir.empty() && !std::filesystem::is_directory(options_.tls_crl_dir)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--tls_crl_dir: ", options_.tls_crl_dir, " is not a folder"));
    }
    // Checked here so that a missing, unreadable or mismatched file stops
    // start-up with one line naming its flag; gRPC reads the checked copies.
    SPROUT_ASSIGN_OR_RETURN(certificates_, auth::ServerCertificates::Create(
                                               {options_.tls_cert_file, options_.tls_key_file,
                                                options_.tls_client_ca_file},
                                               {"--tls_cert", "--tls_key", "--tls_client_ca"}));
    const auth::CertificateSummary served = certificates_->current();
    spdlog::info("sproutd: serving TLS certificate {}", SummaryLine(served));
    if (served.not_after - absl::Now() < kCertificateExpiryWarning) {
      spdlog::warn("sproutd: the server certificate {} expires within 14 days; replace it",
                   served.fingerprint);
    }
    // gRPC re-reads the staged copies every second; they change only when a
    // reload stages new ones (server/auth/server_certificates.h).
    const auth::CertificatePaths staged = certificates_->staged();
    auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        staged.private_key, staged.cert_chain, staged.client_ca, /*refresh_interval_sec=*/1);
    grpc::experimental::TlsServerCredentialsOptions tls(provider);
    tls.watch_root_certs();
    tls.watch_identity_key_cert_pairs();
    tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    if (!options_.tls_crl_dir.empty()) tls.set_crl_directory(options_.tls_crl_dir);
    if (options_.tls_reload_seconds > 0) {
      certificate_timer_ = std::thread([this] { ReloadCertificatesOnTimer(); });
    }
    return grpc::experimental::TlsServerCredentials(tls);
  }

  // Re-reads the certificate files (ReloadCertificatesAndLog) and, when they
  // changed, has the FHIR listener take them up too.
  absl::StatusOr<auth::CertificateSummary> ReloadCertificates(absl::string_view source,
                                                              std::string* last_refusal = nullptr) {
    absl::StatusOr<auth::CertificateSummary> reloaded =
        ReloadCertificatesAndLog(*certificates_, source, last_refusal);
    fhir::FhirServer* fhir = fhir_for_reload_.load(std::memory_order_acquire);
    if (reloaded.ok() && reloaded->changed && fhir != nullptr) {
      if (absl::Status taken = fhir->ReloadCertificates(); !taken.ok()) {
        spdlog::error("sproutd: the FHIR listener keeps its certificates: {}",
                      std::string(taken.message()));
      }
    }
    return reloaded;
  }

  // Re-reads the certificate files every --tls_reload_seconds until shutdown.
  void ReloadCertificatesOnTimer() {
    std::string last_refusal;
    while (!stop_certificate_timer_.WaitForNotificationWithTimeout(
        absl::Seconds(options_.tls_reload_seconds))) {
      ReloadCertificates("timer", &last_refusal).IgnoreError();
    }
  }

  absl::Status StartListening() {
    SPROUT_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials, Credentials());
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(options_.listen_address, credentials, &port_);
    builder.RegisterService(&referrals_);
    builder.RegisterService(&queues_);
    builder.RegisterService(&terminology_);
    builder.RegisterService(&admin_);
    // One connection may not open streams without bound: each holds memory
    // and a share of the handlers' CPU. Past the cap the client queues them.
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                               options_.max_streams_per_connection);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(
        std::make_unique<admission::CallsInFlightInterceptorFactory>(&calls_in_flight_));
    interceptors.push_back(std::make_unique<metrics::RpcMetricsInterceptorFactory>(&metrics_));
    interceptors.push_back(
        std::make_unique<logging::AccessLogInterceptorFactory>(options_.insecure_dev));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
    server_ = builder.BuildAndStart();
    if (server_ == nullptr || port_ == 0) {
      server_.reset();
      return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.listen_address,
                                                 " (address in use or not local?)"));
    }
    server_->GetHealthCheckService()->SetServingStatus(false);
    spdlog::info("sproutd: listening on {}, NOT_SERVING while loading", BoundAddress());
    return StartMetricsEndpoint();
  }

  // The delivery of outcome messages to referrers, once the store is open.
  absl::Status StartMessageBack() {
    outbox::MessageBackOptions back;
    back.endpoints_file = options_.message_back_endpoints_file;
    if (!options_.insecure_dev) {
      back.tls = {options_.tls_cert_file, options_.tls_key_file, options_.tls_client_ca_file};
    }
    back.send_timeout = options_.message_back_timeout;
    back.delivery.retry = {options_.message_back_initial_backoff, options_.message_back_max_backoff,
                           options_.message_back_max_attempts};
    if (!options_.fhir_listen_address.empty()) {
      back.delivery.source_endpoint =
          absl::StrCat("https://", options_.fhir_listen_address, "/FHIR/R4");
    }
    SPROUT_ASSIGN_OR_RETURN(message_back_,
                            outbox::MessageBack::Start(std::move(back), loaded_->store.get(),
                                                       loaded_->components.clock));
    loaded_->components.wake_outbox = [back = message_back_.get()] { back->Wake(); };
    metrics_.AddScrapeGauge(
        {"sprout_outbox_attempts",
         "Delivery attempts of outcome messages to referrers since start-up, by what came of "
         "them (delivered, retry, dead_letter, no_endpoint)",
         [back = message_back_.get()] {
           const outbox::DelivererCounts c = back->counts();
           return std::vector<metrics::GaugeValue>{
               {{{"result", "delivered"}}, double(c.delivered)},
               {{{"result", "retry"}}, double(c.retried)},
               {{{"result", "dead_letter"}}, double(c.dead_letters)},
               {{{"result", "no_endpoint"}}, double(c.no_endpoint)}};
         }});
    spdlog::info("sproutd: outcome messages to referrers: {} organisation(s) registered",
                 message_back_->registered());
    return absl::OkStatus();
  }

  // The FHIR front door, once the pipeline it feeds is ready.
  absl::Status StartFhir() {
    if (options_.fhir_listen_address.empty()) return absl::OkStatus();
    if (certificates_ == nullptr) {
      return absl::InvalidArgumentError(
          "--fhir_listen needs mutual TLS; it cannot be used with --insecure_dev");
    }
    if (options_.fhir_threads < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("--fhir_threads=", options_.fhir_threads, ": must be at least 1"));
    }
    if (options_.fhir_max_body_bytes < 4096) {
      return absl::InvalidArgumentError(
          absl::StrCat("--fhir_max_body_bytes=", options_.fhir_max_body_bytes,
                       ": must be at least 4096 (a referral message is a few kilobytes)"));
    }
    const auth::CertificatePaths staged = certificates_->staged();
    fhir::FhirServerOptions options;
    options.listen_address = options_.fhir_listen_address;
    options.tls = {staged.cert_chain, staged.private_key, staged.client_ca, options_.tls_crl_dir};
    options.max_body_bytes = static_cast<size_t>(options_.fhir_max_body_bytes);
    options.worker_threads = options_.fhir_threads;
    options.software_version = SPROUT_VERSION;
    fhir::FhirServerDeps deps;
    deps.pipeline = loaded_->pipeline.get();
    deps.store = loaded_->store.get();
    deps.clock = loaded_->components.clock;
    deps.on_stored = [this](const sprout::v1::Referral& stored) {
      metrics_.RecordReferral(stored);
    };
    deps.on_finished = [this](absl::string_view route, int status, absl::Duration latency) {
      metrics_.RecordFhirRequest(route, status, latency);
    };
    SPROUT_ASSIGN_OR_RETURN(fhir_, fhir::FhirServer::Start(std::move(options), std::move(deps)));
    fhir_for_reload_.store(fhir_.get(), std::memory_order_release);
    const size_t colon = options_.fhir_listen_address.rfind(':');
    spdlog::info("sproutd: FHIR R4 on https://{}:{}/FHIR/R4 (mutual TLS)",
                 options_.fhir_listen_address.substr(0, colon), fhir_->port());
    return absl::OkStatus();
  }

  absl::Status StartMetricsEndpoint() {
    if (options_.metrics_listen.empty()) return absl::OkStatus();
    try {
      metrics_endpoint_ = std::make_unique<prometheus::Exposer>(options_.metrics_listen,
                                                                /*num_threads=*/1);
    } catch (const std::exception& e) {
      return absl::UnavailableError(absl::StrCat("--metrics_listen: cannot listen on ",
                                                 options_.metrics_listen, ": ", e.what()));
    }
    for (const std::weak_ptr<prometheus::Collectable>& c : metrics_.collectables()) {
      metrics_endpoint_->RegisterCollectable(c);
    }
    const std::vector<int> ports = metrics_endpoint_->GetListeningPorts();
    metrics_port_ = ports.empty() ? 0 : ports.front();
    const size_t colon = options_.metrics_listen.rfind(':');
    spdlog::info("sproutd: metrics on http://{}:{}/metrics",
                 options_.metrics_listen.substr(0, colon), metrics_port_);
    return absl::OkStatus();
  }

  absl::Status Load() {
    auto loaded = std::make_unique<Loaded>();
    const Clock* clock = RealClock();

    // Terminology.
    absl::Duration terminology_load_time;
    absl::StatusOr<std::shared_ptr<const snomed::Terminology>> terminology =
        LoadStartupTerminology(options_, &terminology_load_time);
    if (!terminology.ok()) return terminology.status();
    loaded->terminology = std::make_unique<snomed::TerminologyHolder>(*terminology);
    loaded->ecl_compiler =
        std::make_unique<pipeline::EclPredicateCompiler>(loaded->terminology.get());

    // Directory and routing policy, validated together; reloads re-read the
    // same files the same way.
    pipeline::RoutingSources sources{options_.directory_dir, options_.routing_policy_file};
    absl::StatusOr<std::shared_ptr<const routing::RoutingConfig>> config =
        pipeline::LoadRoutingConfig(sources, *loaded->ecl_compiler);
    if (!config.ok()) return config.status();
    const std::shared_ptr<const routing::Directory>& directory = (*config)->directory;
    loaded->directory = std::make_unique<routing::DirectoryHolder>(directory);
    loaded->routing = std::make_unique<routing::RoutingConfigHolder>(*config);
    spdlog::info("sproutd: directory {} ({} PCNs, {} practices, {} link workers), policy '{}' {}",
                 directory->version(), directory->pcns().size(), directory->practices().size(),
                 directory->link_workers().size(), (*config)->policy->name(),
                 (*config)->policy->version());

    // Store and keys. A key others may read is no secret: refuse to start.
    SPROUT_RETURN_IF_ERROR(
        CheckKeyFilePrivate("--pseudonym_key_file", options_.pseudonym_key_file));
    absl::StatusOr<KeyedHasher> hasher = KeyedHasher::FromFile(options_.pseudonym_key_file);
    if (!hasher.ok()) {
      return absl::Status(hasher.status().code(),
                          absl::StrCat("--pseudonym_key_file: ", hasher.status().message()));
    }
    loaded->person_hasher = std::make_unique<KeyedHasher>(*std::move(hasher));
    // ReadFile refuses a key file others may read, in one line.
    absl::StatusOr<store::DataKeyRing> data_keys =
        store::DataKeyRing::ReadFile("--data_key_file", options_.data_key_file);
    if (!data_keys.ok()) return data_keys.status();
    spdlog::info("sproutd: {} data key(s), write key {}", data_keys->keys().size(),
                 data_keys->write_key().id);
    loaded->body_cipher = std::make_shared<store::BodyCipher>(*std::move(data_keys));
    // A SQLite file, or a PostgreSQL connection string (never logged whole:
    // it may hold a password).
    store::OpenStoreOptions store_options;
    store_options.db = options_.database_file;
    store_options.max_pending_writes = options_.max_pending_writes;
    store_options.cipher = loaded->body_cipher;
    store_options.writer_observer = [metrics = &metrics_](size_t jobs, absl::Duration commit,
                                                          bool committed) {
      metrics->RecordWriterBatch(jobs, commit, committed);
    };
    store_options.sync_observer = [metrics = &metrics_](absl::string_view file,
                                                        absl::Duration took) {
      metrics->RecordSync(file, took);
    };
    absl::StatusOr<std::unique_ptr<store::Store>> store = store::OpenStore(store_options);
    if (!store.ok()) {
      return absl::Status(store.status().code(),
                          absl::StrCat("database: ", store.status().message()));
    }
    loaded->store = *std::move(store);
    spdlog::info("sproutd: database {} open", store::DescribeStoreTarget(options_.database_file));
    ReportDatabaseFilesOpenToOthers(options_.database_file);

    // Intake: bindings, code maps and lexicons over the release, with the
    // phrases accepted from coding review (kept in the store); a terminology
    // reload rebuilds it the same way.
    pipeline::TerminologySources terminology_sources;
    terminology_sources.release_dirs = options_.snomed_release_dirs;
    terminology_sources.cache_file = options_.snomed_cache_file;
    terminology_sources.bindings_file = options_.bindings_file;
    terminology_sources.codemaps_dir = options_.codemaps_dir;
    terminology_sources.lexicons_dir = options_.lexicons_dir;
    absl::StatusOr<std::vector<intake::AcceptedPhrase>> accepted =
        pipeline::AcceptedPhrases(*loaded->store);
    if (!accepted.ok()) return accepted.status();
    absl::StatusOr<std::shared_ptr<const intake::ReferralIntake>> intake = pipeline::LoadIntake(
        terminology_sources, *terminology, intake::IntakeOptions(), clock, *accepted);
    if (!intake.ok()) return intake.status();
    spdlog::info(
        "sproutd: intake: bindings {}, {} code maps, lexicons {} with {} phrase(s) accepted from "
        "coding review",
        options_.bindings_file, (*intake)->coder().code_maps().size(), options_.lexicons_dir,
        accepted->size());
    loaded->intake = std::make_unique<intake::IntakeHolder>(*std::move(intake));
    if (!options_.audit_anchor_file.empty()) {
      SPROUT_RETURN_IF_ERROR(CreatePrivateFolders(
          std::filesystem::path(options_.audit_anchor_file).parent_path().string()));
      audit::AuditAnchorKeeper::Options anchor;
      anchor.path = options_.audit_anchor_file;
      anchor.every_records = options_.audit_anchor_every;
      absl::StatusOr<std::unique_ptr<audit::AuditAnchorKeeper>> keeper =
          audit::AuditAnchorKeeper::Start(loaded->store.get(), loaded->person_hasher.get(),
                                          std::move(anchor));
      if (!keeper.ok()) {
        return absl::Status(keeper.status().code(),
                            absl::StrCat("--audit_anchor_file: ", keeper.status().message()));
      }
      loaded->anchor_keeper = *std::move(keeper);
    }
    // Every routing decision names the directory version it used; keep a
    // record of when each version was in force.
    store::DirectoryVersion version;
    version.version = directory->version();
    version.loaded_time = clock->Now();
    version.description = absl::StrCat(
        "directory ", options_.directory_dir, ", policy ", options_.routing_policy_file, " '",
        (*config)->policy->name(), "' ", (*config)->policy->version());
    if (absl::Status recorded = loaded->store->RecordDirectoryVersion(version); !recorded.ok()) {
      return absl::Status(
          recorded.code(),
          absl::StrCat("database: recording the directory version: ", recorded.message()));
    }

    loaded->queue_watch = std::make_unique<api::QueueWatchHub>(loaded->store.get());
    loaded->ids = std::make_unique<RandomIdGenerator>(clock);
    pipeline::PipelineDeps deps;
    deps.intake = loaded->intake.get();
    deps.routing_config = loaded->routing.get();
    deps.store = loaded->store.get();
    deps.clock = clock;
    deps.ids = loaded->ids.get();
    deps.person_hasher = loaded->person_hasher.get();
    if (options_.agency_rate_per_second > 0) {
      admission::AgencyRateLimits agency;
      agency.rate_per_second = options_.agency_rate_per_second;
      agency.burst = options_.agency_burst;
      loaded->agency_limits = std::make_unique<admission::AgencyRateLimiter>(agency, clock);
      deps.agency_limits = loaded->agency_limits.get();
    }
    if (options_.pcn_queue_limit > 0) {
      admission::QueueLimits queue;
      queue.max_waiting = options_.pcn_queue_limit;
      store::Store* store = loaded->store.get();
      loaded->queue_limits = std::make_unique<admission::QueueLimiter>(
          queue,
          [store](absl::string_view limited_queue) {
            return pipeline::CountWaitingItems(*store, limited_queue);
          },
          clock);
      deps.queue_limits = loaded->queue_limits.get();
    }
    spdlog::info(
        "sproutd: agency rate limit {}, PCN queue limit {}",
        options_.agency_rate_per_second > 0
            ? absl::StrCat(options_.agency_rate_per_second, "/s burst ", options_.agency_burst)
            : "off",
        options_.pcn_queue_limit > 0 ? absl::StrCat(options_.pcn_queue_limit) : "off");
    loaded->pipeline = std::make_unique<pipeline::ReferralPipeline>(deps);

    api::Components& c = loaded->components;
    c.clock = clock;
    c.terminology = loaded->terminology.get();
    c.directory = loaded->directory.get();
    c.routing_config = loaded->routing.get();
    c.intake = loaded->intake.get();
    c.store = loaded->store.get();
    c.audit_anchor_file = options_.audit_anchor_file;
    c.audit_anchor_key = loaded->person_hasher.get();
    // Blocking reads and audit appends: enough threads that a slow
    // PostgreSQL round trip does not hold up the others.
    loaded->blocking = std::make_unique<WorkerPool>(options_.blocking_threads);
    c.blocking = loaded->blocking.get();
    c.route_inline = !store::IsPostgresConnInfo(options_.database_file);
    c.pipeline = loaded->pipeline.get();
    c.queue_watch = loaded->queue_watch.get();
    c.agency_limits = loaded->agency_limits.get();
    c.queue_limits = loaded->queue_limits.get();
    c.overdue.routine_working_days = options_.overdue_working_days;
    c.overdue.urgent_working_days = options_.overdue_urgent_working_days;
    pipeline::ReloaderDeps reloader_deps;
    reloader_deps.sources = sources;
    reloader_deps.compiler = loaded->ecl_compiler.get();
    reloader_deps.config = loaded->routing.get();
    reloader_deps.directory = loaded->directory.get();
    reloader_deps.store = loaded->store.get();
    reloader_deps.clock = clock;
    loaded->reloader = std::make_unique<pipeline::RoutingReloader>(std::move(reloader_deps));
    c.reload_directory = [reloader = loaded->reloader.get()](const pipeline::ReloadActor& actor) {
      return ReloadAndLog(*reloader, actor);
    };
    pipeline::TerminologyReloaderDeps terminology_deps;
    terminology_deps.sources = terminology_sources;
    terminology_deps.routing_sources = sources;
    terminology_deps.terminology = loaded->terminology.get();
    terminology_deps.intake = loaded->intake.get();
    terminology_deps.config = loaded->routing.get();
    terminology_deps.directory = loaded->directory.get();
    terminology_deps.routing_reloader = loaded->reloader.get();
    terminology_deps.store = loaded->store.get();
    terminology_deps.clock = clock;
    loaded->terminology_reloader =
        std::make_unique<pipeline::TerminologyReloader>(std::move(terminology_deps));
    c.reload_terminology = [reloader = loaded->terminology_reloader.get()](
                               const pipeline::ReloadActor& actor,
                               std::vector<std::string> release_dirs) {
      return ReloadTerminologyAndLog(*reloader, actor, std::move(release_dirs));
    };
    c.accept_lexicon_phrase = [reloader = loaded->terminology_reloader.get()](
                                  const store::LexiconAddition& addition,
                                  const store::AuditEvent& audit) {
      return reloader->AcceptPhrase(addition, audit);
    };
    c.reload_data_keys = [path = options_.data_key_file, cipher = loaded->body_cipher.get()] {
      return ReloadDataKeys(path, *cipher);
    };
    if (certificates_ != nullptr) {
      c.reload_certificates = [this](const pipeline::ReloadActor& actor) {
        return ReloadCertificates(absl::StrCat("by ", actor.organisation, " ", actor.role));
      };
    }
    c.metrics = &metrics_;
    ScrapeSources gauges;
    gauges.terminology = loaded->terminology.get();
    gauges.terminology_load_time = terminology_load_time;
    gauges.routing = loaded->routing.get();
    gauges.directory = loaded->directory.get();
    gauges.queue_limits = loaded->queue_limits.get();
    gauges.store = loaded->store.get();
    gauges.calls_in_flight = &calls_in_flight_;
    gauges.overdue = loaded->components.overdue;
    if (!store::IsPostgresConnInfo(options_.database_file)) {
      gauges.sqlite_wal = options_.database_file + "-wal";
    }
    AddScrapeGauges(metrics_, gauges);
    loaded_ = std::move(loaded);
    return absl::OkStatus();
  }

  const SproutdOptions options_;
  // Unary calls being served, kept by an interceptor; every call checks it
  // first (--max_calls_in_flight).
  admission::CallsInFlight calls_in_flight_;
  api::ServiceState state_;
  api::ReferralServiceImpl referrals_;
  api::QueueServiceImpl queues_;
  api::TerminologyServiceImpl terminology_;
  api::AdminServiceImpl admin_;
  // The TLS material gRPC serves (null in plaintext development mode), and
  // the thread re-reading it every --tls_reload_seconds.
  std::unique_ptr<auth::ServerCertificates> certificates_;
  std::unique_ptr<fhir::FhirServer> fhir_;
  // Sends outcome messages from the store's outbox; stopped in Shutdown
  // before the store is.
  std::unique_ptr<outbox::MessageBack> message_back_;
  // fhir_ for the certificate reloads, which may run on the timer thread
  // from before the listener starts.
  std::atomic<fhir::FhirServer*> fhir_for_reload_{nullptr};
  // Every RPC is counted by the interceptor; the endpoint serves them.
  metrics::ServiceMetrics metrics_;
  std::unique_ptr<prometheus::Exposer> metrics_endpoint_;
  int metrics_port_ = 0;
  std::thread certificate_timer_;
  absl::Notification stop_certificate_timer_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::unique_ptr<Loaded> loaded_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Sproutd>> Sproutd::Create(SproutdOptions options) {
  SPROUT_RETURN_IF_ERROR(CheckSproutdOptions(options));
  return std::unique_ptr<Sproutd>(new SproutdImpl(std::move(options)));
}

}  // namespace sprout
