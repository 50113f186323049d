#include "tests/integration/sproutd_process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/channel.h"
#include "client/health_check.h"

namespace sprout::testing {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

absl::Status Run(const std::string& command) {
  const int rc = std::system(command.c_str());
  if (rc != 0) return absl::InternalError(absl::StrCat("command failed (", rc, "): ", command));
  return absl::OkStatus();
}

}  // namespace

std::string SourceDir() {
  return EnvOr("SPROUT_SOURCE_DIR", std::filesystem::current_path().string());
}

std::string BinaryDir() { return EnvOr("SPROUT_BINARY_DIR", SourceDir() + "/build"); }

namespace {

// Certificates, the pseudonym key and the data keys in `work_dir`, made once.
absl::Status PrepareWorkDir(const std::string& work_dir) {
  std::filesystem::create_directories(work_dir);
  // It holds the database: private, as sproutd expects (or it warns).
  std::filesystem::permissions(work_dir, std::filesystem::perms::owner_all);
  const std::string certs = work_dir + "/certs";
  if (!std::filesystem::exists(certs + "/ca.pem")) {
    absl::Status made = Run(absl::StrCat(SourceDir(), "/certs/make-dev-certs --out ", certs,
                                         " --practice Y99001 --pcn U99001 >/dev/null"));
    if (!made.ok()) return made;
  }
  const std::string key_file = work_dir + "/pseudonym.key";
  if (!std::filesystem::exists(key_file)) {
    std::ofstream(key_file) << std::string("integration-test-key-0123456789abcdef");
    // sproutd refuses a key file others may read.
    std::filesystem::permissions(
        key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  const std::string data_keys = work_dir + "/data.keys";
  if (!std::filesystem::exists(data_keys)) {
    absl::Status made =
        Run(absl::StrCat(BinaryDir(), "/server/store/sprout-keys new ", data_keys, " >/dev/null"));
    if (!made.ok()) return made;
  }
  return absl::OkStatus();
}

// The sproutd command line for `work_dir`: its own database, cache, key and
// certificates on a free loopback port, then `extra_flags` (later flags win).
std::vector<std::string> SproutdArgs(const std::string& work_dir,
                                     const std::vector<std::string>& extra_flags) {
  const std::string certs = work_dir + "/certs";
  std::vector<std::string> args = {
      BinaryDir() + "/server/sproutd",
      "--listen=127.0.0.1:0",
      "--port_file=" + work_dir + "/port",
      "--metrics_listen=127.0.0.1:0",
      "--metrics_port_file=" + work_dir + "/metrics.port",
      "--fhir_port_file=" + work_dir + "/fhir.port",
      "--db=" + work_dir + "/sprout.db",
      "--pseudonym_key_file=" + work_dir + "/pseudonym.key",
      "--data_key_file=" + work_dir + "/data.keys",
      "--audit_anchor_file=" + work_dir + "/audit.anchor",
      "--snomed_cache=" + work_dir + "/snomed.cache",
      "--tls_cert=" + certs + "/server.pem",
      "--tls_key=" + certs + "/server.key",
      "--tls_client_ca=" + certs + "/ca.pem",
      "--log_level=warn",
  };
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  return args;
}

}  // namespace

pid_t SpawnFromSourceDir(std::vector<std::string> args, const std::string& output_prefix) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // A test that crashes must not leave sproutd behind holding the test
  // runner's output pipe open (the run would then hang until its timeout).
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) _exit(127);
  if (chdir(SourceDir().c_str()) != 0) _exit(127);
  if (!output_prefix.empty() &&
      (freopen((output_prefix + ".stderr").c_str(), "w", stderr) == nullptr ||
       freopen((output_prefix + ".stdout").c_str(), "w", stdout) == nullptr)) {
    _exit(127);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  _exit(127);
}

namespace {

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<StartupFailure> RunSproutdExpectingFailure(
    const std::string& work_dir, const std::vector<std::string>& extra_flags, int timeout_seconds) {
  absl::Status prepared = PrepareWorkDir(work_dir);
  if (!prepared.ok()) return prepared;
  const std::string output_prefix = work_dir + "/sproutd";
  const pid_t pid = SpawnFromSourceDir(SproutdArgs(work_dir, extra_flags), output_prefix);
  if (pid < 0) return absl::InternalError("fork failed");
  const absl::Time deadline = absl::Now() + absl::Seconds(timeout_seconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) != pid) {
    if (absl::Now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return absl::DeadlineExceededError("sproutd did not stop: it started instead of failing");
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  StartupFailure failure;
  failure.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  failure.stderr_text = ReadWhole(output_prefix + ".stderr");
  failure.stdout_text = ReadWhole(output_prefix + ".stdout");
  return failure;
}

absl::StatusOr<std::unique_ptr<SproutdProcess>> SproutdProcess::Start(
    const std::string& work_dir, const std::vector<std::string>& extra_flags, int timeout_seconds,
    bool capture_output) {
  absl::Status prepared = PrepareWorkDir(work_dir);
  if (!prepared.ok()) return prepared;
  const std::string port_file = work_dir + "/port";
  std::filesystem::remove(port_file);
  const pid_t pid = SpawnFromSourceDir(SproutdArgs(work_dir, extra_flags),
                                       capture_output ? work_dir + "/sproutd" : "");
  if (pid < 0) return absl::InternalError("fork failed");
  std::unique_ptr<SproutdProcess> process(new SproutdProcess(work_dir, pid));

  const absl::Time deadline = absl::Now() + absl::Seconds(timeout_seconds);
  while (absl::Now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      process->pid_ = -1;
      return absl::InternalError(absl::StrCat("sproutd exited during start-up with status ",
                                              WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    }
    std::ifstream in(port_file);
    if (in >> process->port_ && process->port_ > 0) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  if (process->port_ == 0) return absl::DeadlineExceededError("sproutd did not start in time");
  // Written before the port file (0 when a test turned the endpoint off).
  std::ifstream(work_dir + "/metrics.port") >> process->metrics_port_;
  std::ifstream(work_dir + "/fhir.port") >> process->fhir_port_;

  // The port file is written once loading finished; health must now say SERVING.
  std::shared_ptr<grpc::Channel> channel = process->Channel("admin");
  absl::StatusOr<client::ServingStatus> health =
      client::CheckHealth(*channel, "", absl::Seconds(10));
  if (!health.ok()) return health.status();
  if (*health != client::ServingStatus::kServing) {
    return absl::InternalError("sproutd is up but health is not SERVING");
  }
  return process;
}

std::shared_ptr<grpc::Channel> SproutdProcess::Channel(const std::string& name) const {
  client::ClientOptions options;
  options.target = target();
  options.ca_file = work_dir_ + "/certs/ca.pem";
  options.cert_file = work_dir_ + "/certs/" + name + ".pem";
  options.key_file = work_dir_ + "/certs/" + name + ".key";
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::CreateChannel(options);
  return channel.ok() ? *channel : nullptr;
}

int SproutdProcess::Stop() {
  if (pid_ <= 0) return exit_code_;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return exit_code_;
}

void SproutdProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  exit_code_ = 128 + SIGKILL;
}

bool SproutdProcess::Signal(int signal) const { return pid_ > 0 && kill(pid_, signal) == 0; }

SproutdProcess::~SproutdProcess() { Stop(); }

absl::StatusOr<std::vector<std::unique_ptr<SproutdProcess>>> StartReplicas(
    const std::string& folder_prefix, int count, const std::vector<std::string>& flags) {
  namespace fs = std::filesystem;
  std::vector<std::unique_ptr<SproutdProcess>> replicas;
  const std::string first = absl::StrCat(folder_prefix, "_0");
  for (int i = 0; i < count; ++i) {
    const std::string dir = absl::StrCat(folder_prefix, "_", i);
    fs::remove_all(dir);
    if (i > 0) {
      fs::create_directories(dir);
      fs::copy(first + "/certs", dir + "/certs", fs::copy_options::recursive);
      fs::copy_file(first + "/data.keys", dir + "/data.keys");
      fs::permissions(dir + "/data.keys", fs::perms::owner_read | fs::perms::owner_write);
    }
    absl::StatusOr<std::unique_ptr<SproutdProcess>> started = SproutdProcess::Start(dir, flags);
    if (!started.ok()) {
      return absl::Status(started.status().code(),
                          absl::StrCat("replica ", i, ": ", started.status().message()));
    }
    replicas.push_back(*std::move(started));
  }
  return replicas;
}

}  // namespace sprout::testing
