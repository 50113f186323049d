// File: server/lifecycle/states.cc
#include "server/lifecycle/states.h"

namespace sprout::lifecycle {

bool IsOpen(ReferralState state) {
  return state == sprout::v1::REFERRAL_STATE_ACCEPTED ||
         state == sprout::v1::REFERRAL_STATE_IN_PROGRESS;
}

bool IsAccepted(ReferralState state) {
  return IsOpen(state) || state == sprout::v1::REFERRAL_STATE_CLOSED;
}

bool IsFinal(ReferralState state) {
  return state == sprout::v1::REFERRAL_STATE_DECLINED ||
         state == sprout::v1::REFERRAL_STATE_CLOSED ||
         state == sprout::v1::REFERRAL_STATE_WITHDRAWN;
}

bool ReportedToReferrer(ReferralState state) {
  return state == sprout::v1::REFERRAL_STATE_ACCEPTED ||
         state == sprout::v1::REFERRAL_STATE_DECLINED || state == sprout::v1::REFERRAL_STATE_CLOSED;
}

absl::string_view StateName(ReferralState state) {
  absl::string_view name = sprout::v1::ReferralState_Name(state);
  constexpr absl::string_view kPrefix = "REFERRAL_STATE_";
  if (name.substr(0, kPrefix.size()) == kPrefix) name.remove_prefix(kPrefix.size());
  return name.empty() ? "UNKNOWN" : name;
}

}  // namespace sprout::lifecycle
