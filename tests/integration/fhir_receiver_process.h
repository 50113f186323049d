// Runs the real sprout-fhir-receiver (client/fhir_receiver) for tests of
// the message back: HTTPS with mutual TLS on a loopback port, with the
// certificates of a sproutd work folder, saving each message it takes.
#ifndef SPROUT_TESTS_INTEGRATION_FHIR_RECEIVER_PROCESS_H_
#define SPROUT_TESTS_INTEGRATION_FHIR_RECEIVER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace sprout::testing {

// A free loopback TCP port now (bound and released), for a receiver that
// must be registered before it is started.
int FreeLoopbackPort();

class FhirReceiverProcess {
 public:
  // Starts the receiver on 127.0.0.1:`port` (0: any) with `certs_dir`'s
  // server certificate and CA, saving messages in `out_dir`, answering
  // `status`; waits until it listens.
  static absl::StatusOr<std::unique_ptr<FhirReceiverProcess>> Start(const std::string& certs_dir,
                                                                    const std::string& out_dir,
                                                                    int port, int status = 200);
  ~FhirReceiverProcess();  // stops it

  int port() const { return port_; }
  // The message ids saved so far ({out_dir}/{id}.json).
  std::vector<std::string> Received() const;
  // The saved message `id` as text; "" if none.
  std::string Message(const std::string& id) const;

 private:
  FhirReceiverProcess(pid_t pid, std::string out_dir) : pid_(pid), out_dir_(std::move(out_dir)) {}
  pid_t pid_;
  std::string out_dir_;
  int port_ = 0;
};

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_INTEGRATION_FHIR_RECEIVER_PROCESS_H_
