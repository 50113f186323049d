// gRPC adapter for sprout.v1.AdminService.
#ifndef SPROUT_SERVER_API_ADMIN_SERVICE_H_
#define SPROUT_SERVER_API_ADMIN_SERVICE_H_

#include "server/api/components.h"
#include "sprout/v1/admin_service.grpc.pb.h"

namespace sprout::api {

class AdminServiceImpl final : public sprout::v1::AdminService::CallbackService {
 public:
  // REQUIRES: `state` outlives the service.
  explicit AdminServiceImpl(const ServiceState* state) : state_(state) {}

  // sprout::v1::AdminService
  grpc::ServerUnaryReactor* QueryRoutingLog(grpc::CallbackServerContext* context,
                                            const sprout::v1::QueryRoutingLogRequest* request,
                                            sprout::v1::QueryRoutingLogResponse* response) override;
  grpc::ServerUnaryReactor* GetRoutingDecision(grpc::CallbackServerContext* context,
                                               const sprout::v1::GetRoutingDecisionRequest* request,
                                               sprout::v1::RoutingDecision* response) override;
  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* context,
                                     const sprout::v1::GetStatsRequest* request,
                                     sprout::v1::Stats* response) override;
  grpc::ServerUnaryReactor* ListPcns(grpc::CallbackServerContext* context,
                                     const sprout::v1::ListPcnsRequest* request,
                                     sprout::v1::ListPcnsResponse* response) override;
  grpc::ServerUnaryReactor* ListLinkWorkers(grpc::CallbackServerContext* context,
                                            const sprout::v1::ListLinkWorkersRequest* request,
                                            sprout::v1::ListLinkWorkersResponse* response) override;
  grpc::ServerUnaryReactor* ReloadDirectory(grpc::CallbackServerContext* context,
                                            const sprout::v1::ReloadDirectoryRequest* request,
                                            sprout::v1::ReloadDirectoryResponse* response) override;
  grpc::ServerUnaryReactor* ReloadTerminology(
      grpc::CallbackServerContext* context, const sprout::v1::ReloadTerminologyRequest* request,
      sprout::v1::ReloadTerminologyResponse* response) override;
  grpc::ServerUnaryReactor* VerifyAuditLog(grpc::CallbackServerContext* context,
                                           const sprout::v1::VerifyAuditLogRequest* request,
                                           sprout::v1::VerifyAuditLogResponse* response) override;
  grpc::ServerUnaryReactor* ListAuditRecords(
      grpc::CallbackServerContext* context, const sprout::v1::ListAuditRecordsRequest* request,
      sprout::v1::ListAuditRecordsResponse* response) override;
  grpc::ServerUnaryReactor* ListOverdueItems(
      grpc::CallbackServerContext* context, const sprout::v1::ListOverdueItemsRequest* request,
      sprout::v1::ListOverdueItemsResponse* response) override;
  grpc::ServerUnaryReactor* ReencryptPatientData(
      grpc::CallbackServerContext* context, const sprout::v1::ReencryptPatientDataRequest* request,
      sprout::v1::ReencryptPatientDataResponse* response) override;
  // admin_outbox.cc
  grpc::ServerUnaryReactor* ListOutboxMessages(
      grpc::CallbackServerContext* context, const sprout::v1::ListOutboxMessagesRequest* request,
      sprout::v1::ListOutboxMessagesResponse* response) override;
  grpc::ServerUnaryReactor* RedeliverOutboxMessage(
      grpc::CallbackServerContext* context,
      const sprout::v1::RedeliverOutboxMessageRequest* request,
      sprout::v1::OutboxMessage* response) override;
  // admin_coding.cc
  grpc::ServerUnaryReactor* ListCodingProposals(
      grpc::CallbackServerContext* context, const sprout::v1::ListCodingProposalsRequest* request,
      sprout::v1::ListCodingProposalsResponse* response) override;
  grpc::ServerUnaryReactor* AcceptCodingProposal(
      grpc::CallbackServerContext* context, const sprout::v1::AcceptCodingProposalRequest* request,
      sprout::v1::AcceptCodingProposalResponse* response) override;

 private:
  const ServiceState* const state_;
};

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_ADMIN_SERVICE_H_
