// File: server/api/lifecycle_call.cc
#include "server/api/lifecycle_call.h"

#include <utility>

namespace sprout::api {

absl::StatusOr<store::UpdateOutcome> RunLifecycleStep(const Call& call, LifecycleRequest request) {
  return pipeline::RunLifecycleStep(*call.components->store, *call.components->clock,
                                    std::move(request));
}

absl::StatusOr<LifecycleRequest> BeginLifecycle(const Call& call, lifecycle::Transition transition,
                                                absl::string_view name, absl::string_view etag,
                                                absl::string_view name_field) {
  absl::StatusOr<std::string> id = IdFromName(name, "referrals", name_field);
  if (!id.ok()) return id.status();
  LifecycleRequest request = pipeline::LifecycleRequestFor(call.principal, *call.components->clock,
                                                           transition, name, *std::move(id));
  request.etag = std::string(etag);
  return request;
}

grpc::ServerUnaryReactor* FinishLifecycle(
    grpc::CallbackServerContext* context, Call call, LifecycleRequest request,
    std::function<void(store::UpdateOutcome& outcome)> respond) {
  const Components& components = *call.components;
  return FinishUnaryBlocking(context, components,
                             [call = std::move(call), request = std::move(request),
                              respond = std::move(respond)](CallAudit&) mutable -> absl::Status {
                               absl::StatusOr<store::UpdateOutcome> outcome =
                                   RunLifecycleStep(call, std::move(request));
                               if (!outcome.ok()) return outcome.status();
                               respond(*outcome);
                               return absl::OkStatus();
                             });
}

}  // namespace sprout::api
