#include "client/cli/sproutctl.h"

#include <map>
#include <utility>

#include "client/cli/exit_code.h"
#include "client/status_format.h"
#include "google/rpc/error_details.pb.h"
#include "rpc/status_conversion.h"

namespace sprout::client::cli {
namespace {

constexpr char kDescription[] =
    "sproutctl: send and follow social prescribing referrals, work link worker queues, "
    "look up SNOMED CT and administer a Sprout server.";

constexpr char kIdentityHelp[] =
    "Connecting: mutual TLS to --server with certs/out/ca.pem and the identity chosen by --as\n"
    "(certs/out/NAME.pem and NAME.key, made by certs/make-dev-certs), or --cert/--key.\n"
    "--insecure talks plaintext to a server started with --insecure_dev, naming the caller\n"
    "in an x-sprout-principal header (--as NAME's demo URI, or --principal).\n\n";

constexpr char kSubcommandFooter[] =
    "Global flags (--server, --as, --insecure, --deadline, --json, ...) may come before or "
    "after the command; see sproutctl --help, which also lists the exit codes.";

// Declares `commands` under `parent`, recording each leaf's action.
void AddCommands(CLI::App& parent, absl::Span<const Command> commands,
                 std::map<const CLI::App*, Action>& actions) {
  for (const Command& command : commands) {
    CLI::App* sub = parent.add_subcommand(command.name, command.summary);
    sub->footer(kSubcommandFooter);
    if (command.set_up != nullptr) {
      actions[sub] = command.set_up(*sub);
    } else {
      sub->require_subcommand(1);
      AddCommands(*sub, command.subcommands, actions);
    }
  }
}

// Connection settings come from the flag, else the --config file (TOML or
// INI: `server = "host:port"`, `as = "gp"`, `certs-dir = "..."`; a name it
// does not know is a usage error), else the environment variable named
// beside the flag, else the default.
void AddGlobalFlags(CLI::App& app, GlobalFlags& flags) {
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.set_config("--config", "",
                 "file of connection settings, one `name = value` per flag (server, as, "
                 "certs-dir, ca, cert, key, deadline)")
      ->envname("SPROUTCTL_CONFIG");
  app.add_option("--server", flags.server, "host:port of sproutd")
      ->envname("SPROUT_SERVER")
      ->capture_default_str();
  app.add_option("--as", flags.as,
                 "identity: a demo name from certs/README.md, e.g. gp, police, hospital, "
                 "linkworker, admin (uses CERTS_DIR/NAME.pem/.key)")
      ->envname("SPROUT_AS");
  app.add_option("--certs-dir", flags.certs_dir, "where --as and the default --ca look")
      ->envname("SPROUT_CERTS_DIR")
      ->capture_default_str();
  app.add_option("--ca", flags.ca, "CA certificate (PEM); default CERTS_DIR/ca.pem")
      ->envname("SPROUT_CA");
  app.add_option("--cert", flags.cert, "client certificate (PEM)")->envname("SPROUT_CERT");
  app.add_option("--key", flags.key, "client private key (PEM)")->envname("SPROUT_KEY");
  app.add_flag("--insecure", flags.insecure, "plaintext (server started with --insecure_dev)");
  app.add_option("--principal", flags.principal,
                 "with --insecure: identity URI for the x-sprout-principal header (default: the "
                 "--as demo identity's)");
  app.add_option("--deadline", flags.deadline, "deadline of each call, e.g. 10s, 500ms")
      ->envname("SPROUT_DEADLINE")
      ->capture_default_str();
  app.add_flag("--json", flags.json, "print protobuf JSON instead of tables");
}

}  // namespace

int RunSproutctl(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                 const ClientFactory& factory) {
  CommandContext ctx(out, err, factory);
  CLI::App app(kDescription, args.empty() ? "sproutctl" : args[0]);
  app.fallthrough();  // global flags may follow the subcommand; set before adding any
  app.require_subcommand(1);
  AddGlobalFlags(app, ctx.flags());
  std::map<const CLI::App*, Action> actions;
  AddCommands(app, TopLevelCommands(), actions);
  // After the subcommands, which would otherwise inherit it.
  app.footer(std::string(kIdentityHelp) + kExitCodeHelp);

  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    // --help and --help-all are "errors" with exit code 0 in CLI11.
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }

  const CLI::App* leaf = &app;
  while (!leaf->get_subcommands().empty()) leaf = leaf->get_subcommands().front();
  auto it = actions.find(leaf);
  if (it == actions.end()) {
    err << app.help();
    return kExitUsage;
  }
  absl::Status status = it->second(ctx);
  const int code = ExitCodeFor(status);
  if (code == kExitUsage) {
    err << "sproutctl: " << status.message() << "\n";
  } else if (!status.ok()) {
    err << FormatStatus(status);
    if (status.code() == absl::StatusCode::kUnauthenticated && ctx.flags().insecure &&
        ctx.flags().as.empty() && ctx.flags().principal.empty()) {
      err << "  with --insecure, say who you are: --as NAME or --principal URI\n";
    }
    // A server that answered said why (starting, shutting down): only a
    // call that reached no server gets the connection hint.
    const bool server_said_why = rpc::GetStatusDetail<google::rpc::ErrorInfo>(status).has_value();
    if (code == kExitUnreachable && status.code() == absl::StatusCode::kUnavailable &&
        !server_said_why) {
      err << "  is sproutd running on " << ctx.flags().server
          << (ctx.flags().insecure ? " with --insecure_dev?"
                                   : ", and does it trust this certificate?")
          << "\n";
    }
  }
  return code;
}

}  // namespace sprout::client::cli
