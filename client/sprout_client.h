// File: client/sprout_client.h
//
// SproutClient: one channel and the four service stubs of the Sprout API,
// with a deadline on every call and errors as absl::Status (details as
// payloads, see rpc/status_conversion.h).
//
//   ClientOptions options;
//   options.ca_file = "certs/out/ca.pem";
//   options.cert_file = "certs/out/gp.pem";
//   options.key_file = "certs/out/gp.key";
//   absl::StatusOr<std::unique_ptr<SproutClient>> client = SproutClient::Create(options);
//   if (!client.ok()) ...;
//   absl::StatusOr<v1::SubmitReferralResponse> r = (*client)->SubmitReferral(request);
//   if (!r.ok()) std::cerr << FormatStatus(r.status());
//
// A SproutClient is safe for concurrent use from several threads (gRPC stubs
// are). Create it once and keep it: a channel is expensive to set up.
#ifndef SPROUT_CLIENT_SPROUT_CLIENT_H_
#define SPROUT_CLIENT_SPROUT_CLIENT_H_

#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/client_options.h"
#include "client/health_check.h"
#include "grpcpp/channel.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "sprout/v1/terminology_service.grpc.pb.h"

namespace sprout::client {

namespace v1 = ::sprout::v1;

class SproutClient {
 public:
  // The stubs a client calls through. Tests pass generated Mock*Stub objects;
  // a stub left null makes its service's calls fail with FAILED_PRECONDITION.
  struct Stubs {
    std::unique_ptr<v1::ReferralService::StubInterface> referral;
    std::unique_ptr<v1::QueueService::StubInterface> queue;
    std::unique_ptr<v1::TerminologyService::StubInterface> terminology;
    std::unique_ptr<v1::AdminService::StubInterface> admin;
  };

  // Called for each streamed event; return false to stop watching.
  template <typename Event>
  using EventHandler = std::function<bool(const Event&)>;

  // Create()
  //
  // Builds the channel (see CreateChannel in channel.h for its errors) and
  // the stubs. Does not contact the server.
  static absl::StatusOr<std::unique_ptr<SproutClient>> Create(const ClientOptions& options);

  // `channel` may be null (then Health() fails with FAILED_PRECONDITION).
  SproutClient(std::shared_ptr<grpc::Channel> channel, Stubs stubs, ClientOptions options);

  SproutClient(const SproutClient&) = delete;
  SproutClient& operator=(const SproutClient&) = delete;

  const ClientOptions& options() const { return options_; }

  // Every unary method below makes one call with options().deadline and
  // returns the response, or the call's status (FromGrpcStatus).

  // ReferralService
  absl::StatusOr<v1::SubmitReferralResponse> SubmitReferral(const v1::SubmitReferralRequest& r);
  absl::StatusOr<v1::ValidateReferralResponse> ValidateReferral(
      const v1::ValidateReferralRequest& r);
  absl::StatusOr<v1::Referral> GetReferral(const v1::GetReferralRequest& r);
  absl::StatusOr<v1::ListReferralsResponse> ListReferrals(const v1::ListReferralsRequest& r);
  absl::StatusOr<v1::Referral> WithdrawReferral(const v1::WithdrawReferralRequest& r);

  // QueueService
  absl::StatusOr<v1::ListQueueItemsResponse> ListQueueItems(const v1::ListQueueItemsRequest& r);
  absl::StatusOr<v1::QueueItem> ClaimReferral(const v1::ClaimReferralRequest& r);
  absl::StatusOr<v1::Referral> AcceptReferral(const v1::AcceptReferralRequest& r);
  absl::StatusOr<v1::Referral> DeclineReferral(const v1::DeclineReferralRequest& r);
  absl::StatusOr<v1::Referral> ReturnToTriage(const v1::ReturnToTriageRequest& r);
  absl::StatusOr<v1::Referral> ReassignReferral(const v1::ReassignReferralRequest& r);
  absl::StatusOr<v1::Contact> RecordContact(const v1::RecordContactRequest& r);
  absl::StatusOr<v1::Referral> CloseReferral(const v1::CloseReferralRequest& r);
  absl::StatusOr<v1::Caseload> GetCaseload(const v1::GetCaseloadRequest& r);
  absl::StatusOr<v1::Referral> ResolveCodingReview(const v1::ResolveCodingReviewRequest& r);

  // TerminologyService
  absl::StatusOr<v1::Concept> GetConcept(const v1::GetConceptRequest& r);
  absl::StatusOr<v1::SubsumesResponse> Subsumes(const v1::SubsumesRequest& r);
  absl::StatusOr<v1::ExpandEclResponse> ExpandEcl(const v1::ExpandEclRequest& r);
  absl::StatusOr<v1::SearchConceptsResponse> SearchConcepts(const v1::SearchConceptsRequest& r);
  absl::StatusOr<v1::ValidateCodeResponse> ValidateCode(const v1::ValidateCodeRequest& r);
  absl::StatusOr<v1::TranslateCodeResponse> TranslateCode(const v1::TranslateCodeRequest& r);
  absl::StatusOr<v1::Release> GetRelease(const v1::GetReleaseRequest& r);

  // AdminService
  absl::StatusOr<v1::QueryRoutingLogResponse> QueryRoutingLog(const v1::QueryRoutingLogRequest& r);
  absl::StatusOr<v1::RoutingDecision> GetRoutingDecision(const v1::GetRoutingDecisionRequest& r);
  absl::StatusOr<v1::Stats> GetStats(const v1::GetStatsRequest& r);
  absl::StatusOr<v1::ListPcnsResponse> ListPcns(const v1::ListPcnsRequest& r);
  absl::StatusOr<v1::ListLinkWorkersResponse> ListLinkWorkers(const v1::ListLinkWorkersRequest& r);
  absl::StatusOr<v1::ReloadDirectoryResponse> ReloadDirectory(const v1::ReloadDirectoryRequest& r);
  absl::StatusOr<v1::ReloadTerminologyResponse> ReloadTerminology(
      const v1::ReloadTerminologyRequest& r);
  absl::StatusOr<v1::VerifyAuditLogResponse> VerifyAuditLog(const v1::VerifyAuditLogRequest& r);
  absl::StatusOr<v1::ListAuditRecordsResponse> ListAuditRecords(
      const v1::ListAuditRecordsRequest& r);
  absl::StatusOr<v1::ListOverdueItemsResponse> ListOverdueItems(
      const v1::ListOverdueItemsRequest& r);
  absl::StatusOr<v1::ReencryptPatientDataResponse> ReencryptPatientData(
      const v1::ReencryptPatientDataRequest& r);
  absl::StatusOr<v1::ListOutboxMessagesResponse> ListOutboxMessages(
      const v1::ListOutboxMessagesRequest& r);
  absl::StatusOr<v1::OutboxMessage> RedeliverOutboxMessage(
      const v1::RedeliverOutboxMessageRequest& r);
  absl::StatusOr<v1::ListCodingProposalsResponse> ListCodingProposals(
      const v1::ListCodingProposalsRequest& r);
  absl::StatusOr<v1::AcceptCodingProposalResponse> AcceptCodingProposal(
      const v1::AcceptCodingProposalRequest& r);

  // Streams, with options().stream_deadline. Each event goes to `on_event` in
  // order on the calling thread. Returns OK when the server ends the stream
  // or `on_event` returns false; otherwise the stream's status (for example
  // DEADLINE_EXCEEDED when stream_deadline passes).
  absl::Status WatchReferral(const v1::WatchReferralRequest& r,
                             const EventHandler<v1::ReferralEvent>& on_event);
  absl::Status WatchQueue(const v1::WatchQueueRequest& r,
                          const EventHandler<v1::QueueEvent>& on_event);

  // grpc.health.v1 Check for `service` ("" = the whole server).
  absl::StatusOr<ServingStatus> Health(absl::string_view service);

 private:
  // Constant after construction
  const std::shared_ptr<grpc::Channel> channel_;  // null in stub-only clients
  const Stubs stubs_;
  const ClientOptions options_;
};

}  // namespace sprout::client

#endif  // SPROUT_CLIENT_SPROUT_CLIENT_H_
