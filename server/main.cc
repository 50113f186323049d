// sproutd: the Sprout server. Flags live here only (STYLE.md F1); they are
// copied into SproutdOptions, whose comments document each one.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/stubs/logging.h"
#include "server/grpc_log_bridge.h"
#include "server/logging/log_format.h"
#include "server/sproutd.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "host:port to listen on (port 0: any free port)");
ABSL_FLAG(std::string, tls_cert, "certs/out/server.pem", "server certificate chain (PEM)");
ABSL_FLAG(std::string, tls_key, "certs/out/server.key", "server private key (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "certs/out/ca.pem",
          "CA that issues client certificates (PEM); clients must present one");
ABSL_FLAG(int, tls_reload_seconds, 10,
          "also re-read --tls_cert, --tls_key and --tls_client_ca this often (they are always "
          "re-read on SIGHUP and by `admin reload`); checked files take effect for new "
          "connections without a restart, bad ones are refused and logged (0: no timer)");
ABSL_FLAG(std::string, tls_crl_dir, "",
          "folder of certificate revocation lists named as `openssl rehash` names them "
          "({issuer hash}.r0); client certificates they revoke are refused (empty: none)");
ABSL_FLAG(bool, insecure_dev, false,
          "DEVELOPMENT ONLY: plaintext on loopback, identity from the x-sprout-principal header");
ABSL_FLAG(std::vector<std::string>, snomed_release, {"snomed/data/starter"},
          "SNOMED CT RF2 release folder(s), comma-separated (e.g. the UK Clinical Edition "
          "from TRUD); default: the bundled starter release");
ABSL_FLAG(std::string, snomed_cache, "var/snomed.cache",
          "binary cache of the loaded release (empty: no cache)");
ABSL_FLAG(std::string, directory, "deploy/demo/directory",
          "PCN directory folder (ePCN CSVs, postcode coverage, link workers)");
ABSL_FLAG(std::string, routing_policy, "deploy/demo/routing_policy.textproto",
          "routing policy (protobuf text format)");
ABSL_FLAG(std::string, codemaps, "deploy/demo/codemaps", "agency local code maps folder");
ABSL_FLAG(bool, reload_terminology_on_sighup, false,
          "SIGHUP also reloads the SNOMED CT release from the --snomed_release folders (as "
          "AdminService.ReloadTerminology does), refusing a release that no longer resolves "
          "everything the configuration names");
ABSL_FLAG(std::string, lexicons, "deploy/demo/lexicons",
          "agency phrase lexicons folder (free-text coding)");
ABSL_FLAG(std::string, bindings, "deploy/demo/bindings.textproto",
          "coding bindings (protobuf text format): the ECL reasons and referral sources must "
          "satisfy and the service code; every concept named must be in the release");
ABSL_FLAG(std::string, db, "var/sprout.db",
          "SQLite database file, or a PostgreSQL connection string (postgresql://... or "
          "\"host=... dbname=...\") for several replicas sharing one database");
ABSL_FLAG(std::string, pseudonym_key_file, "var/pseudonym.key",
          "file of at least 32 random bytes keying the person pseudonym hash");
ABSL_FLAG(std::string, data_key_file, "var/data.keys",
          "the keys (made by sprout-keys) that encrypt patient data in the database; "
          "the last line is the write key; re-read on SIGHUP");
ABSL_FLAG(std::string, audit_anchor_file, "var/audit.anchor",
          "the audit trail's head, signed with the pseudonym key and kept outside the "
          "database, so records cut from the trail's end are detected; copy it off the machine "
          "with the backups (empty: no anchor)");
ABSL_FLAG(int, audit_anchor_every, 100,
          "rewrite the audit anchor after this many audit records (and within 30 s of any)");
ABSL_FLAG(int, max_pending_writes, 4096,
          "submissions queued for the writer before RESOURCE_EXHAUSTED");
ABSL_FLAG(int, blocking_threads, 8,
          "threads that run the calls that read the store or wait for it, off gRPC's own "
          "threads (a slow database holds these, never gRPC's)");
ABSL_FLAG(int, max_calls_in_flight, 64,
          "unary calls served at once before more get RESOURCE_EXHAUSTED (SERVER_BUSY) at once, "
          "so admitted calls keep their latency under overload (0: no limit)");
ABSL_FLAG(int, max_streams_per_connection, 256,
          "concurrent calls and watches one client connection may have open; past it the "
          "client waits for one of its own to end");
ABSL_FLAG(double, agency_rate_per_second, 50,
          "SubmitReferral calls per second allowed to each organisation, sustained "
          "(0: no limit); beyond it, RESOURCE_EXHAUSTED with RetryInfo");
ABSL_FLAG(int, agency_burst, 200, "SubmitReferral calls an idle organisation may make at once");
ABSL_FLAG(int, pcn_queue_limit, 5000,
          "referrals that may wait on one PCN or triage queue before submissions routed "
          "there get RESOURCE_EXHAUSTED (0: no limit)");
ABSL_FLAG(int, overdue_working_days, 3,
          "working days (Monday to Friday) a routine item may wait unclaimed before it is "
          "flagged overdue");
ABSL_FLAG(int, overdue_urgent_working_days, 1,
          "working days an urgent item may wait unclaimed before it is flagged overdue");
ABSL_FLAG(std::string, log_level, "info",
          "trace, debug, info (with an access line per RPC), warn, error or off");
ABSL_FLAG(std::string, log_format, "text",
          "text, or json: one JSON object per line (time, level, component, message and, for "
          "each RPC, method, code, latency_ms, caller, caller_role and resource)");
ABSL_FLAG(std::string, port_file, "",
          "if set, the bound port is written to this file once listening (for --listen=...:0)");
ABSL_FLAG(int, shutdown_grace_seconds, 10, "how long in-flight calls may finish on SIGTERM");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9464",
          "where the Prometheus metrics endpoint (HTTP GET /metrics) listens; port 0 picks a free "
          "one; empty: none");
ABSL_FLAG(std::string, fhir_listen, "",
          "where the FHIR R4 / BaRS endpoint (HTTPS, mutual TLS with the gRPC certificates; POST "
          "/FHIR/R4/$process-message) listens, e.g. 127.0.0.1:8443; port 0 picks a free one; "
          "empty: none");
ABSL_FLAG(int, fhir_threads, 16,
          "FHIR requests served at once; each waits for its commit on its own thread, so more "
          "threads let more commits share a group commit");
ABSL_FLAG(std::string, fhir_port_file, "",
          "if set, write the FHIR listener's port to this file once serving (with --fhir_listen "
          "port 0)");
ABSL_FLAG(int, fhir_max_body_bytes, 1 << 20,
          "the largest FHIR request body taken, in bytes; larger ones are refused with 413 unread");
ABSL_FLAG(std::string, message_back_endpoints, "",
          "file registering where each referring organisation takes its outcome messages (the "
          "PRSB message back, sent when a referral is accepted, declined or closed): one "
          "\"organisation_code,https://host:port/path\" per line; empty: none registered, and "
          "outcome messages are kept as NO_ENDPOINT");
ABSL_FLAG(int, message_back_max_attempts, 20,
          "delivery attempts before an outcome message becomes a dead letter (listed by "
          "`sproutctl admin outbox list`, sent again by `sproutctl admin outbox redeliver`)");
ABSL_FLAG(absl::Duration, message_back_initial_backoff, absl::Seconds(5),
          "the wait after an outcome message's first failed delivery; doubled after each "
          "further failure");
ABSL_FLAG(absl::Duration, message_back_max_backoff, absl::Minutes(15),
          "the longest wait between delivery attempts of an outcome message");
ABSL_FLAG(absl::Duration, message_back_timeout, absl::Seconds(10),
          "how long one delivery of an outcome message may take (connect, send, answer)");
ABSL_FLAG(std::string, metrics_port_file, "",
          "if set, the metrics endpoint's port is written to this file once listening");

namespace {

// --help and --helpshort list sproutd's own flags (this file's); by default
// Abseil looks for a file named after the program and finds none.
void ListOwnFlagsInHelp() {
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "server/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
}

// spdlog reads an unknown level name as "off": refuse it instead, so a typo
// cannot silence the log.
bool ApplyLogLevel(const std::string& name) {
  const spdlog::level::level_enum level = spdlog::level::from_str(name);
  if (level == spdlog::level::off && name != "off") return false;
  spdlog::set_level(level);
  return true;
}

// Writes `port` to `path` through a temporary name and a rename, so readers
// never see a partial file. False (errno set) if it cannot.
bool WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return false;
  const bool written = std::fprintf(f, "%d\n", port) > 0;
  if (std::fclose(f) != 0 || !written) return false;
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Protobuf's own log lines go through spdlog. A request body with a string
// that is not UTF-8 makes protobuf log an ERROR naming the field; the caller
// already gets INVALID_ARGUMENT naming it (rpc/request_parsing.h), so those
// are debug lines, and a client sending bad bytes cannot fill the log.
void LogProtobufThroughSpdlog(google::protobuf::LogLevel level, const char* file, int line,
                              const std::string& message) {
  if (absl::StrContains(message, "invalid UTF-8")) {
    spdlog::debug("protobuf: {}", message);
  } else if (level >= google::protobuf::LOGLEVEL_ERROR) {
    spdlog::error("protobuf: {} ({}:{})", message, file, line);
  } else {
    spdlog::warn("protobuf: {} ({}:{})", message, file, line);
  }
}

}  // namespace

int main(int argc, char** argv) {
  ListOwnFlagsInHelp();
  absl::SetProgramUsageMessage(
      "the Sprout social prescribing referral service.\n"
      "  sproutd                      embedded defaults: starter SNOMED release, demo directory,\n"
      "                               SQLite under var/, mutual TLS with certs/out/\n"
      "  sproutd --listen=0.0.0.0:50051 --snomed_release=/data/uk/SnomedCT_UKClinicalRF2_...");
  absl::ParseCommandLine(argc, argv);
  // Debian builds Abseil without NDEBUG, which leaves Mutex deadlock
  // detection on: a lock-order graph updated on every lock, about 3% of a
  // SubmitReferral's CPU. The tests keep it on; the server does not need it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  if (!ApplyLogLevel(absl::GetFlag(FLAGS_log_level))) {
    std::fprintf(stderr,
                 "sproutd: --log_level=%s is not a level; use trace, debug, info, warn, error or "
                 "off\n",
                 absl::GetFlag(FLAGS_log_level).c_str());
    return 2;
  }
  if (absl::Status format = sprout::logging::SetLogFormat(absl::GetFlag(FLAGS_log_format));
      !format.ok()) {
    std::fprintf(stderr, "sproutd: %s\n", std::string(format.message()).c_str());
    return 2;
  }
  google::protobuf::SetLogHandler(&LogProtobufThroughSpdlog);
  sprout::RouteGrpcLogsToSpdlog();

  sprout::SproutdOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  options.tls_reload_seconds = absl::GetFlag(FLAGS_tls_reload_seconds);
  options.tls_crl_dir = absl::GetFlag(FLAGS_tls_crl_dir);
  options.insecure_dev = absl::GetFlag(FLAGS_insecure_dev);
  options.snomed_release_dirs = absl::GetFlag(FLAGS_snomed_release);
  options.snomed_cache_file = absl::GetFlag(FLAGS_snomed_cache);
  options.directory_dir = absl::GetFlag(FLAGS_directory);
  options.routing_policy_file = absl::GetFlag(FLAGS_routing_policy);
  options.codemaps_dir = absl::GetFlag(FLAGS_codemaps);
  options.lexicons_dir = absl::GetFlag(FLAGS_lexicons);
  options.reload_terminology_on_sighup = absl::GetFlag(FLAGS_reload_terminology_on_sighup);
  options.bindings_file = absl::GetFlag(FLAGS_bindings);
  options.database_file = absl::GetFlag(FLAGS_db);
  options.pseudonym_key_file = absl::GetFlag(FLAGS_pseudonym_key_file);
  options.data_key_file = absl::GetFlag(FLAGS_data_key_file);
  options.audit_anchor_file = absl::GetFlag(FLAGS_audit_anchor_file);
  options.audit_anchor_every = absl::GetFlag(FLAGS_audit_anchor_every);
  options.max_pending_writes = absl::GetFlag(FLAGS_max_pending_writes);
  options.blocking_threads = absl::GetFlag(FLAGS_blocking_threads);
  options.max_calls_in_flight = absl::GetFlag(FLAGS_max_calls_in_flight);
  options.max_streams_per_connection = absl::GetFlag(FLAGS_max_streams_per_connection);
  options.agency_rate_per_second = absl::GetFlag(FLAGS_agency_rate_per_second);
  options.agency_burst = absl::GetFlag(FLAGS_agency_burst);
  options.pcn_queue_limit = absl::GetFlag(FLAGS_pcn_queue_limit);
  options.overdue_working_days = absl::GetFlag(FLAGS_overdue_working_days);
  options.overdue_urgent_working_days = absl::GetFlag(FLAGS_overdue_urgent_working_days);
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.fhir_listen_address = absl::GetFlag(FLAGS_fhir_listen);
  options.fhir_max_body_bytes = absl::GetFlag(FLAGS_fhir_max_body_bytes);
  options.fhir_threads = absl::GetFlag(FLAGS_fhir_threads);
  options.message_back_endpoints_file = absl::GetFlag(FLAGS_message_back_endpoints);
  options.message_back_max_attempts = absl::GetFlag(FLAGS_message_back_max_attempts);
  options.message_back_initial_backoff = absl::GetFlag(FLAGS_message_back_initial_backoff);
  options.message_back_max_backoff = absl::GetFlag(FLAGS_message_back_max_backoff);
  options.message_back_timeout = absl::GetFlag(FLAGS_message_back_timeout);

  // A peer that hangs up while TLS writes to it (OpenSSL writes with
  // write(2), which raises SIGPIPE) must end that connection, not sproutd.
  std::signal(SIGPIPE, SIG_IGN);
  // Block the shutdown and reload signals in every thread; one thread waits
  // for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = sprout::Sproutd::Create(options);
  if (!server.ok()) {
    sprout::logging::PrintStartupFailure(server.status().message());
    return 2;
  }
  absl::Status started = (*server)->Start();
  if (!started.ok()) {
    sprout::logging::PrintStartupFailure(absl::StrCat("cannot start: ", started.message()));
    return 1;
  }
  // The metrics port first: whoever waits for --port_file then finds both.
  struct PortFile {
    const char* flag;
    std::string path;
    int port;
  };
  const PortFile port_files[] = {
      {"metrics_port_file", absl::GetFlag(FLAGS_metrics_port_file), (*server)->metrics_port()},
      {"fhir_port_file", absl::GetFlag(FLAGS_fhir_port_file), (*server)->fhir_port()},
      {"port_file", absl::GetFlag(FLAGS_port_file), (*server)->port()}};
  for (const PortFile& f : port_files) {
    if (f.path.empty()) continue;
    if (!WritePortFile(f.path, f.port)) {
      // Whoever asked for the port would wait for it for ever.
      sprout::logging::PrintStartupFailure(
          absl::StrCat("cannot write --", f.flag, "=", f.path, ": ", std::strerror(errno)));
      (*server)->Shutdown(absl::ZeroDuration());
      return 1;
    }
  }
  // Under systemd (Type=notify) the unit is started only now; elsewhere
  // NOTIFY_SOCKET is unset and these do nothing.
  sd_notifyf(0, "READY=1\nSTATUS=serving on port %d", (*server)->port());
  int received = 0;
  // SIGHUP reloads the TLS certificates, data keys, directory and routing
  // policy (logged by the server, which keeps what it had when new files are
  // bad) and keeps serving.
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) {
    sd_notify(0, "RELOADING=1");
    (*server)->ReloadRouting().IgnoreError();
    sd_notify(0, "READY=1");
  }
  spdlog::info("sproutd: {} received, draining", received == SIGTERM ? "SIGTERM" : "SIGINT");
  sd_notify(0, "STOPPING=1");
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  return 0;
}
