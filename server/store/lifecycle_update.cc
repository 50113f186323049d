// File: server/store/lifecycle_update.cc
#include "server/store/lifecycle_update.h"

#include <optional>
#include <string>
#include <utility>

#include "server/lifecycle/states.h"

namespace sprout::store {
namespace {

// What a ResolveCodingReview teaches: the flagged words of the resolved
// reason (its segment of a text that named several needs, or the whole
// text) and the concept chosen. nullopt when the reason was not free text.
std::optional<CodingChoice> ChoiceOf(const lifecycle::Step& step,
                                     const sprout::v1::Referral& next) {
  if (step.transition != lifecycle::Transition::kResolveCodingReview) return std::nullopt;
  if (step.reason_index < 0 || step.reason_index >= next.coded_reasons_size()) return std::nullopt;
  const sprout::v1::CodedReason& reason = next.coded_reasons(step.reason_index);
  std::string phrase = reason.text_match().segment().empty() ? reason.original().free_text()
                                                             : reason.text_match().segment();
  if (phrase.empty()) return std::nullopt;
  CodingChoice choice;
  choice.reason_index = step.reason_index;
  choice.source_type = next.referrer().source_type();
  choice.phrase = std::move(phrase);
  choice.concept = reason.concept();
  choice.chosen_by = reason.reviewed_by();
  choice.time = step.now;
  return choice;
}

}  // namespace

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
  u.coding_choice = ChoiceOf(step, u.referral);
  u.audit = std::move(audit);
  return u;
}

}  // namespace sprout::store
