// sproutctl's command table (in the manner of ninja's tool table): each
// command is a name, a one-line summary and a set-up function that declares
// its flags on a CLI11 subcommand and returns the action to run. Groups
// ("referral", "queue", ...) hold subcommands instead of an action.
#ifndef SPROUT_CLIENT_CLI_COMMAND_H_
#define SPROUT_CLIENT_CLI_COMMAND_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "client/cli/global_flags.h"
#include "client/sprout_client.h"

namespace sprout::client::cli {

// Makes the client a command talks through. sproutctl uses
// SproutClient::Create; tests return a client over mock stubs.
using ClientFactory =
    std::function<absl::StatusOr<std::unique_ptr<SproutClient>>(const ClientOptions&)>;

// What a running command sees. Lives for one sproutctl run; not thread-safe.
class CommandContext {
 public:
  CommandContext(std::ostream& out, std::ostream& err, ClientFactory factory);

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  GlobalFlags& flags() { return flags_; }
  bool json() const { return flags_.json; }

  // The client, made on first use from the global flags (with
  // `stream_deadline` when set). Errors are usage errors (bad flags, missing
  // certificate files with a hint to run certs/make-dev-certs).
  absl::StatusOr<SproutClient*> client();

  // For watch commands: how long streams stay open (default 1 hour).
  // REQUIRES: called before client().
  void set_stream_deadline(absl::Duration d) { stream_deadline_ = d; }

 private:
  std::ostream& out_;
  std::ostream& err_;
  ClientFactory factory_;
  GlobalFlags flags_;
  absl::Duration stream_deadline_ = absl::Hours(1);
  std::unique_ptr<SproutClient> client_;
};

// What a leaf command does once its flags are parsed. The returned status
// decides the exit code (exit_code.h); errors are printed by the caller.
using Action = std::function<absl::Status(CommandContext&)>;

struct Command {
  const char* name;
  const char* summary;
  // Declares flags on `cmd` (bound to state the returned Action owns).
  // Null for a group.
  Action (*set_up)(CLI::App& cmd);
  // The subcommands of a group; empty for a leaf.
  absl::Span<const Command> subcommands;
};

// The tables, one per file.
absl::Span<const Command> ReferralCommands();
absl::Span<const Command> QueueCommands();
absl::Span<const Command> TerminologyCommands();
absl::Span<const Command> AdminCommands();
// `admin outbox ...` (outbox_commands.cc).
absl::Span<const Command> OutboxCommands();
absl::Span<const Command> CodingCommands();
// The top-level table: the groups above plus caseload and health.
absl::Span<const Command> TopLevelCommands();

// Helpers shared by the command files.

// "referrals/abc" for ("referrals", "abc"); a value that already contains '/'
// is returned unchanged.
std::string ResourceName(absl::string_view collection, absl::string_view id_or_name);

// Pretty JSON of one message and a newline.
void PrintMessageJson(const google::protobuf::Message& message, std::ostream& out);

// Runs `call` on the context's client; on success prints the response with
// `print` (or as JSON with --json).
template <typename Response>
absl::Status CallAndPrint(CommandContext& ctx,
                          const std::function<absl::StatusOr<Response>(SproutClient&)>& call,
                          const std::function<void(const Response&, std::ostream&)>& print) {
  absl::StatusOr<SproutClient*> client = ctx.client();
  if (!client.ok()) return client.status();
  absl::StatusOr<Response> response = call(**client);
  if (!response.ok()) return response.status();
  if (ctx.json()) {
    PrintMessageJson(*response, ctx.out());
  } else {
    print(*response, ctx.out());
  }
  return absl::OkStatus();
}

}  // namespace sprout::client::cli

#endif  // SPROUT_CLIENT_CLI_COMMAND_H_
