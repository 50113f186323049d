#include "tests/integration/fhir_receiver_process.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "tests/integration/sproutd_process.h"

namespace sprout::testing {

int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

absl::StatusOr<std::unique_ptr<FhirReceiverProcess>> FhirReceiverProcess::Start(
    const std::string& certs_dir, const std::string& out_dir, int port, int status) {
  std::filesystem::create_directories(out_dir);
  const std::string port_file = out_dir + "/../receiver.port";
  std::filesystem::remove(port_file);
  const pid_t pid = SpawnFromSourceDir(
      {BinaryDir() + "/client/sprout-fhir-receiver", "--listen", absl::StrCat("127.0.0.1:", port),
       "--cert", certs_dir + "/server.pem", "--key", certs_dir + "/server.key", "--ca",
       certs_dir + "/ca.pem", "--out_dir", out_dir, "--port_file", port_file, "--status",
       absl::StrCat(status)},
      out_dir + "/../receiver");
  if (pid < 0) return absl::InternalError("fork failed");
  std::unique_ptr<FhirReceiverProcess> receiver(new FhirReceiverProcess(pid, out_dir));
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    int exit_status = 0;
    if (waitpid(pid, &exit_status, WNOHANG) == pid) {
      receiver->pid_ = -1;
      return absl::InternalError("sprout-fhir-receiver exited at start");
    }
    std::ifstream in(port_file);
    if (in >> receiver->port_ && receiver->port_ > 0) return receiver;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("sprout-fhir-receiver did not start in time");
}

FhirReceiverProcess::~FhirReceiverProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (waitpid(pid_, &status, WNOHANG) != pid_) {
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

std::vector<std::string> FhirReceiverProcess::Received() const {
  std::vector<std::string> ids;
  for (const auto& entry : std::filesystem::directory_iterator(out_dir_)) {
    const std::string file = entry.path().filename().string();
    if (absl::EndsWith(file, ".json")) ids.push_back(std::string(absl::StripSuffix(file, ".json")));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string FhirReceiverProcess::Message(const std::string& id) const {
  std::ifstream in(out_dir_ + "/" + id + ".json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace sprout::testing
