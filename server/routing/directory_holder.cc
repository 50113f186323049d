#include "server/routing/directory_holder.h"

namespace sprout::routing {

absl::Status DirectoryHolder::Replace(std::shared_ptr<const Directory> next) {
  if (next == nullptr) return absl::InvalidArgumentError("Replace: the new directory is null");
  absl::MutexLock lock(&mu_);
  current_ = std::move(next);
  return absl::OkStatus();
}

}  // namespace sprout::routing
