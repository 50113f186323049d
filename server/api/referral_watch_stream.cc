// File: server/api/referral_watch_stream.cc
#include "server/api/referral_watch_stream.h"

#include <utility>
#include <vector>

#include "server/common/proto_time.h"

namespace sprout::api {

sprout::v1::ReferralEvent ToReferralEvent(const store::ReferralEvent& event,
                                          const std::string& referral_name,
                                          const sprout::v1::Outcome* outcome) {
  sprout::v1::ReferralEvent e;
  e.set_referral(referral_name);
  e.set_state(event.state);
  *e.mutable_event_time() = ToProtoTime(event.time);
  e.set_sequence(event.sequence);
  e.set_action(event.action);
  if (event.recorded_code.has_value()) *e.mutable_recorded_code() = *event.recorded_code;
  if (outcome != nullptr && event.state == sprout::v1::REFERRAL_STATE_CLOSED) {
    *e.mutable_outcome() = *outcome;
  }
  return e;
}

ReferralWatchStream::ReferralWatchStream(QueueWatchHub* hub, std::string referral_id,
                                         int64_t after_sequence, bool summary_visible,
                                         std::function<absl::Status()> opening)
    : HubWatchStream(hub, std::move(opening)),
      referral_id_(std::move(referral_id)),
      referral_name_("referrals/" + referral_id_),
      summary_visible_(summary_visible),
      last_sequence_(after_sequence) {
  Start();
}

absl::StatusOr<bool> ReferralWatchStream::ReadPage(std::deque<sprout::v1::ReferralEvent>& out) {
  absl::StatusOr<std::vector<store::ReferralEvent>> events =
      hub()->store()->ListReferralEvents(referral_id_, last_sequence_);
  if (!events.ok()) return events.status();
  if (events->empty()) return false;
  // The outcome is the referral's; read it only when an event needs it.
  std::optional<sprout::v1::Outcome> outcome;
  for (const store::ReferralEvent& event : *events) {
    if (event.state != sprout::v1::REFERRAL_STATE_CLOSED || outcome.has_value()) continue;
    absl::StatusOr<sprout::v1::Referral> referral = hub()->store()->GetReferral(referral_id_);
    if (!referral.ok()) return referral.status();
    outcome = referral->outcome();
    if (!summary_visible_) outcome->clear_summary();
  }
  for (const store::ReferralEvent& event : *events) {
    last_sequence_ = event.sequence;
    out.push_back(ToReferralEvent(event, referral_name_, outcome ? &*outcome : nullptr));
  }
  return false;  // a referral's events are few: one read takes them all
}

}  // namespace sprout::api
