// The access log: one info line per RPC, with its method, status code,
// latency, the caller's organisation and role, and the resource it named
// (the request's `name` or `parent`, or the referral a submission created).
// Resource names are ids, never patient data.
#ifndef SPROUT_SERVER_LOGGING_ACCESS_LOG_INTERCEPTOR_H_
#define SPROUT_SERVER_LOGGING_ACCESS_LOG_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

namespace sprout::logging {

class AccessLogInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // With `dev_identities`, the caller is read from the x-sprout-principal
  // header (--insecure_dev) instead of the client certificate.
  explicit AccessLogInterceptorFactory(bool dev_identities) : dev_identities_(dev_identities) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  const bool dev_identities_;
};

}  // namespace sprout::logging

#endif  // SPROUT_SERVER_LOGGING_ACCESS_LOG_INTERCEPTOR_H_
