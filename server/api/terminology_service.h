// gRPC adapter for sprout.v1.TerminologyService.
#ifndef SPROUT_SERVER_API_TERMINOLOGY_SERVICE_H_
#define SPROUT_SERVER_API_TERMINOLOGY_SERVICE_H_

#include "server/api/components.h"
#include "sprout/v1/terminology_service.grpc.pb.h"

namespace sprout::api {

class TerminologyServiceImpl final : public sprout::v1::TerminologyService::CallbackService {
 public:
  // REQUIRES: `state` outlives the service.
  explicit TerminologyServiceImpl(const ServiceState* state) : state_(state) {}

  // sprout::v1::TerminologyService
  grpc::ServerUnaryReactor* GetConcept(grpc::CallbackServerContext* context,
                                       const sprout::v1::GetConceptRequest* request,
                                       sprout::v1::Concept* response) override;
  grpc::ServerUnaryReactor* Subsumes(grpc::CallbackServerContext* context,
                                     const sprout::v1::SubsumesRequest* request,
                                     sprout::v1::SubsumesResponse* response) override;
  grpc::ServerUnaryReactor* ExpandEcl(grpc::CallbackServerContext* context,
                                      const sprout::v1::ExpandEclRequest* request,
                                      sprout::v1::ExpandEclResponse* response) override;
  grpc::ServerUnaryReactor* SearchConcepts(grpc::CallbackServerContext* context,
                                           const sprout::v1::SearchConceptsRequest* request,
                                           sprout::v1::SearchConceptsResponse* response) override;
  grpc::ServerUnaryReactor* ValidateCode(grpc::CallbackServerContext* context,
                                         const sprout::v1::ValidateCodeRequest* request,
                                         sprout::v1::ValidateCodeResponse* response) override;
  grpc::ServerUnaryReactor* TranslateCode(grpc::CallbackServerContext* context,
                                          const sprout::v1::TranslateCodeRequest* request,
                                          sprout::v1::TranslateCodeResponse* response) override;
  grpc::ServerUnaryReactor* GetRelease(grpc::CallbackServerContext* context,
                                       const sprout::v1::GetReleaseRequest* request,
                                       sprout::v1::Release* response) override;

 private:
  const ServiceState* const state_;
};

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_TERMINOLOGY_SERVICE_H_
