// What every RPC handler does first: readiness, identity, method authorization.
#ifndef SPROUT_SERVER_API_CALL_H_
#define SPROUT_SERVER_API_CALL_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "server/api/components.h"
#include "server/api/grpc_status.h"
#include "server/auth/principal.h"
#include "server/routing/directory.h"

namespace sprout::api {

// An authorized call in progress.
struct Call {
  const Components* components;
  auth::Principal principal;
};

// BeginCall()
//
// UNAVAILABLE while the server is starting; UNAUTHENTICATED when the peer has
// no usable identity; PERMISSION_DENIED when its role may not call `method`;
// INVALID_ARGUMENT naming the field when `request`'s body did not parse (for
// example a string that is not UTF-8; rpc/request_parsing.h).
absl::StatusOr<Call> BeginCall(grpc::CallbackServerContext* context, const ServiceState& state,
                               absl::string_view method, const google::protobuf::Message& request);

// The caller's principal: from the client certificate
// (auth::PrincipalFromCertificate), or in insecure dev mode from the
// "x-sprout-principal" header.
absl::StatusOr<auth::Principal> PrincipalOf(const grpc::CallbackServerContext& context,
                                            const ApiOptions& options);

// UNAUTHENTICATED unless a link worker principal names a link worker of that
// PCN in `directory`; OK for every other role.
absl::Status CheckLinkWorkerInDirectory(const auth::Principal& principal,
                                        const routing::Directory& directory);

// Finishes a unary call at once with `status`.
inline grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context,
                                             const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// The audit records a blocking call's work appends (CallAudit::Access). They
// are written after the work returns, all in one write job, and the call's
// answer leaves only once they are durable; if they cannot be written, the
// call fails with the store's error instead. So a pool thread never waits
// for the writer: a held or slow writer delays the answers that need it, not
// every other call queued behind them on the pool.
class CallAudit {
 public:
  // The record of the caller doing `method` on `resource` with `outcome`
  // (OK or the refusal) and, for a read, the names of the resources the
  // answer carries.
  void Access(const Call& call, absl::string_view method, absl::string_view resource,
              const absl::Status& outcome, std::vector<std::string> returned = {});
  // A record built by the caller (e.g. with a stated reason).
  void Add(store::AuditEvent event) { events_.push_back(std::move(event)); }

  std::vector<store::AuditEvent> Take() { return std::move(events_); }

 private:
  std::vector<store::AuditEvent> events_;
};

// Runs `work` on the components' blocking pool (on this thread when there is
// none, as in some tests). For work that finishes its call itself.
void RunBlocking(const Components& components, std::function<void()> work);

// Runs `work` on the components' blocking pool (it may read the store and
// record audit records in its CallAudit), then, once those records are
// durable, finishes the call with the status `work` returned. `work` must
// fill the response before returning OK.
grpc::ServerUnaryReactor* FinishUnaryBlocking(grpc::CallbackServerContext* context,
                                              const Components& components,
                                              std::function<absl::Status(CallAudit&)> work);

// UNIMPLEMENTED with an ErrorInfo naming the method, for methods not built yet.
absl::Status NotImplemented(absl::string_view method);

// A server-streaming reactor that finishes at once with `status`.
template <typename T>
grpc::ServerWriteReactor<T>* FinishStream(const absl::Status& status) {
  class Finished final : public grpc::ServerWriteReactor<T> {
   public:
    explicit Finished(const grpc::Status& s) { this->Finish(s); }
    void OnDone() override { delete this; }
  };
  return new Finished(ToGrpcStatus(status));
}

// Splits "collection/{id}" and checks the collection; INVALID_ARGUMENT naming
// `field` when the name is malformed.
absl::StatusOr<std::string> IdFromName(absl::string_view name, absl::string_view collection,
                                       absl::string_view field);

// The audit record of `principal` doing `method` on `resource` with
// `outcome`, for a write that commits it in its own transaction.
store::AuditEvent AuditEventOf(const Call& call, absl::string_view method,
                               absl::string_view resource, const absl::Status& outcome);

// Appends an audit record of `principal` doing `method` on `resource` with
// `outcome` (OK or the refusal) and, for a read, the names of the resources
// the answer carries. Returns the store's error if the record could not be
// written durably; the answer must then not leave. Waits for the writer: for
// the lifecycle steps and stream openings that still do; unary reads use
// CallAudit instead.
absl::Status AuditAccess(const Call& call, absl::string_view method, absl::string_view resource,
                         const absl::Status& outcome, std::vector<std::string> returned = {});

// The one answer for a referral that is missing or that the caller may not
// read or act on: the same code, message and details either way, so a
// refusal tells nobody that the referral exists.
absl::Status ReferralNotFound(absl::string_view name);

// The page size to use (AIP-158): `requested`, or `default_size` when 0,
// capped at `max_size`. INVALID_ARGUMENT for a negative size.
absl::StatusOr<int> PageSizeOf(int requested, int default_size, int max_size);

}  // namespace sprout::api

#endif  // SPROUT_SERVER_API_CALL_H_
