#include "server/admission/calls_in_flight.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "server/common/errors.h"

namespace sprout::admission {
namespace {

// Long enough for the calls in flight to drain at the rates one core
// serves (thousands a second), short enough that a refused referral is
// retried well within a person's wait.
constexpr absl::Duration kRetryAfter = absl::Milliseconds(200);

// Counts its call from creation (gRPC creates interceptors as the call
// starts) until its status is about to be sent: a client that sends its next
// call on the answer then never finds its previous one still counted. A call
// that ends without sending a status (cancelled) leaves at destruction.
class CountingInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit CountingInterceptor(CallsInFlight* calls) : calls_(calls) { calls_->Enter(); }
  ~CountingInterceptor() override { LeaveOnce(); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      LeaveOnce();
    }
    methods->Proceed();
  }

 private:
  void LeaveOnce() {
    if (!left_.exchange(true, std::memory_order_relaxed)) calls_->Leave();
  }

  CallsInFlight* const calls_;
  std::atomic<bool> left_{false};
};

}  // namespace

absl::Status CallsInFlight::Admit() const {
  if (limit_ == 0) return absl::OkStatus();
  if (in_flight() <= limit_) return absl::OkStatus();
  return ResourceExhaustedWithRetry(
      kServerBusy,
      absl::StrCat("sproutd is serving its limit of ", limit_,
                   " calls at once (--max_calls_in_flight); retry after the delay given"),
      kRetryAfter);
}

grpc::experimental::Interceptor* CallsInFlightInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // Streams stay open for as long as a link worker watches; they are
  // bounded per connection by the stream limit instead. Returning null
  // leaves the call uncounted (gRPC skips a null interceptor).
  if (info->type() != grpc::experimental::ServerRpcInfo::Type::UNARY) return nullptr;
  return new CountingInterceptor(calls_);
}

}  // namespace sprout::admission
