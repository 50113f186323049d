// File: client/cli/sproutctl.h
//
// sproutctl as a function, so tests can run whole command lines against a
// client over mock stubs:
//
//   std::ostringstream out, err;
//   int code = RunSproutctl({"sproutctl", "--insecure", "referral", "get", "r1"},
//                           out, err, factory);
#ifndef SPROUT_CLIENT_CLI_SPROUTCTL_H_
#define SPROUT_CLIENT_CLI_SPROUTCTL_H_

#include <ostream>
#include <string>
#include <vector>

#include "client/cli/command.h"

namespace sprout::client::cli {

// RunSproutctl()
//
// Parses `args` (args[0] is the program name), runs the chosen command and
// returns the exit code (exit_code.h). Results go to `out`; errors, with
// the server's field violations, to `err`. `factory` makes the client, once,
// when the command first needs it.
int RunSproutctl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                 const ClientFactory& factory);

}  // namespace sprout::client::cli

#endif  // SPROUT_CLIENT_CLI_SPROUTCTL_H_
