// sproutctl admin outbox ...: the outcome messages owed to referrers.
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/cli/command.h"
#include "client/cli/output.h"

namespace sprout::client::cli {
namespace {

namespace v1 = ::sprout::v1;

struct ListFlags {
  std::string state;
  int page_size = 0;
  std::string page_token;
};

// "dead-letter" or "DEAD_LETTER" as the enum; INVALID_ARGUMENT otherwise.
absl::StatusOr<v1::OutboxMessageState> StateOf(std::string text) {
  if (text.empty()) return v1::OUTBOX_MESSAGE_STATE_UNSPECIFIED;
  for (char& c : text) c = c == '-' ? '_' : absl::ascii_toupper(c);
  v1::OutboxMessageState state;
  if (!v1::OutboxMessageState_Parse(absl::StrCat("OUTBOX_MESSAGE_STATE_", text), &state) ||
      state == v1::OUTBOX_MESSAGE_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "--state must be pending, delivered, dead-letter or no-endpoint");
  }
  return state;
}

void PrintOutboxMessage(const v1::OutboxMessage& m, std::ostream& out) { PrintFields(m, out); }

Action SetUpList(CLI::App& cmd) {
  auto f = std::make_shared<ListFlags>();
  cmd.add_option("--state", f->state, "only pending, delivered, dead-letter or no-endpoint");
  cmd.add_option("--page-size", f->page_size, "at most this many (server default 50)");
  cmd.add_option("--page-token", f->page_token, "from the previous page");
  return [f](CommandContext& ctx) -> absl::Status {
    absl::StatusOr<v1::OutboxMessageState> state = StateOf(f->state);
    if (!state.ok()) return state.status();
    v1::ListOutboxMessagesRequest request;
    request.set_state(*state);
    request.set_page_size(f->page_size);
    request.set_page_token(f->page_token);
    return CallAndPrint<v1::ListOutboxMessagesResponse>(
        ctx, [&](SproutClient& c) { return c.ListOutboxMessages(request); },
        [](const v1::ListOutboxMessagesResponse& r, std::ostream& out) {
          Table table({"message", "referral", "reports", "to", "state", "attempts", "next attempt",
                       "last error"});
          for (const v1::OutboxMessage& m : r.messages()) {
            table.AddRow({m.name(), m.referral(), ShortEnum(m.referral_state()),
                          m.organisation_code(), ShortEnum(m.state()), absl::StrCat(m.attempts()),
                          FormatTimestamp(m.next_attempt_time()),
                          m.last_error().empty() ? "-" : m.last_error()});
          }
          table.Print(out);
          PrintNextPage(r.next_page_token(), out);
        });
  };
}

Action SetUpRedeliver(CLI::App& cmd) {
  auto name = std::make_shared<std::string>();
  cmd.add_option("message", *name, "message id or outboxMessages/{id}")->required();
  return [name](CommandContext& ctx) -> absl::Status {
    v1::RedeliverOutboxMessageRequest request;
    request.set_name(ResourceName("outboxMessages", *name));
    return CallAndPrint<v1::OutboxMessage>(
        ctx, [&](SproutClient& c) { return c.RedeliverOutboxMessage(request); },
        PrintOutboxMessage);
  };
}

const Command kOutboxCommands[] = {
    {"list",
     "Outcome messages, newest first: delivered, pending (with the next attempt), dead "
     "letters and those with no registered endpoint, each with its last error",
     &SetUpList,
     {}},
    {"redeliver",
     "Send a message again now (a dead letter once the receiver is fixed, or one the "
     "receiver lost); its attempts start again",
     &SetUpRedeliver,
     {}},
};

}  // namespace

absl::Span<const Command> OutboxCommands() { return kOutboxCommands; }

}  // namespace sprout::client::cli
