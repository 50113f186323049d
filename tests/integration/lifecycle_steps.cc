#include "tests/integration/lifecycle_steps.h"

#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace sprout::testing {
namespace {

namespace v1 = ::sprout::v1;

std::unique_ptr<grpc::ClientContext> Deadline() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

absl::Status Check(const grpc::Status& status, absl::string_view step) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(step, ": ", status.error_message()));
}

}  // namespace

absl::StatusOr<v1::Referral> SubmitOver(v1::ReferralService::Stub& referrer,
                                        const v1::Referral& referral,
                                        const std::string& request_id) {
  v1::SubmitReferralRequest request;
  request.set_request_id(request_id);
  *request.mutable_referral() = referral;
  v1::SubmitReferralResponse response;
  if (absl::Status s =
          Check(referrer.SubmitReferral(Deadline().get(), request, &response), "SubmitReferral");
      !s.ok()) {
    return s;
  }
  return response.referral();
}

absl::StatusOr<v1::Referral> ClaimAndAccept(v1::QueueService::Stub& link_worker,
                                            const std::string& pcn, const std::string& name) {
  v1::ListQueueItemsRequest list;
  list.set_parent(pcn);
  list.set_page_size(500);
  v1::ListQueueItemsResponse items;
  if (absl::Status s =
          Check(link_worker.ListQueueItems(Deadline().get(), list, &items), "ListQueueItems");
      !s.ok()) {
    return s;
  }
  for (const v1::QueueItem& item : items.queue_items()) {
    if (item.referral() != name) continue;
    v1::ClaimReferralRequest claim;
    claim.set_name(item.name());
    v1::QueueItem claimed;
    if (absl::Status s =
            Check(link_worker.ClaimReferral(Deadline().get(), claim, &claimed), "ClaimReferral");
        !s.ok()) {
      return s;
    }
    v1::AcceptReferralRequest accept;
    accept.set_name(name);
    v1::Referral accepted;
    if (absl::Status s = Check(link_worker.AcceptReferral(Deadline().get(), accept, &accepted),
                               "AcceptReferral");
        !s.ok()) {
      return s;
    }
    return accepted;
  }
  return absl::NotFoundError(absl::StrCat("no queue item of ", name, " on ", pcn));
}

absl::Status RecordPhoneContact(v1::QueueService::Stub& link_worker, const std::string& name,
                                const std::string& request_id, const std::string& notes) {
  v1::RecordContactRequest request;
  request.set_parent(name);
  request.set_request_id(request_id);
  v1::Contact& c = *request.mutable_contact();
  c.set_type(v1::CONTACT_TYPE_PHONE);
  c.mutable_contact_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 60);
  c.mutable_duration()->set_seconds(1800);
  c.set_notes(notes);
  v1::Contact stored;
  return Check(link_worker.RecordContact(Deadline().get(), request, &stored), "RecordContact");
}

absl::StatusOr<v1::Referral> CloseWithOutcome(v1::QueueService::Stub& link_worker,
                                              const std::string& name, const std::string& summary) {
  v1::CloseReferralRequest request;
  request.set_name(name);
  request.mutable_outcome()->add_codes()->set_code("1230392000");
  request.mutable_outcome()->set_summary(summary);
  v1::Ons4Scores& ons4 = *request.mutable_wellbeing()->mutable_ons4();
  ons4.set_life_satisfaction(7);
  ons4.set_worthwhile(8);
  ons4.set_happiness(7);
  ons4.set_anxiety(3);
  v1::Referral closed;
  if (absl::Status s =
          Check(link_worker.CloseReferral(Deadline().get(), request, &closed), "CloseReferral");
      !s.ok()) {
    return s;
  }
  return closed;
}

}  // namespace sprout::testing
