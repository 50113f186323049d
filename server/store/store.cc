#include "server/store/store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"

namespace sprout::store {

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
