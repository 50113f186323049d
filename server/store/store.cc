#include "server/store/store.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"

namespace sprout::store {

std::string RoutingLogQueryScope(const RoutingLogQuery& q) {
  std::vector<uint64_t> reasons = q.reason_any_of;
  std::sort(reasons.begin(), reasons.end());
  return absl::StrCat(q.pcn_code, "|", q.practice_code, "|", q.source_type, "|", q.outcome, "|",
                      q.rule, "|", absl::StrJoin(reasons, ","), "|",
                      q.decided_after ? absl::StrCat(absl::ToUnixMicros(*q.decided_after)) : "",
                      "|",
                      q.decided_before ? absl::StrCat(absl::ToUnixMicros(*q.decided_before)) : "");
}

std::string IdempotencyKeyOf(const Submission& submission) {
  return absl::StrCat(submission.organisation_code, "/", submission.request_id);
}

absl::StatusOr<SubmitOutcome> Store::Submit(Submission submission) {
  absl::Notification done;
  absl::StatusOr<SubmitOutcome> result = absl::UnknownError("submission did not complete");
  SubmitAsync(std::move(submission), [&](absl::StatusOr<SubmitOutcome> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

}  // namespace sprout::store
