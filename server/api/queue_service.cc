#include "server/api/queue_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "base/status_macros.h"
#include "server/api/call.h"
#include "server/api/caseload_view.h"
#include "server/api/filtered_listing.h"
#include "server/api/lifecycle_call.h"
#include "server/api/lifecycle_checks.h"
#include "server/api/message_filter.h"
#include "server/api/queue_watch_stream.h"
#include "server/auth/policy.h"
#include "server/common/errors.h"
#include "server/lifecycle/queue_timing.h"

namespace sprout::api {
namespace {

using lifecycle::Transition;

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

// Fills a Referral response from what was stored.
std::function<void(store::UpdateOutcome&)> RespondReferral(sprout::v1::Referral* response) {
  return [response](store::UpdateOutcome& outcome) { *response = std::move(outcome.referral); };
}

// The PCN display name of the link worker a referral is reassigned to, after
// checking the name and that the directory in force lists them.
absl::StatusOr<std::string> ReassignTarget(const routing::Directory& directory,
                                           absl::string_view link_worker,
                                           absl::string_view reason) {
  std::vector<FieldViolation> v;
  if (reason.size() > kMaxReasonText) {
    v.push_back({"reason", absl::StrCat("is ", reason.size(), " characters; at most ",
                                        kMaxReasonText, " are kept")});
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(link_worker, '/');
  if (parts.size() != 4 || parts[0] != "pcns" || parts[2] != "linkWorkers" || parts[1].empty() ||
      parts[3].empty()) {
    v.push_back({"link_worker", "must name a link worker: pcns/{pcn}/linkWorkers/{id}"});
    return InvalidArgumentWithViolations(v);
  }
  const routing::LinkWorker* found = directory.FindLinkWorker(parts[3]);
  if (found == nullptr || found->pcn_code != parts[1]) {
    v.push_back({"link_worker",
                 absl::StrCat("is not a link worker of ", parts[1],
                              " in the directory in force; sproutctl admin link-workers lists "
                              "them")});
  }
  if (!v.empty()) return InvalidArgumentWithViolations(v);
  const routing::Pcn* pcn = directory.FindPcn(parts[1]);
  return pcn == nullptr ? std::string() : pcn->name;
}

}  // namespace

grpc::ServerUnaryReactor* QueueServiceImpl::ListQueueItems(
    grpc::CallbackServerContext* context, const sprout::v1::ListQueueItemsRequest* request,
    sprout::v1::ListQueueItemsResponse* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ListQueueItems", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  if (!IsQueueName(request->parent())) {
    return FinishUnary(context, InvalidArgumentWithViolations({{"parent", kQueueNameHelp}}));
  }
  absl::StatusOr<MessageFilter> filter =
      MessageFilter::Parse(request->filter(), *sprout::v1::QueueItem::descriptor(),
                           {{"priority"},
                            {"state"},
                            {"source_type"},
                            {"overdue"},
                            {"claimed", "", [](const google::protobuf::Message& m) {
                               return static_cast<const sprout::v1::QueueItem&>(m).state() ==
                                      sprout::v1::QUEUE_ITEM_STATE_CLAIMED;
                             }}});
  if (!filter.ok()) return FinishUnary(context, filter.status());
  absl::StatusOr<int> page_size = PageSizeOf(request->page_size(), 50, 500);
  if (!page_size.ok()) return FinishUnary(context, page_size.status());
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), queue = request->parent(), size = *page_size,
       token = request->page_token(), filter = *std::move(filter),
       response](CallAudit& audit) -> absl::Status {
        using sprout::v1::QueueItem;
        absl::Status allowed = auth::AuthorizeQueue(call.principal, queue);
        // As of now: a lapsed claim shows as waiting again, and an item left
        // unclaimed too long is flagged overdue; the filter sees the same.
        const absl::Time now = call.components->clock->Now();
        absl::StatusOr<store::Page<QueueItem>> page =
            allowed.ok()
                ? FilteredPage<QueueItem>(
                      filter, size, token,
                      [&](int n, const std::string& t) {
                        return call.components->store->ListQueueItems(queue, n, t);
                      },
                      [&](QueueItem item) {
                        return lifecycle::AsOf(std::move(item), now, call.components->overdue);
                      })
                : absl::StatusOr<store::Page<QueueItem>>(allowed);
        std::vector<std::string> returned;
        if (page.ok()) {
          for (const sprout::v1::QueueItem& item : page->items) returned.push_back(item.name());
        }
        // Audited, refusals included, before the answer leaves.
        audit.Access(call, "ListQueueItems", queue, page.status(), std::move(returned));
        if (!page.ok()) return page.status();
        for (QueueItem& item : page->items) *response->add_queue_items() = std::move(item);
        response->set_next_page_token(page->next_page_token);
        return absl::OkStatus();
      });
}

grpc::ServerWriteReactor<sprout::v1::QueueEvent>* QueueServiceImpl::WatchQueue(
    grpc::CallbackServerContext* context, const sprout::v1::WatchQueueRequest* request) {
  using sprout::v1::QueueEvent;
  absl::StatusOr<Call> call = BeginCall(context, *state_, "WatchQueue", *request);
  if (!call.ok()) return FinishStream<QueueEvent>(call.status());
  if (!IsQueueName(request->parent())) {
    return FinishStream<QueueEvent>(InvalidArgumentWithViolations({{"parent", kQueueNameHelp}}));
  }
  if (request->after_sequence() < 0) {
    return FinishStream<QueueEvent>(InvalidArgumentWithViolations(
        {{"after_sequence",
          "must not be negative; pass 0, or the sequence of the last event received"}}));
  }
  QueueWatchHub* hub = call->components->queue_watch;
  // Watching a queue reads patient-level items: audited like any read,
  // refusals included, off the gRPC thread before the first event.
  auto opening = [call = *std::move(call), queue = request->parent()]() -> absl::Status {
    const absl::Status allowed = auth::AuthorizeQueue(call.principal, queue);
    SPROUT_RETURN_IF_ERROR(AuditAccess(call, "WatchQueue", queue, allowed));
    return allowed;
  };
  return new QueueWatchStream(hub, request->parent(), request->after_sequence(),
                              std::move(opening));
}

grpc::ServerUnaryReactor* QueueServiceImpl::ClaimReferral(
    grpc::CallbackServerContext* context, const sprout::v1::ClaimReferralRequest* request,
    sprout::v1::QueueItem* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ClaimReferral", *request);
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
  return FinishUnaryBlocking(context, c,
                             [call = *std::move(call), claim = std::move(claim),
                              name = request->name(), response](CallAudit& audit) -> absl::Status {
                               absl::StatusOr<sprout::v1::QueueItem> claimed =
                                   call.components->store->ClaimQueueItem(claim);
                               if (!claimed.ok()) {
                                 // Nothing was stored with the claim: record the refusal on its
                                 // own.
                                 const absl::Status refusal = ClaimError(claimed.status(), name);
                                 audit.Access(call, "ClaimReferral", name, refusal);
                                 return refusal;
                               }
                               *response = *std::move(claimed);
                               return absl::OkStatus();
                             });
}

grpc::ServerUnaryReactor* QueueServiceImpl::AcceptReferral(
    grpc::CallbackServerContext* context, const sprout::v1::AcceptReferralRequest* request,
    sprout::v1::Referral* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "AcceptReferral", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<LifecycleRequest> step =
      BeginLifecycle(*call, Transition::kAccept, request->name(), request->etag());
  if (!step.ok()) return FinishUnary(context, step.status());
  return FinishLifecycle(context, *std::move(call), *std::move(step), RespondReferral(response));
}

grpc::ServerUnaryReactor* QueueServiceImpl::DeclineReferral(
    grpc::CallbackServerContext* context, const sprout::v1::DeclineReferralRequest* request,
    sprout::v1::Referral* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "DeclineReferral", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<LifecycleRequest> step =
      BeginLifecycle(*call, Transition::kDecline, request->name(), request->etag());
  if (!step.ok()) return FinishUnary(context, step.status());
  if (absl::Status checked =
          CheckDecline(*request, call->components->intake->Get()->coder(), step->step);
      !checked.ok()) {
    return FinishUnary(context, checked);
  }
  return FinishLifecycle(context, *std::move(call), *std::move(step), RespondReferral(response));
}

grpc::ServerUnaryReactor* QueueServiceImpl::ReturnToTriage(
    grpc::CallbackServerContext* context, const sprout::v1::ReturnToTriageRequest* request,
    sprout::v1::Referral* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ReturnToTriage", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<LifecycleRequest> step =
      BeginLifecycle(*call, Transition::kReturnToTriage, request->name(), request->etag());
  if (!step.ok()) return FinishUnary(context, step.status());
  if (absl::Status checked = CheckReturnToTriage(*request, step->step); !checked.ok()) {
    return FinishUnary(context, checked);
  }
  // The triage queue is the sub-ICB location of the PCN it was routed to,
  // as the directory in force has it.
  step->refine = [directory = call->components->directory->Get()](
                     const store::LifecycleRead& read, lifecycle::Step& s) -> absl::Status {
    absl::string_view pcn = read.referral.route().pcn();
    absl::ConsumePrefix(&pcn, "pcns/");
    const routing::Pcn* found = directory->FindPcn(pcn);
    if (found == nullptr || found->sicbl_code.empty()) {
      return FailedPreconditionWithViolation(
          "NO_TRIAGE_QUEUE", "DIRECTORY", read.referral.route().pcn(),
          "is not in the directory in force, so its sub-ICB triage queue is unknown; reassign "
          "the referral instead, or reload a directory that lists the PCN");
    }
    s.triage_queue = absl::StrCat("triageQueues/", found->sicbl_code);
    return absl::OkStatus();
  };
  return FinishLifecycle(context, *std::move(call), *std::move(step), RespondReferral(response));
}

grpc::ServerUnaryReactor* QueueServiceImpl::ReassignReferral(
    grpc::CallbackServerContext* context, const sprout::v1::ReassignReferralRequest* request,
    sprout::v1::Referral* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ReassignReferral", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<LifecycleRequest> step =
      BeginLifecycle(*call, Transition::kReassign, request->name(), request->etag());
  if (!step.ok()) return FinishUnary(context, step.status());
  std::shared_ptr<const routing::Directory> directory = call->components->directory->Get();
  absl::StatusOr<std::string> pcn_display =
      ReassignTarget(*directory, request->link_worker(), request->reason());
  if (!pcn_display.ok()) return FinishUnary(context, pcn_display.status());
  step->step.link_worker = request->link_worker();
  step->step.pcn_display = *std::move(pcn_display);
  step->step.directory_version = directory->version();
  step->step.reason = request->reason();
  return FinishLifecycle(context, *std::move(call), *std::move(step), RespondReferral(response));
}

grpc::ServerUnaryReactor* QueueServiceImpl::RecordContact(
    grpc::CallbackServerContext* context, const sprout::v1::RecordContactRequest* request,
    sprout::v1::Contact* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "RecordContact", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<LifecycleRequest> step =
      BeginLifecycle(*call, Transition::kRecordContact, request->parent(), "", "parent");
  if (!step.ok()) return FinishUnary(context, step.status());
  if (absl::Status checked = CheckContact(*request, step->step); !checked.ok()) {
    return FinishUnary(context, checked);
  }
  step->request_id = request->request_id();
  return FinishLifecycle(context, *std::move(call), *std::move(step),
                         [response](store::UpdateOutcome& outcome) {
                           if (outcome.contact.has_value()) *response = *outcome.contact;
                         });
}

grpc::ServerUnaryReactor* QueueServiceImpl::CloseReferral(
    grpc::CallbackServerContext* context, const sprout::v1::CloseReferralRequest* request,
    sprout::v1::Referral* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "CloseReferral", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<LifecycleRequest> step =
      BeginLifecycle(*call, Transition::kClose, request->name(), request->etag());
  if (!step.ok()) return FinishUnary(context, step.status());
  if (absl::Status checked =
          CheckClose(*request, call->components->intake->Get()->coder(), step->step);
      !checked.ok()) {
    return FinishUnary(context, checked);
  }
  return FinishLifecycle(context, *std::move(call), *std::move(step), RespondReferral(response));
}

grpc::ServerUnaryReactor* QueueServiceImpl::ResolveCodingReview(
    grpc::CallbackServerContext* context, const sprout::v1::ResolveCodingReviewRequest* request,
    sprout::v1::Referral* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "ResolveCodingReview", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<LifecycleRequest> step =
      BeginLifecycle(*call, Transition::kResolveCodingReview, request->name(), request->etag());
  if (!step.ok()) return FinishUnary(context, step.status());
  if (absl::Status checked =
          CheckCodingReview(*request, call->components->intake->Get()->coder(), step->step);
      !checked.ok()) {
    return FinishUnary(context, checked);
  }
  return FinishLifecycle(context, *std::move(call), *std::move(step), RespondReferral(response));
}

grpc::ServerUnaryReactor* QueueServiceImpl::GetCaseload(
    grpc::CallbackServerContext* context, const sprout::v1::GetCaseloadRequest* request,
    sprout::v1::Caseload* response) {
  absl::StatusOr<Call> call = BeginCall(context, *state_, "GetCaseload", *request);
  if (!call.ok()) return FinishUnary(context, call.status());
  absl::StatusOr<CaseloadName> name = ParseCaseloadName(request->name());
  if (!name.ok()) return FinishUnary(context, name.status());
  return FinishUnaryBlocking(
      context, *call->components,
      [call = *std::move(call), name = *std::move(name), resource = request->name(),
       response](CallAudit& audit) -> absl::Status {
        absl::StatusOr<sprout::v1::Caseload> caseload = ReadCaseload(call, name);
        std::vector<std::string> returned;
        if (caseload.ok()) {
          for (const sprout::v1::CaseloadEntry& e : caseload->entries()) {
            returned.push_back(e.referral());
          }
        }
        audit.Access(call, "GetCaseload", resource, caseload.status(), std::move(returned));
        if (!caseload.ok()) return caseload.status();
        *response = *std::move(caseload);
        return absl::OkStatus();
      });
}

}  // namespace sprout::api
