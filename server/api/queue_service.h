// gRPC adapter for sprout.v1.QueueService.
#ifndef SPROUT_SERVER_API_QUEUE_SERVICE_H_
#define SPROUT_SERVER_API_QUEUE_SERVICE_H_

#include "server/api/components.h"
#include "sprout/v1/queue_service.grpc.pb.h"

namespace sprout::api {

class QueueServiceImpl final : public sprout::v1::QueueService::CallbackService {
 public:
  // REQUIRES: `state` outlives the service.
  explicit QueueServiceImpl(const ServiceState* state) : state_(state) {}

  // sprout::v1::QueueService
  grpc::ServerUnaryReactor* ListQueueItems(grpc::CallbackServerContext* context,
                                           const sprout::v1::ListQueueItemsRequest* request,
                                           sprout::v1::ListQueueItemsResponse* response) override;
  grpc::ServerWriteReactor<sprout::v1::QueueEvent>* WatchQueue(
      grpc::CallbackServerContext* context, const sprout::v1::WatchQueueRequest* request) override;
  grpc::ServerUnaryReactor* ClaimReferral(grpc::CallbackServerContext* context,
                                          const sprout::v1::ClaimReferralRequest* request,
                                          sprout::v1::QueueItem* response) override;
  grpc::ServerUnaryReactor* AcceptReferral(grpc::CallbackServerContext* context,
                                           const sprout::v1::AcceptReferralRequest* request,
                                           sprout::v1::Referral* response) override;
  grpc::ServerUnaryReactor* DeclineReferral(grpc::CallbackServerContext* context,
                                            const sprout::v1::DeclineReferralRequest* request,
                                            sprout::v1::Referral* response) override;
  grpc::ServerUnaryReactor* ReturnToTriage(grpc::CallbackServerContext* context,
                                           const sprout::v1::ReturnToTriageRequest* request,
                                           sprout::v1::Referral* response) override;
  grpc::ServerUnaryReactor* ReassignReferral(grpc::CallbackServerContext* context,
                                             const sprout::v1::ReassignReferralRequest* request,
                                             sprout::v1::Referral* response) override;
  grpc::ServerUnaryReactor* RecordContact(grpc::CallbackServerContext* context,
                                          const sprout::v1::RecordContactRequest* request,
                                          sprout::v1::Contact* response) override;
  grpc::ServerUnaryReactor* CloseReferral(grpc::CallbackServerContext* context,
                                          const sprout::v1::CloseReferralRequest* request,
                                          sprout::v1::Referral* response) override;
  grpc::ServerUnaryReactor* GetCaseload(grpc::CallbackServerContext* context,
                                        const sprout::v1::GetCaseloadRequest* request,
                                        sprout::v1::Caseload* response) override;
  grpc::ServerUnaryReactor* ResolveCodingReview(
      grpc::CallbackServerContext* context, const sprout::v1::ResolveCodingReviewRequest* request,
      sprout::v1::Referral* response) override;

 private:
  const ServiceState* const state_;
};

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_QUEUE_SERVICE_H_
