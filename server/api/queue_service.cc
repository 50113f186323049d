#include "server/api/queue_service.h"

#include "absl/strings/match.h"
#include "server/api/call.h"
#include "server/auth/policy.h"
#include "server/common/errors.h"

namespace sprout::api {
namespace {

// "pcns/{pcn}", "pcns/{pcn}/linkWorkers/{id}" or "triageQueues/{sicbl}".
bool IsQueueName(absl::string_view name) {
  return absl::StartsWith(name, "pcns/") || absl::StartsWith(name, "triageQueues/");
}

}  // namespace

grpc::ServerUnaryReactor* QueueServiceImpl::ListQueueItems(
    grpc::CallbackServerContext* context, const sprout::v1::ListQueueItemsRequest* request,
    sprout::v1::ListQueueItemsResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ListQueueItems");
  if (!call.ok()) return FinishUnary(context, call.status());
  if (!IsQueueName(request->parent())) {
    return FinishUnary(context, InvalidArgumentWithViolations(
                                    {{"parent",
                                      "must name a queue: pcns/{pcn}, "
                                      "pcns/{pcn}/linkWorkers/{id} or triageQueues/{sicbl}"}}));
  }
  if (absl::Status allowed = auth::AuthorizeQueue(call->principal, request->parent());
      !allowed.ok()) {
    return FinishUnary(context, allowed);
  }
  if (!request->filter().empty()) {
    return FinishUnary(
        context, InvalidArgumentWithViolations({{"filter",
                                                 "filtering queue items is not supported yet; "
                                                 "leave filter empty"}}));
  }
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 50, 500);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  absl::StatusOr<store::Page<sprout::v1::QueueItem>> page =
      call->components->store->ListQueueItems(request->parent(), *page_size, request->page_token());
  if (!page.ok()) return FinishUnary(context, page.status());
  for (sprout::v1::QueueItem& item : page->items) *response->add_queue_items() = std::move(item);
  response->set_next_page_token(page->next_page_token);
  return FinishUnary(context, absl::OkStatus());
}

grpc::ServerWriteReactor<sprout::v1::QueueEvent>* QueueServiceImpl::WatchQueue(
    grpc::CallbackServerContext* context, const sprout::v1::WatchQueueRequest* request) {
  return FinishStream<sprout::v1::QueueEvent>(NotImplemented("WatchQueue"));
}

grpc::ServerUnaryReactor* QueueServiceImpl::ClaimReferral(
    grpc::CallbackServerContext* context, const sprout::v1::ClaimReferralRequest* request,
    sprout::v1::QueueItem* response) {
  return FinishUnary(context, NotImplemented("ClaimReferral"));
}

grpc::ServerUnaryReactor* QueueServiceImpl::AcceptReferral(
    grpc::CallbackServerContext* context, const sprout::v1::AcceptReferralRequest* request,
    sprout::v1::Referral* response) {
  return FinishUnary(context, NotImplemented("AcceptReferral"));
}

grpc::ServerUnaryReactor* QueueServiceImpl::DeclineReferral(
    grpc::CallbackServerContext* context, const sprout::v1::DeclineReferralRequest* request,
    sprout::v1::Referral* response) {
  return FinishUnary(context, NotImplemented("DeclineReferral"));
}

grpc::ServerUnaryReactor* QueueServiceImpl::ReturnToTriage(
    grpc::CallbackServerContext* context, const sprout::v1::ReturnToTriageRequest* request,
    sprout::v1::Referral* response) {
  return FinishUnary(context, NotImplemented("ReturnToTriage"));
}

grpc::ServerUnaryReactor* QueueServiceImpl::ReassignReferral(
    grpc::CallbackServerContext* context, const sprout::v1::ReassignReferralRequest* request,
    sprout::v1::Referral* response) {
  return FinishUnary(context, NotImplemented("ReassignReferral"));
}

grpc::ServerUnaryReactor* QueueServiceImpl::RecordContact(
    grpc::CallbackServerContext* context, const sprout::v1::RecordContactRequest* request,
    sprout::v1::Contact* response) {
  return FinishUnary(context, NotImplemented("RecordContact"));
}

grpc::ServerUnaryReactor* QueueServiceImpl::CloseReferral(
    grpc::CallbackServerContext* context, const sprout::v1::CloseReferralRequest* request,
    sprout::v1::Referral* response) {
  return FinishUnary(context, NotImplemented("CloseReferral"));
}

grpc::ServerUnaryReactor* QueueServiceImpl::GetCaseload(
    grpc::CallbackServerContext* context, const sprout::v1::GetCaseloadRequest* request,
    sprout::v1::Caseload* response) {
  return FinishUnary(context, NotImplemented("GetCaseload"));
}

}  // namespace sprout::api
