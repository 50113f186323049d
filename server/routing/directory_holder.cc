#include "server/routing/directory_holder.h"

namespace sprout::routing {

absl::Status DirectoryHolder::AddValidator(Validator validator) {
  absl::MutexLock replace_lock(&replace_mu_);
  std::shared_ptr<const Directory> current = Get();
  absl::Status status = validator(*current);
  if (!status.ok()) return status;
  absl::MutexLock lock(&mu_);
  validators_.push_back(std::move(validator));
  return absl::OkStatus();
}

absl::Status DirectoryHolder::Replace(std::shared_ptr<const Directory> next) {
  if (next == nullptr) return absl::InvalidArgumentError("Replace: the new directory is null");
  absl::MutexLock replace_lock(&replace_mu_);
  std::vector<Validator> validators;
  {
    absl::MutexLock lock(&mu_);
    validators = validators_;
  }
  // Validate outside mu_ so readers are never blocked by a slow check.
  for (const Validator& validator : validators) {
    absl::Status status = validator(*next);
    if (!status.ok()) return status;
  }
  absl::MutexLock lock(&mu_);
  current_ = std::move(next);
  return absl::OkStatus();
}

}  // namespace sprout::routing
