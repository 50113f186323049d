#include "server/api/queue_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "server/api/call.h"
#include "server/api/queue_watch_stream.h"
#include "server/auth/policy.h"
#include "server/common/errors.h"

namespace sprout::api {
namespace {

constexpr char kQueueNameHelp[] =
    "must name a queue: pcns/{pcn}, pcns/{pcn}/linkWorkers/{id} or triageQueues/{sicbl}";

constexpr absl::Duration kDefaultLease = absl::Minutes(15);
constexpr absl::Duration kMaxLease = absl::Hours(8);

// "pcns/{pcn}", "pcns/{pcn}/linkWorkers/{id}" or "triageQueues/{sicbl}".
bool IsQueueName(absl::string_view name) {
  return absl::StartsWith(name, "pcns/") || absl::StartsWith(name, "triageQueues/");
}

// The requested lease: 15 minutes by default, at most 8 hours.
absl::StatusOr<absl::Duration> LeaseOf(const sprout::v1::ClaimReferralRequest* request) {
  if (!request->has_lease_duration()) return kDefaultLease;
  const absl::Duration lease = absl::Seconds(request->lease_duration().seconds()) +
                               absl::Nanoseconds(request->lease_duration().nanos());
  if (lease <= absl::ZeroDuration() || lease > kMaxLease) {
    return InvalidArgumentWithViolations(
        {{"lease_duration",
          "must be more than 0 and at most 8 hours; leave it unset for 15 minutes"}});
  }
  return lease;
}

// The one answer for a queue item that is missing or on a queue the caller
// may not work: the same code, message and details either way, so a refusal
// says nothing about whose queue holds it.
absl::Status QueueItemNotFound(absl::string_view item) {
  return ErrorWithInfo(absl::StatusCode::kNotFound, "QUEUE_ITEM_NOT_FOUND",
                       absl::StrCat(item, " was not found on the queues you may work"),
                       {{"resource", std::string(item)}});
}

// The store's refusal, with the structured detail a client acts on.
absl::Status ClaimError(const absl::Status& status, absl::string_view item) {
  if (status.code() == absl::StatusCode::kNotFound ||
      status.code() == absl::StatusCode::kPermissionDenied) {
    return QueueItemNotFound(item);
  }
  if (status.code() == absl::StatusCode::kFailedPrecondition) {
    // The store's message starts with the item's name; the subject says it.
    absl::string_view why = status.message();
    absl::ConsumePrefix(&why, absl::StrCat(item, " "));
    return FailedPreconditionWithViolation("QUEUE_ITEM_NOT_CLAIMABLE", "QUEUE_ITEM_STATE", item,
                                           why);
  }
  return status;
}

}  // namespace

grpc::ServerUnaryReactor* QueueServiceImpl::ListQueueItems(
    grpc::CallbackServerContext* context, const sprout::v1::ListQueueItemsRequest* request,
    sprout::v1::ListQueueItemsResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ListQueueItems");
  if (!call.ok()) return FinishUnary(context, call.status());
  if (!IsQueueName(request->parent())) {
    return FinishUnary(context, InvalidArgumentWithViolations({{"parent", kQueueNameHelp}}));
  }
  if (!request->filter().empty()) {
    return FinishUnary(
        context, InvalidArgumentWithViolations({{"filter",
                                                 "filtering queue items is not supported yet; "
                                                 "leave filter empty"}}));
  }
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 50, 500);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), queue = request->parent(), size = *page_size,
       token = request->page_token(), response]() -> absl::Status {
        absl::Status allowed = auth::AuthorizeQueue(call.principal, queue);
        absl::StatusOr<store::Page<sprout::v1::QueueItem>> page =
            allowed.ok() ? call.components->store->ListQueueItems(queue, size, token)
                         : absl::StatusOr<store::Page<sprout::v1::QueueItem>>(allowed);
        std::vector<std::string> returned;
        if (page.ok()) {
          for (const sprout::v1::QueueItem& item : page->items) returned.push_back(item.name());
        }
        // Audited, refusals included, before the answer leaves.
        SPROUT_RETURN_IF_ERROR(
            AuditAccess(call, "ListQueueItems", queue, page.status(), std::move(returned)));
        if (!page.ok()) return page.status();
        for (sprout::v1::QueueItem& item : page->items) {
          *response->add_queue_items() = std::move(item);
        }
        response->set_next_page_token(page->next_page_token);
        return absl::OkStatus();
      });
}

grpc::ServerWriteReactor<sprout::v1::QueueEvent>* QueueServiceImpl::WatchQueue(
    grpc::CallbackServerContext* context, const sprout::v1::WatchQueueRequest* request) {
  using sprout::v1::QueueEvent;
  absl::StatusOr<Call> call = BeginCall(context, *state_, "WatchQueue");
  if (!call.ok()) return FinishStream<QueueEvent>(call.status());
  if (!IsQueueName(request->parent())) {
    return FinishStream<QueueEvent>(InvalidArgumentWithViolations({{"parent", kQueueNameHelp}}));
  }
  if (request->after_sequence() < 0) {
    return FinishStream<QueueEvent>(InvalidArgumentWithViolations(
        {{"after_sequence",
          "must not be negative; pass 0, or the sequence of the last event received"}}));
  }
  absl::Status allowed = auth::AuthorizeQueue(call->principal, request->parent());
  // Watching a queue reads patient-level items: audited like any read.
  if (absl::Status audited = AuditAccess(*call, "WatchQueue", request->parent(), allowed);
      !audited.ok()) {
    return FinishStream<QueueEvent>(audited);
  }
  if (!allowed.ok()) return FinishStream<QueueEvent>(allowed);
  return new QueueWatchStream(call->components->queue_watch, request->parent(),
                              request->after_sequence());
}

grpc::ServerUnaryReactor* QueueServiceImpl::ClaimReferral(
    grpc::CallbackServerContext* context, const sprout::v1::ClaimReferralRequest* request,
    sprout::v1::QueueItem* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ClaimReferral");
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<std::string> id = IdFromName(request->name(), "queueItems", "name");
  if (!id.ok()) return FinishUnary(context, id.status());
  absl::StatusOr<absl::Duration> lease = LeaseOf(request);
  if (!lease.ok()) return FinishUnary(context, lease.status());

  const Components& c = *call->components;
  store::QueueClaim claim;
  claim.queue_item_id = *id;
  claim.now = c.clock->Now();
  claim.lease_expire_time = claim.now + *lease;
  if (call->principal.role == auth::Role::kLinkWorker) {
    // Link workers claim for themselves, within their own PCN.
    claim.claimant = absl::StrCat("pcns/", call->principal.organisation_code, "/linkWorkers/",
                                  call->principal.link_worker_id);
    claim.required_pcn = call->principal.organisation_code;
  } else {
    claim.claimant = auth::PrincipalUri(call->principal);
  }
  claim.audit = AuditEventOf(*call, "ClaimReferral", request->name(), absl::OkStatus());
  return FinishUnaryBlocking(
      context, c,
      [call = *std::move(call), claim = std::move(claim), name = request->name(),
       response]() -> absl::Status {
        absl::StatusOr<sprout::v1::QueueItem> claimed =
            call.components->store->ClaimQueueItem(claim);
        if (!claimed.ok()) {
          // Nothing was stored with the claim: record the refusal on its own.
          const absl::Status refusal = ClaimError(claimed.status(), name);
          SPROUT_RETURN_IF_ERROR(AuditAccess(call, "ClaimReferral", name, refusal));
          return refusal;
        }
        *response = *std::move(claimed);
        return absl::OkStatus();
      });
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
