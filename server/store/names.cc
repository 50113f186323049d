#include "server/store/names.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sprout::store {

absl::StatusOr<std::string> IdFromName(absl::string_view name, absl::string_view collection,
                                       absl::string_view field) {
  const std::string prefix = absl::StrCat(collection, "/");
  if (!absl::StartsWith(name, prefix) || name.size() == prefix.size() ||
      name.substr(prefix.size()).find('/') != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": expected a resource name \"", collection, "/{id}\""));
  }
  return std::string(name.substr(prefix.size()));
}

std::string PcnCodeOfQueue(absl::string_view queue) {
  std::vector<absl::string_view> parts = absl::StrSplit(queue, '/');
  if (parts.size() >= 2 && parts[0] == "pcns" && !parts[1].empty()) return std::string(parts[1]);
  return std::string();
}

bool IsPcnPoolQueue(absl::string_view queue) {
  std::vector<absl::string_view> parts = absl::StrSplit(queue, '/');
  return parts.size() == 2 && parts[0] == "pcns" && !parts[1].empty();
}

int64_t TimestampMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

}  // namespace sprout::store
