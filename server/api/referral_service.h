// gRPC adapter for sprout.v1.ReferralService: proto in, pipeline/store call,
// proto and status out (STYLE.md A2).
#ifndef SPROUT_SERVER_API_REFERRAL_SERVICE_H_
#define SPROUT_SERVER_API_REFERRAL_SERVICE_H_

#include "server/api/components.h"
#include "sprout/v1/referral_service.grpc.pb.h"

namespace sprout::api {

class ReferralServiceImpl final : public sprout::v1::ReferralService::CallbackService {
 public:
  // REQUIRES: `state` outlives the service.
  explicit ReferralServiceImpl(const ServiceState* state) : state_(state) {}

  // sprout::v1::ReferralService
  grpc::ServerUnaryReactor* SubmitReferral(grpc::CallbackServerContext* context,
                                           const sprout::v1::SubmitReferralRequest* request,
                                           sprout::v1::SubmitReferralResponse* response) override;
  grpc::ServerUnaryReactor* ValidateReferral(
      grpc::CallbackServerContext* context, const sprout::v1::ValidateReferralRequest* request,
      sprout::v1::ValidateReferralResponse* response) override;
  grpc::ServerUnaryReactor* GetReferral(grpc::CallbackServerContext* context,
                                        const sprout::v1::GetReferralRequest* request,
                                        sprout::v1::Referral* response) override;
  grpc::ServerUnaryReactor* ListReferrals(grpc::CallbackServerContext* context,
                                          const sprout::v1::ListReferralsRequest* request,
                                          sprout::v1::ListReferralsResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawReferral(grpc::CallbackServerContext* context,
                                             const sprout::v1::WithdrawReferralRequest* request,
                                             sprout::v1::Referral* response) override;
  grpc::ServerWriteReactor<sprout::v1::ReferralEvent>* WatchReferral(
      grpc::CallbackServerContext* context,
      const sprout::v1::WatchReferralRequest* request) override;

 private:
  const ServiceState* const state_;
};

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_REFERRAL_SERVICE_H_
