// Runs the real sproutd binary on a free loopback port for integration tests:
// real TLS (certificates from certs/make-dev-certs), a real SQLite file, the
// bundled starter SNOMED release and the demo directory.
#ifndef SPROUT_TESTS_INTEGRATION_SPROUTD_PROCESS_H_
#define SPROUT_TESTS_INTEGRATION_SPROUTD_PROCESS_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sprout::testing {

class SproutdProcess {
 public:
  // Makes a fresh working folder (certificates, key, database) under
  // `work_dir`, starts sproutd with `extra_flags`, and waits until it reports
  // SERVING on the health service (at most `timeout_seconds`). With
  // `capture_output`, sproutd's stderr and stdout go to
  // `work_dir`/sproutd.stderr and .stdout (for tests that search them)
  // instead of the test's own.
  static absl::StatusOr<std::unique_ptr<SproutdProcess>> Start(
      const std::string& work_dir, const std::vector<std::string>& extra_flags = {},
      int timeout_seconds = 120, bool capture_output = false);

  // Sends SIGTERM and waits; the exit status is returned by Stop().
  ~SproutdProcess();

  // SIGTERM, wait, and return the exit code (128 + signal when killed).
  int Stop();
  // SIGKILL without waiting for a graceful shutdown.
  void Kill();
  // Sends `signal` (e.g. SIGHUP) and returns at once; false if not running.
  bool Signal(int signal) const;

  int port() const { return port_; }
  // The metrics endpoint's port (HTTP, GET /metrics); 0 when turned off.
  int metrics_port() const { return metrics_port_; }
  // The FHIR listener's port (with --fhir_listen); 0 when off.
  int fhir_port() const { return fhir_port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& work_dir() const { return work_dir_; }
  std::string database_file() const { return work_dir_ + "/sprout.db"; }

  // A mutual-TLS channel presenting the demo identity `name` (gp, police,
  // housing, self, linkworker, admin) from certs/make-dev-certs.
  std::shared_ptr<grpc::Channel> Channel(const std::string& name) const;

 private:
  SproutdProcess(std::string work_dir, pid_t pid) : work_dir_(std::move(work_dir)), pid_(pid) {}

  std::string work_dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  int fhir_port_ = 0;
  int exit_code_ = -1;
};

// What a sproutd that refused to start left behind.
struct StartupFailure {
  int exit_code = 0;        // 128 + signal when killed
  std::string stderr_text;  // everything it wrote to stderr
  std::string stdout_text;  // and to stdout (e.g. --help)
};

// StartReplicas()
//
// Starts `count` sproutd replicas sharing one store (`flags`, e.g. from
// StoreFlags(Backend::kPostgres, ...)) in the folders `folder_prefix`_{i},
// emptied first. The first makes the certificates and data keys; the others get
// copies, so a client of one is a client of all (one CA) and each opens what
// the others sealed (the pseudonym key is the same in every folder).
absl::StatusOr<std::vector<std::unique_ptr<SproutdProcess>>> StartReplicas(
    const std::string& folder_prefix, int count, const std::vector<std::string>& flags);

// RunSproutdExpectingFailure()
//
// Runs sproutd as Start() would (same folder layout and flags, then
// `extra_flags`) and waits for it to exit. DEADLINE_EXCEEDED if it is still
// running after `timeout_seconds` (it is then killed): it started.
absl::StatusOr<StartupFailure> RunSproutdExpectingFailure(
    const std::string& work_dir, const std::vector<std::string>& extra_flags,
    int timeout_seconds = 60);

// Starts `args` (argv[0] a path) from the repository root, killed if the
// test dies; stderr to `output_prefix`.stderr and stdout to
// `output_prefix`.stdout when set. -1 when fork fails.
pid_t SpawnFromSourceDir(std::vector<std::string> args, const std::string& output_prefix);

// The repository root (tests run from it; SPROUT_SOURCE_DIR overrides).
std::string SourceDir();
// The build tree (SPROUT_BINARY_DIR).
std::string BinaryDir();

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_INTEGRATION_SPROUTD_PROCESS_H_
