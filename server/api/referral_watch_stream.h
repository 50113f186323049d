// File: server/api/referral_watch_stream.h
//
// One WatchReferral stream: the referral's lifecycle events after the
// requested sequence (all of them from 0), then each new one as it commits.
// An event says what happened (the method), the state after it, when, the
// concept it recorded and, once closed, the coded outcome: never contact
// notes or who the link worker is, so the referrer can follow its referral.
#ifndef SPROUT_SERVER_API_REFERRAL_WATCH_STREAM_H_
#define SPROUT_SERVER_API_REFERRAL_WATCH_STREAM_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include "server/api/hub_watch_stream.h"
#include "server/store/store.h"
#include "sprout/v1/referral_service.pb.h"

namespace sprout::api {

// The wire form of a stored event of `referral_name`. `outcome` is the
// referral's, set only when the event's state is CLOSED (may be null).
sprout::v1::ReferralEvent ToReferralEvent(const store::ReferralEvent& event,
                                          const std::string& referral_name,
                                          const sprout::v1::Outcome* outcome);

class ReferralWatchStream final : public HubWatchStream<sprout::v1::ReferralEvent> {
 public:
  // Streams the events of referral `referral_id` after `after_sequence`.
  // `opening` decides whether the caller may watch (and audits it), as for
  // HubWatchStream; `summary_visible` false drops the outcome's free-text
  // summary (administrators watch pseudonymised). Deletes itself when the
  // call ends. REQUIRES: `hub` outlives the call.
  ReferralWatchStream(QueueWatchHub* hub, std::string referral_id, int64_t after_sequence,
                      bool summary_visible, std::function<absl::Status()> opening);

 private:
  absl::StatusOr<bool> ReadPage(std::deque<sprout::v1::ReferralEvent>& out) override;

  const std::string referral_id_;
  const std::string referral_name_;
  const bool summary_visible_;
  int64_t last_sequence_;  // guarded by the base's lock: ReadPage is its only user
};

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_REFERRAL_WATCH_STREAM_H_
