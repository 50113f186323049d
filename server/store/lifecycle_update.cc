// File: server/store/lifecycle_update.cc
#include "server/store/lifecycle_update.h"

#include <utility>

#include "server/lifecycle/states.h"

namespace sprout::store {

absl::StatusOr<LifecycleRead> ReadForChange(Store& store, absl::string_view referral_id) {
  absl::StatusOr<std::optional<sprout::v1::QueueItem>> item =
      store.GetQueueItemOfReferral(referral_id);
  if (!item.ok()) return item.status();
  absl::StatusOr<sprout::v1::Referral> referral = store.GetReferral(referral_id);
  if (!referral.ok()) return referral.status();
  return LifecycleRead{*std::move(referral), *std::move(item)};
}

ReferralUpdate UpdateOf(lifecycle::Change change, const lifecycle::Step& step,
                        const sprout::v1::Referral& read, const sprout::v1::QueueItem* item,
                        AuditEvent audit, std::string contact_request_id) {
  ReferralUpdate u;
  u.referral = std::move(change.referral);
  u.expected_etag = read.etag();
  if (change.queue_item.has_value()) {
    u.queue_item = std::move(change.queue_item);
    if (item != nullptr) u.expected_item_etag = item->etag();
  }
  u.close_episode = change.end_episode;
  u.action = std::string(lifecycle::MethodOf(step.transition));
  u.recorded_code = std::move(change.recorded_code);
  u.once_per_episode = change.once_per_episode;
  u.contact = std::move(change.contact);
  u.contact_request_id = std::move(contact_request_id);
  u.decision = std::move(change.decision);
  u.message_back =
      u.referral.state() != read.state() && lifecycle::ReportedToReferrer(u.referral.state());
  u.audit = std::move(audit);
  return u;
}

}  // namespace sprout::store
