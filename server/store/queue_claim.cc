#include "server/store/queue_claim.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/store/names.h"

namespace sprout::store {
namespace {

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t micros = absl::ToUnixMicros(t);
  out.set_seconds(micros / 1000000);
  out.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  return out;
}

}  // namespace

absl::Status CheckClaim(const QueueClaim& claim) {
  if (claim.queue_item_id.empty()) return absl::InvalidArgumentError("queue item id is empty");
  if (claim.claimant.empty()) return absl::InvalidArgumentError("claimant is empty");
  if (claim.lease_expire_time <= claim.now) {
    return absl::InvalidArgumentError("the lease would end before it starts");
  }
  return absl::OkStatus();
}

std::string QueueItemEtag(absl::string_view queue_item_id, int64_t sequence) {
  return absl::StrCat("\"", queue_item_id, "-", sequence, "\"");
}

absl::Status ClaimItem(const QueueClaim& claim, int64_t new_sequence, sprout::v1::QueueItem* item) {
  if (!claim.required_pcn.empty() && PcnCodeOfQueue(item->queue()) != claim.required_pcn) {
    return absl::PermissionDeniedError(
        absl::StrCat(item->name(), " is not on a queue of PCN ", claim.required_pcn));
  }
  if (item->state() == sprout::v1::QUEUE_ITEM_STATE_DONE) {
    return absl::FailedPreconditionError(
        absl::StrCat(item->name(), " has already been acted on and cannot be claimed"));
  }
  if (item->state() == sprout::v1::QUEUE_ITEM_STATE_CLAIMED &&
      item->claimed_by() != claim.claimant &&
      absl::FromUnixMicros(TimestampMicros(item->lease_expire_time())) > claim.now) {
    return absl::FailedPreconditionError(absl::StrCat(
        item->name(), " is claimed by someone else until its lease ends; claim another item"));
  }
  item->set_state(sprout::v1::QUEUE_ITEM_STATE_CLAIMED);
  item->set_claimed_by(claim.claimant);
  *item->mutable_lease_expire_time() = ToProto(claim.lease_expire_time);
  item->set_sequence(new_sequence);
  item->set_etag(QueueItemEtag(claim.queue_item_id, new_sequence));
  return absl::OkStatus();
}

}  // namespace sprout::store
