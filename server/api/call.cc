#include "server/api/call.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/auth/policy.h"
#include "server/common/errors.h"

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
  if (auth == nullptr || !auth->IsPeerAuthenticated()) {
    return ErrorWithInfo(absl::StatusCode::kUnauthenticated, "NO_CLIENT_CERTIFICATE",
                         "a client certificate issued by the Sprout CA is required");
  }
  std::string last_error = "the client certificate has no urn:sprout:org: SAN URI";
  for (const grpc::string_ref& uri : auth->FindPropertyValues("peer_uri")) {
    absl::string_view text(uri.data(), uri.size());
    if (!absl::StartsWith(text, "urn:sprout:")) continue;
    absl::StatusOr<auth::Principal> p = auth::ParsePrincipalUri(text);
    if (p.ok()) return p;
    last_error = std::string(p.status().message());
  }
  return ErrorWithInfo(absl::StatusCode::kUnauthenticated, "BAD_CLIENT_CERTIFICATE", last_error);
}

absl::StatusOr<Call> BeginCall(grpc::CallbackServerContext* context, const ServiceState& state,
                               absl::string_view method) {
  const Components* components = state.components();
  if (components == nullptr) {
    return ErrorWithInfo(absl::StatusCode::kUnavailable, "STARTING",
                         "sproutd is starting (loading terminology, directory and store); "
                         "retry shortly");
  }
  absl::StatusOr<auth::Principal> principal = PrincipalOf(*context, state.options());
  if (!principal.ok()) return principal.status();
  absl::Status allowed = auth::AuthorizeMethod(*principal, method);
  if (!allowed.ok()) return allowed;
  return Call{components, *std::move(principal)};
}

absl::Status NotImplemented(absl::string_view method) {
  return ErrorWithInfo(absl::StatusCode::kUnimplemented, "NOT_IMPLEMENTED",
                       absl::StrCat(method, " is not implemented yet"),
                       {{"method", std::string(method)}});
}

absl::StatusOr<std::string> IdFromName(absl::string_view name, absl::string_view collection,
                                       absl::string_view field) {
  const std::string prefix = absl::StrCat(collection, "/");
  if (!absl::StartsWith(name, prefix) || name.size() == prefix.size() ||
      name.substr(prefix.size()).find('/') != absl::string_view::npos) {
    return InvalidArgumentWithViolations(
        {{std::string(field),
          absl::StrCat("must be a resource name of the form ", collection, "/{id}")}});
  }
  return std::string(name.substr(prefix.size()));
}

store::AuditEvent AuditEventOf(const Call& call, absl::string_view method,
                               absl::string_view resource, const absl::Status& outcome) {
  store::AuditEvent event;
  event.actor_organisation = call.principal.organisation_code;
  event.actor_role = std::string(auth::RoleName(call.principal.role));
  event.action = std::string(method);
  event.resource = std::string(resource);
  event.outcome = outcome.ok() ? "OK" : absl::StatusCodeToString(outcome.code());
  event.time = call.components->clock->Now();
  return event;
}

absl::Status AuditAccess(const Call& call, absl::string_view method, absl::string_view resource,
                         const absl::Status& outcome) {
  return call.components->store->AppendAudit(AuditEventOf(call, method, resource, outcome));
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

}  // namespace sprout::api
