// File: server/admission/calls_in_flight.h
//
// A server-wide admission limit on unary calls in flight (PERFORMANCE.md
// P10). Past the most load the machine can serve, more concurrent calls only
// queue: each waits longer and none finishes sooner. Refusing the excess at
// once, before any intake, routing or store work, keeps the latency of the
// admitted calls near the unloaded figure and tells the caller to come back.
//
// CallsInFlightInterceptorFactory counts every unary call from the moment
// gRPC starts it until its status is about to be sent; api::BeginCall asks Admit() and
// refuses with RESOURCE_EXHAUSTED (ErrorInfo reason SERVER_BUSY, RetryInfo)
// when the count is over the limit. Streams (WatchReferral, WatchQueue) are
// not counted: they stay open for hours and cost nothing while idle.
//
//   CallsInFlight calls(128);
//   builder.experimental().SetInterceptorCreators(
//       {std::make_unique<CallsInFlightInterceptorFactory>(&calls)});
//   ...
//   if (absl::Status s = calls.Admit(); !s.ok()) return s;  // in a handler
#ifndef SPROUT_SERVER_ADMISSION_CALLS_IN_FLIGHT_H_
#define SPROUT_SERVER_ADMISSION_CALLS_IN_FLIGHT_H_

#include <grpcpp/support/server_interceptor.h>

#include <atomic>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sprout::admission {

// The ErrorInfo reason of a call refused because the server is at its limit.
inline constexpr absl::string_view kServerBusy = "SERVER_BUSY";

// CallsInFlight: thread-safe; one atomic counter.
class CallsInFlight {
 public:
  // `limit`: unary calls served at once before more are refused; 0 means no
  // limit. REQUIRES: limit >= 0.
  explicit CallsInFlight(int limit) : limit_(limit) {}

  CallsInFlight(const CallsInFlight&) = delete;
  CallsInFlight& operator=(const CallsInFlight&) = delete;

  // Admit()
  //
  // OK while the calls in flight, this one included, are at most the limit;
  // otherwise RESOURCE_EXHAUSTED with reason SERVER_BUSY and a short
  // RetryInfo. Costs one atomic load.
  absl::Status Admit() const;

  // Called by the interceptor when a call starts and when it ends.
  void Enter() { in_flight_.fetch_add(1, std::memory_order_relaxed); }
  void Leave() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }

  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  int limit() const { return limit_; }

 private:
  const int limit_;
  std::atomic<int> in_flight_{0};
};

// Counts unary calls in `calls` for as long as each is being served.
// `calls` must outlive the server.
class CallsInFlightInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallsInFlightInterceptorFactory(CallsInFlight* calls) : calls_(calls) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  CallsInFlight* const calls_;
};

}  // namespace sprout::admission

#endif  // SPROUT_SERVER_ADMISSION_CALLS_IN_FLIGHT_H_
