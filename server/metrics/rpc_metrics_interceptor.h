// A gRPC server interceptor that records every RPC's status and latency in
// ServiceMetrics: one place for every method of every service, including the
// health and reflection services, so no handler can forget it.
#ifndef SPROUT_SERVER_METRICS_RPC_METRICS_INTERCEPTOR_H_
#define SPROUT_SERVER_METRICS_RPC_METRICS_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include "server/metrics/service_metrics.h"

namespace sprout::metrics {

class RpcMetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `metrics` must outlive the server.
  explicit RpcMetricsInterceptorFactory(ServiceMetrics* metrics) : metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  ServiceMetrics* const metrics_;
};

}  // namespace sprout::metrics

#endif  // SPROUT_SERVER_METRICS_RPC_METRICS_INTERCEPTOR_H_
