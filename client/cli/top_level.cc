// The top of sproutctl's command table, and `health`.
#include <memory>
#include <string>

#include "client/cli/command.h"
#include "client/cli/output.h"
#include "nlohmann/json.hpp"

namespace sprout::client::cli {

Action SetUpCaseload(CLI::App& cmd);  // queue_commands.cc

namespace {

Action SetUpHealth(CLI::App& cmd) {
  auto service = std::make_shared<std::string>();
  cmd.add_option("--service", *service,
                 "one service, e.g. sprout.v1.ReferralService (default: the whole server)");
  return [service](CommandContext& ctx) -> absl::Status {
    auto client = ctx.client();
    if (!client.ok()) return client.status();
    absl::StatusOr<ServingStatus> health = (*client)->Health(*service);
    if (!health.ok()) return health.status();
    const std::string name(ServingStatusName(*health));
    if (ctx.json()) {
      ctx.out() << nlohmann::json{{"status", name}}.dump(2) << "\n";
    } else {
      ctx.out() << (service->empty() ? "sproutd" : *service) << ": " << name << "\n";
    }
    if (*health != ServingStatus::kServing) {
      return absl::UnavailableError(absl::StrCat("the server is ", name));
    }
    return absl::OkStatus();
  };
}

const Command kTopLevel[] = {
    {"referral", "Send and follow referrals (referrers)", nullptr, ReferralCommands()},
    {"queue", "Work a queue: claim, accept, decline, contacts, close (link workers)", nullptr,
     QueueCommands()},
    {"caseload", "A link worker's caseload against capacity", &SetUpCaseload, {}},
    {"terminology", "Look up SNOMED CT in the loaded release", nullptr, TerminologyCommands()},
    {"admin", "Routing log, statistics, directory, audit (administrators)", nullptr,
     AdminCommands()},
    {"health", "Is the server serving? (grpc.health.v1)", &SetUpHealth, {}},
};

}  // namespace

absl::Span<const Command> TopLevelCommands() { return kTopLevel; }

}  // namespace sprout::client::cli
