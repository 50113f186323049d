// sproutctl: the command line for Sprout. See client/README.md.
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/sproutctl.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return sprout::client::cli::RunSproutctl(args, std::cout, std::cerr,
                                           [](const sprout::client::ClientOptions& options) {
                                             return sprout::client::SproutClient::Create(options);
                                           });
}
