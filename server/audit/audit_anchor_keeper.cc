#include "server/audit/audit_anchor_keeper.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace sprout::audit {

absl::StatusOr<std::unique_ptr<AuditAnchorKeeper>> AuditAnchorKeeper::Start(store::Store* store,
                                                                            const KeyedHasher* key,
                                                                            Options options) {
  absl::StatusOr<std::optional<AuditAnchor>> anchor = ReadAnchorFile(options.path, *key);
  if (!anchor.ok()) return anchor.status();
  std::unique_ptr<AuditAnchorKeeper> keeper(
      new AuditAnchorKeeper(store, key, std::move(options), *std::move(anchor)));
  {
    absl::MutexLock lock(&keeper->mu_);
    keeper->Advance(/*now_anyway=*/true);
  }
  keeper->thread_ = std::thread([k = keeper.get()] { k->Run(); });
  return keeper;
}

AuditAnchorKeeper::AuditAnchorKeeper(store::Store* store, const KeyedHasher* key, Options options,
                                     std::optional<AuditAnchor> anchor)
    : store_(store),
      key_(key),
      options_(std::move(options)),
      anchor_(std::move(anchor)),
      written_(absl::Now()) {}

AuditAnchorKeeper::~AuditAnchorKeeper() { Stop(); }

void AuditAnchorKeeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  Advance(/*now_anyway=*/true);
}

void AuditAnchorKeeper::Run() {
  absl::MutexLock lock(&mu_);
  while (!mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.poll)) {
    Advance(/*now_anyway=*/false);
  }
}

void AuditAnchorKeeper::Advance(bool now_anyway) {
  if (frozen_) return;
  absl::StatusOr<std::optional<AuditAnchor>> head = store_->AuditChainHead();
  if (!head.ok()) {
    spdlog::warn("sproutd: audit anchor: cannot read the audit trail's head: {}",
                 std::string(head.status().message()));
    return;
  }
  const int64_t anchored = anchor_.has_value() ? anchor_->sequence : 0;
  const int64_t reached = head->has_value() ? (*head)->sequence : 0;
  if (anchor_.has_value()) {
    absl::StatusOr<std::optional<std::string>> stored = store_->AuditHashAt(anchored);
    if (!stored.ok()) return;  // try again at the next poll
    if (!stored->has_value() || **stored != anchor_->hash) {
      frozen_ = true;
      spdlog::error(
          "sproutd: the audit trail {} its anchor ({}, record {}): records were removed or "
          "rewritten; the anchor is kept as evidence; run sproutctl admin verify-audit",
          stored->has_value() ? "no longer matches" : "does not reach", options_.path, anchored);
      return;
    }
  }
  if (reached <= anchored) return;
  const bool due = now_anyway || reached - anchored >= options_.every_records ||
                   absl::Now() - written_ >= options_.max_age;
  if (!due) return;
  if (absl::Status s = WriteAnchorFile(options_.path, **head, *key_); !s.ok()) {
    spdlog::warn("sproutd: {}", std::string(s.message()));
    return;
  }
  anchor_ = **head;
  written_ = absl::Now();
}

}  // namespace sprout::audit
