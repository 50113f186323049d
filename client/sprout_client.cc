#include "client/sprout_client.h"

#include <chrono>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "client/channel.h"
#include "grpcpp/client_context.h"
#include "rpc/status_conversion.h"

namespace sprout::client {
namespace {

constexpr char kDevPrincipalHeader[] = "x-sprout-principal";

std::chrono::system_clock::time_point DeadlineAfter(absl::Duration d) {
  return std::chrono::system_clock::now() + absl::ToChronoMilliseconds(d);
}

absl::Status NoStub(absl::string_view service) {
  return absl::FailedPreconditionError(absl::StrCat("this client has no ", service, " stub"));
}

// Every call's context: its deadline, and the dev identity header if any.
void Prepare(grpc::ClientContext& context, const ClientOptions& options, absl::Duration deadline) {
  context.set_deadline(DeadlineAfter(deadline));
  if (options.insecure && !options.dev_principal.empty()) {
    context.AddMetadata(kDevPrincipalHeader, options.dev_principal);
  }
}

// Where in the jitter band a back-off falls.
double JitterDraw() {
  static thread_local absl::BitGen gen;
  return absl::Uniform(gen, 0.0, 1.0);
}

// One unary call through `stub`, repeated as options.retry allows for a
// call of `idempotency`, all within options.deadline.
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Unary(Stub* stub, absl::string_view service,
                               grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                            Response*),
                               const Request& request, const ClientOptions& options,
                               Idempotency idempotency) {
  if (stub == nullptr) return NoStub(service);
  const absl::Time give_up = absl::Now() + options.deadline;
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    Prepare(context, options, give_up - absl::Now());
    Response response;
    grpc::Status status = (stub->*method)(&context, request, &response);
    if (status.ok()) return response;
    absl::Status failed = rpc::FromGrpcStatus(status);
    const std::optional<absl::Duration> wait =
        RetryDelay(failed, attempt, idempotency, options.retry, JitterDraw());
    if (!wait.has_value() || absl::Now() + *wait >= give_up) return failed;
    absl::SleepFor(*wait);
  }
}

// A repeat of these returns what the first stored (AIP-155).
Idempotency ByRequestId(const std::string& request_id) {
  return request_id.empty() ? Idempotency::kOnce : Idempotency::kRetriable;
}

// Reads a server stream until it ends or the handler declines more.
template <typename Event>
absl::Status Drain(grpc::ClientContext& context, grpc::ClientReaderInterface<Event>& reader,
                   const std::function<bool(const Event&)>& on_event) {
  Event event;
  bool stopped = false;
  while (reader.Read(&event)) {
    if (!on_event(event)) {
      stopped = true;
      context.TryCancel();
      break;
    }
  }
  grpc::Status status = reader.Finish();
  // Cancelling is how a watcher says "enough": not an error.
  if (stopped && (status.ok() || status.error_code() == grpc::StatusCode::CANCELLED)) {
    return absl::OkStatus();
  }
  return rpc::FromGrpcStatus(status);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SproutClient>> SproutClient::Create(const ClientOptions& options) {
  auto channel = CreateChannel(options);
  if (!channel.ok()) return channel.status();
  Stubs stubs;
  stubs.referral = v1::ReferralService::NewStub(*channel);
  stubs.queue = v1::QueueService::NewStub(*channel);
  stubs.terminology = v1::TerminologyService::NewStub(*channel);
  stubs.admin = v1::AdminService::NewStub(*channel);
  return std::make_unique<SproutClient>(*std::move(channel), std::move(stubs), options);
}

SproutClient::SproutClient(std::shared_ptr<grpc::Channel> channel, Stubs stubs,
                           ClientOptions options)
    : channel_(std::move(channel)), stubs_(std::move(stubs)), options_(std::move(options)) {}

using RS = v1::ReferralService::StubInterface;
using QS = v1::QueueService::StubInterface;
using TS = v1::TerminologyService::StubInterface;
using AS = v1::AdminService::StubInterface;

// `idempotency` is an expression over the request `r`.
#define SPROUT_CLIENT_CALL_(Service, stub, Method, Request, Response, idempotency)                \
  absl::StatusOr<v1::Response> SproutClient::Method(const v1::Request& r) {                       \
    return Unary<Service, v1::Request, v1::Response>(stubs_.stub.get(), #Service,                 \
                                                     &Service::Method, r, options_, idempotency); \
  }
// Reads, and validations that store nothing: safe to repeat.
#define SPROUT_CLIENT_UNARY_(Service, stub, Method, Request, Response) \
  SPROUT_CLIENT_CALL_(Service, stub, Method, Request, Response, Idempotency::kRetriable)
// Changes: made once.
#define SPROUT_CLIENT_CHANGE_(Service, stub, Method, Request, Response) \
  SPROUT_CLIENT_CALL_(Service, stub, Method, Request, Response, Idempotency::kOnce)

SPROUT_CLIENT_CALL_(RS, referral, SubmitReferral, SubmitReferralRequest, SubmitReferralResponse,
                    ByRequestId(r.request_id()))
SPROUT_CLIENT_UNARY_(RS, referral, ValidateReferral, ValidateReferralRequest,
                     ValidateReferralResponse)
SPROUT_CLIENT_UNARY_(RS, referral, GetReferral, GetReferralRequest, Referral)
SPROUT_CLIENT_UNARY_(RS, referral, ListReferrals, ListReferralsRequest, ListReferralsResponse)
SPROUT_CLIENT_CHANGE_(RS, referral, WithdrawReferral, WithdrawReferralRequest, Referral)

SPROUT_CLIENT_UNARY_(QS, queue, ListQueueItems, ListQueueItemsRequest, ListQueueItemsResponse)
SPROUT_CLIENT_CHANGE_(QS, queue, ClaimReferral, ClaimReferralRequest, QueueItem)
SPROUT_CLIENT_CHANGE_(QS, queue, AcceptReferral, AcceptReferralRequest, Referral)
SPROUT_CLIENT_CHANGE_(QS, queue, DeclineReferral, DeclineReferralRequest, Referral)
SPROUT_CLIENT_CHANGE_(QS, queue, ReturnToTriage, ReturnToTriageRequest, Referral)
SPROUT_CLIENT_CHANGE_(QS, queue, ReassignReferral, ReassignReferralRequest, Referral)
SPROUT_CLIENT_CALL_(QS, queue, RecordContact, RecordContactRequest, Contact,
                    ByRequestId(r.request_id()))
SPROUT_CLIENT_CHANGE_(QS, queue, CloseReferral, CloseReferralRequest, Referral)
SPROUT_CLIENT_UNARY_(QS, queue, GetCaseload, GetCaseloadRequest, Caseload)
SPROUT_CLIENT_CHANGE_(QS, queue, ResolveCodingReview, ResolveCodingReviewRequest, Referral)

SPROUT_CLIENT_UNARY_(TS, terminology, GetConcept, GetConceptRequest, Concept)
SPROUT_CLIENT_UNARY_(TS, terminology, Subsumes, SubsumesRequest, SubsumesResponse)
SPROUT_CLIENT_UNARY_(TS, terminology, ExpandEcl, ExpandEclRequest, ExpandEclResponse)
SPROUT_CLIENT_UNARY_(TS, terminology, SearchConcepts, SearchConceptsRequest, SearchConceptsResponse)
SPROUT_CLIENT_UNARY_(TS, terminology, ValidateCode, ValidateCodeRequest, ValidateCodeResponse)
SPROUT_CLIENT_UNARY_(TS, terminology, TranslateCode, TranslateCodeRequest, TranslateCodeResponse)
SPROUT_CLIENT_UNARY_(TS, terminology, GetRelease, GetReleaseRequest, Release)

SPROUT_CLIENT_UNARY_(AS, admin, QueryRoutingLog, QueryRoutingLogRequest, QueryRoutingLogResponse)
SPROUT_CLIENT_UNARY_(AS, admin, GetRoutingDecision, GetRoutingDecisionRequest, RoutingDecision)
SPROUT_CLIENT_UNARY_(AS, admin, GetStats, GetStatsRequest, Stats)
SPROUT_CLIENT_UNARY_(AS, admin, ListPcns, ListPcnsRequest, ListPcnsResponse)
SPROUT_CLIENT_UNARY_(AS, admin, ListLinkWorkers, ListLinkWorkersRequest, ListLinkWorkersResponse)
SPROUT_CLIENT_CHANGE_(AS, admin, ReloadDirectory, ReloadDirectoryRequest, ReloadDirectoryResponse)
SPROUT_CLIENT_CHANGE_(AS, admin, ReloadTerminology, ReloadTerminologyRequest,
                      ReloadTerminologyResponse)
SPROUT_CLIENT_UNARY_(AS, admin, VerifyAuditLog, VerifyAuditLogRequest, VerifyAuditLogResponse)
SPROUT_CLIENT_UNARY_(AS, admin, ListAuditRecords, ListAuditRecordsRequest, ListAuditRecordsResponse)
SPROUT_CLIENT_UNARY_(AS, admin, ListOverdueItems, ListOverdueItemsRequest, ListOverdueItemsResponse)
// A batch reseals values with the write key: repeating it changes nothing.
SPROUT_CLIENT_UNARY_(AS, admin, ReencryptPatientData, ReencryptPatientDataRequest,
                     ReencryptPatientDataResponse)
SPROUT_CLIENT_UNARY_(AS, admin, ListOutboxMessages, ListOutboxMessagesRequest,
                     ListOutboxMessagesResponse)
// Redelivering again only makes the message due now once more.
SPROUT_CLIENT_UNARY_(AS, admin, RedeliverOutboxMessage, RedeliverOutboxMessageRequest,
                     OutboxMessage)
SPROUT_CLIENT_UNARY_(AS, admin, ListCodingProposals, ListCodingProposalsRequest,
                     ListCodingProposalsResponse)
SPROUT_CLIENT_CHANGE_(AS, admin, AcceptCodingProposal, AcceptCodingProposalRequest,
                      AcceptCodingProposalResponse)

#undef SPROUT_CLIENT_CHANGE_
#undef SPROUT_CLIENT_UNARY_
#undef SPROUT_CLIENT_CALL_

absl::Status SproutClient::WatchReferral(const v1::WatchReferralRequest& r,
                                         const EventHandler<v1::ReferralEvent>& on_event) {
  if (stubs_.referral == nullptr) return NoStub("ReferralService");
  grpc::ClientContext context;
  Prepare(context, options_, options_.stream_deadline);
  auto reader = stubs_.referral->WatchReferral(&context, r);
  return Drain(context, *reader, on_event);
}

absl::Status SproutClient::WatchQueue(const v1::WatchQueueRequest& r,
                                      const EventHandler<v1::QueueEvent>& on_event) {
  if (stubs_.queue == nullptr) return NoStub("QueueService");
  grpc::ClientContext context;
  Prepare(context, options_, options_.stream_deadline);
  auto reader = stubs_.queue->WatchQueue(&context, r);
  return Drain(context, *reader, on_event);
}

absl::StatusOr<ServingStatus> SproutClient::Health(absl::string_view service) {
  if (channel_ == nullptr) return absl::FailedPreconditionError("this client has no channel");
  return CheckHealth(*channel_, service, options_.deadline,
                     options_.insecure ? options_.dev_principal : std::string());
}

}  // namespace sprout::client
