// The no-op ReferralService both baselines serve (PERFORMANCE.md P2, P3, P4):
// SubmitReferral and ValidateReferral answered at once, nothing read, coded,
// routed or stored, so a measurement against it is the cost of gRPC,
// protobuf and the transport alone. durable_skeleton overrides
// SubmitReferral to commit the request bytes; sprout-bench --baseline serves
// it as is.
#ifndef SPROUT_BENCH_SUBMIT_NOOP_REFERRAL_SERVICE_H_
#define SPROUT_BENCH_SUBMIT_NOOP_REFERRAL_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "sprout/v1/referral_service.grpc.pb.h"

namespace sprout::bench {

class NoopReferralService : public sprout::v1::ReferralService::CallbackService {
 public:
  grpc::ServerUnaryReactor* SubmitReferral(grpc::CallbackServerContext* context,
                                           const sprout::v1::SubmitReferralRequest* request,
                                           sprout::v1::SubmitReferralResponse* response) override {
    response->mutable_referral()->set_name(absl::StrCat("referrals/noop-", request->request_id()));
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* ValidateReferral(
      grpc::CallbackServerContext* context, const sprout::v1::ValidateReferralRequest* /*request*/,
      sprout::v1::ValidateReferralResponse* response) override {
    response->set_preview(true);
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace sprout::bench

#endif  // SPROUT_BENCH_SUBMIT_NOOP_REFERRAL_SERVICE_H_
