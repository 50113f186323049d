#include "client/cli/command.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cli/exit_code.h"
#include "client/cli/output.h"

namespace sprout::client::cli {

CommandContext::CommandContext(std::ostream& out, std::ostream& err, ClientFactory factory)
    : out_(out), err_(err), factory_(std::move(factory)) {}

absl::StatusOr<SproutClient*> CommandContext::client() {
  if (client_ != nullptr) return client_.get();
  absl::StatusOr<ClientOptions> options = ResolveClientOptions(flags_);
  if (!options.ok()) return options.status();
  options->stream_deadline = stream_deadline_;
  absl::StatusOr<std::unique_ptr<SproutClient>> client = factory_(*options);
  if (!client.ok()) {
    absl::Status s = client.status();
    if (s.code() == absl::StatusCode::kNotFound && !flags_.insecure) {
      s = absl::NotFoundError(
          absl::StrCat(s.message(),
                       " (make the development certificates with certs/make-dev-certs, or "
                       "point --certs-dir, --ca, --cert and --key at yours)"));
    }
    return AsUsageError(s);
  }
  client_ = *std::move(client);
  return client_.get();
}

std::string ResourceName(absl::string_view collection, absl::string_view id_or_name) {
  if (absl::StrContains(id_or_name, '/')) return std::string(id_or_name);
  return absl::StrCat(collection, "/", id_or_name);
}

void PrintMessageJson(const google::protobuf::Message& message, std::ostream& out) {
  out << ToJson(message, /*pretty=*/true) << "\n";
}

}  // namespace sprout::client::cli
