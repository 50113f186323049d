#include "server/api/call.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/worker_pool.h"
#include "rpc/request_parsing.h"
#include "server/auth/certificate_identity.h"
#include "server/auth/policy.h"
#include "server/common/errors.h"
#include "server/pipeline/referral_read.h"
#include "server/routing/directory.h"
#include "server/store/names.h"

namespace sprout::api {
namespace {

constexpr char kDevPrincipalHeader[] = "x-sprout-principal";

}  // namespace

absl::StatusOr<auth::Principal> PrincipalOf(const grpc::CallbackServerContext& context,
                                            const ApiOptions& options) {
  if (options.insecure_dev) {
    const auto& metadata = context.client_metadata();
    auto it = metadata.find(kDevPrincipalHeader);
    if (it == metadata.end()) {
      return ErrorWithInfo(absl::StatusCode::kUnauthenticated, "NO_IDENTITY",
                           "insecure dev mode: send an x-sprout-principal header such as "
                           "urn:sprout:org:Y99001:role:referrer");
    }
    absl::StatusOr<auth::Principal> p =
        auth::ParsePrincipalUri(absl::string_view(it->second.data(), it->second.size()));
    if (!p.ok()) {
      return ErrorWithInfo(absl::StatusCode::kUnauthenticated, "BAD_IDENTITY",
                           absl::StrCat("x-sprout-principal: ", p.status().message()));
    }
    return p;
  }
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  const std::vector<grpc::string_ref> pem =
      auth == nullptr ? std::vector<grpc::string_ref>{}
                      : auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (auth == nullptr || !auth->IsPeerAuthenticated() || pem.empty()) {
    return ErrorWithInfo(absl::StatusCode::kUnauthenticated, "NO_CLIENT_CERTIFICATE",
                         "a client certificate issued by the Sprout CA is required");
  }
  return auth::PrincipalFromCertificate(absl::string_view(pem[0].data(), pem[0].size()));
}

absl::Status CheckLinkWorkerInDirectory(const auth::Principal& principal,
                                        const routing::Directory& directory) {
  if (principal.role != auth::Role::kLinkWorker) return absl::OkStatus();
  const routing::LinkWorker* worker = directory.FindLinkWorker(principal.link_worker_id);
  if (worker == nullptr || worker->pcn_code != principal.organisation_code) {
    return ErrorWithInfo(
        absl::StatusCode::kUnauthenticated, "UNKNOWN_LINK_WORKER",
        absl::StrCat("link worker pcns/", principal.organisation_code, "/linkWorkers/",
                     principal.link_worker_id,
                     " is not in the directory in force; ask the PCN to add them"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Call> BeginCall(grpc::CallbackServerContext* context, const ServiceState& state,
                               absl::string_view method, const google::protobuf::Message& request) {
  // First, so a call refused for load costs one atomic load: no identity,
  // no parsing of the request's fields, no store.
  if (const admission::CallsInFlight* calls = state.options().calls_in_flight; calls != nullptr) {
    if (absl::Status admitted = calls->Admit(); !admitted.ok()) return admitted;
  }
  const Components* components = state.components();
  if (components == nullptr) {
    return ErrorWithInfo(absl::StatusCode::kUnavailable, "STARTING",
                         "sproutd is starting (loading terminology, directory and store); "
                         "retry shortly");
  }
  absl::StatusOr<auth::Principal> principal = PrincipalOf(*context, state.options());
  if (principal.ok()) {
    // Against the directory in force now, so a reload that removes a link
    // worker revokes them from their next call.
    absl::Status known =
        CheckLinkWorkerInDirectory(*principal, *components->routing_config->Get()->directory);
    if (!known.ok()) principal = known;
  }
  if (!principal.ok()) {
    // The reason names the certificate's identity, never patient data.
    spdlog::warn("sproutd: refused {} from {}: {}", std::string(method), context->peer(),
                 std::string(principal.status().message()));
    return principal.status();
  }
  absl::Status allowed = auth::AuthorizeMethod(*principal, method);
  if (!allowed.ok()) return allowed;
  if (std::optional<rpc::RequestParseProblem> problem = rpc::ParseProblemOf(request)) {
    if (problem->field.empty()) {
      return ErrorWithInfo(absl::StatusCode::kInvalidArgument, "MALFORMED_REQUEST",
                           problem->description);
    }
    return InvalidArgumentWithViolations({{problem->field, problem->description}},
                                         "MALFORMED_REQUEST");
  }
  return Call{components, *std::move(principal)};
}

absl::Status NotImplemented(absl::string_view method) {
  return ErrorWithInfo(absl::StatusCode::kUnimplemented, "NOT_IMPLEMENTED",
                       absl::StrCat(method, " is not implemented yet"),
                       {{"method", std::string(method)}});
}

absl::StatusOr<std::string> IdFromName(absl::string_view name, absl::string_view collection,
                                       absl::string_view field) {
  // The store's parser decides; the API adds the BadRequest naming the field.
  absl::StatusOr<std::string> id = store::IdFromName(name, collection, field);
  if (id.ok()) return id;
  return InvalidArgumentWithViolations(
      {{std::string(field),
        absl::StrCat("must be a resource name of the form ", collection, "/{id}")}});
}

store::AuditEvent AuditEventOf(const Call& call, absl::string_view method,
                               absl::string_view resource, const absl::Status& outcome) {
  return pipeline::AuditEventFor(call.principal, method, resource, outcome,
                                 call.components->clock->Now());
}

absl::Status AuditAccess(const Call& call, absl::string_view method, absl::string_view resource,
                         const absl::Status& outcome, std::vector<std::string> returned) {
  store::AuditEvent event = AuditEventOf(call, method, resource, outcome);
  event.returned = std::move(returned);
  return call.components->store->AppendAudit(event);
}

void CallAudit::Access(const Call& call, absl::string_view method, absl::string_view resource,
                       const absl::Status& outcome, std::vector<std::string> returned) {
  store::AuditEvent event = AuditEventOf(call, method, resource, outcome);
  event.returned = std::move(returned);
  Add(std::move(event));
}

void RunBlocking(const Components& components, std::function<void()> work) {
  if (components.blocking == nullptr) {
    work();  // no pool configured: run on the calling thread
  } else {
    components.blocking->Schedule(std::move(work));
  }
}

grpc::ServerUnaryReactor* FinishUnaryBlocking(grpc::CallbackServerContext* context,
                                              const Components& components,
                                              std::function<absl::Status(CallAudit&)> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto run = [reactor, store = components.store, work = std::move(work)] {
    CallAudit audit;
    absl::Status status = work(audit);
    std::vector<store::AuditEvent> events = audit.Take();
    if (events.empty()) {
      reactor->Finish(ToGrpcStatus(status));
      return;
    }
    // Answered from the writer thread once the records are durable (or at
    // once when the store refuses them); a record that cannot be written
    // fails the call, so no answer leaves unaudited.
    store->AppendAuditsAsync(std::move(events),
                             [reactor, status = std::move(status)](absl::Status audited) {
                               reactor->Finish(ToGrpcStatus(audited.ok() ? status : audited));
                             });
  };
  RunBlocking(components, std::move(run));
  return reactor;
}

absl::StatusOr<int> PageSizeOf(int requested, int default_size, int max_size) {
  if (requested < 0) {
    return InvalidArgumentWithViolations(
        {{"page_size",
          absl::StrCat("must not be negative; leave it 0 for the default of ", default_size)}});
  }
  if (requested == 0) return default_size;
  return std::min(requested, max_size);
}

absl::Status ReferralNotFound(absl::string_view name) { return pipeline::ReferralNotFound(name); }

}  // namespace sprout::api
