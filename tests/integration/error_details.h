// The structured details of a gRPC error, as integration tests read them.
#ifndef SPROUT_TESTS_INTEGRATION_ERROR_DETAILS_H_
#define SPROUT_TESTS_INTEGRATION_ERROR_DETAILS_H_

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"

namespace sprout::testing {

// The first ErrorInfo in `status`'s details; empty when there is none.
inline google::rpc::ErrorInfo ErrorInfoOf(const grpc::Status& status) {
  google::rpc::Status details;
  google::rpc::ErrorInfo info;
  if (details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      if (any.UnpackTo(&info)) break;
    }
  }
  return info;
}

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_INTEGRATION_ERROR_DETAILS_H_
