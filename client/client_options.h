// How a Sprout client connects: where, with which credentials, and how long
// each call may take.
#ifndef SPROUT_CLIENT_CLIENT_OPTIONS_H_
#define SPROUT_CLIENT_CLIENT_OPTIONS_H_

#include <string>

#include "absl/time/time.h"
#include "client/retry_policy.h"

namespace sprout::client {

struct ClientOptions {
  // host:port of sproutd. Default: the local development server.
  std::string target = "127.0.0.1:50051";

  // PEM file of the CA that signed the server's certificate. Required unless
  // `insecure`. Default: none.
  std::string ca_file;

  // PEM files of this client's certificate and private key, for mutual TLS.
  // Both or neither; sproutd requires them unless run with --insecure_dev.
  std::string cert_file;
  std::string key_file;

  // Plaintext, for a server started with --insecure_dev on loopback. Never
  // for real data. Default: false (TLS).
  bool insecure = false;

  // Only with `insecure`: the principal URI (certs/README.md) sent in the
  // "x-sprout-principal" header of every call, which a server started with
  // --insecure_dev takes as the caller's identity in place of a certificate.
  // Default: none.
  std::string dev_principal;

  // The deadline of every unary call, from the moment it starts (STYLE.md K6).
  // Default: 10 seconds.
  absl::Duration deadline = absl::Seconds(10);

  // The deadline of streaming calls (Watch*), which stay open while events
  // arrive. Default: 1 hour.
  absl::Duration stream_deadline = absl::Hours(1);

  // When unary calls are repeated after a failure; every attempt, and the
  // waits between them, fit inside `deadline`.
  RetryPolicy retry;
};

}  // namespace sprout::client

#endif  // SPROUT_CLIENT_CLIENT_OPTIONS_H_
