// sproutctl: the command line for Sprout. See client/README.md.
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/sproutctl.h"
#include "grpc/grpc.h"

int main(int argc, char** argv) {
  // gRPC frees its internals when the last user lets go, and by default it
  // does so on a background thread that the process may exit before: the TLS
  // session then shows as leaked. Holding our own reference and releasing it
  // with grpc_shutdown_blocking() makes the clean-up finish before exit.
  grpc_init();
  int exit_code = 0;
  {
    std::vector<std::string> args(argv, argv + argc);
    exit_code = sprout::client::cli::RunSproutctl(
        args, std::cout, std::cerr, [](const sprout::client::ClientOptions& options) {
          return sprout::client::SproutClient::Create(options);
        });
  }
  grpc_shutdown_blocking();
  return exit_code;
}
