#include "server/logging/access_log_interceptor.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "server/auth/principal.h"
#include "server/logging/log_format.h"

namespace sprout::logging {
namespace {

constexpr absl::string_view kSproutUriPrefix = "urn:sprout:org:";

// The resource a message names: its `name` or `parent` string field, or the
// `name` of its `referral` (SubmitReferralResponse). Empty when none.
std::string ResourceOf(const google::protobuf::Message& message) {
  const google::protobuf::Descriptor* d = message.GetDescriptor();
  const google::protobuf::Reflection* r = message.GetReflection();
  for (const char* field : {"name", "parent"}) {
    const google::protobuf::FieldDescriptor* f = d->FindFieldByName(field);
    if (f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
        !f->is_repeated()) {
      std::string value = r->GetString(message, f);
      if (!value.empty()) return value;
    }
  }
  const google::protobuf::FieldDescriptor* referral = d->FindFieldByName("referral");
  if (referral != nullptr && referral->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE &&
      !referral->is_repeated() && r->HasField(message, referral)) {
    const google::protobuf::Message& inner = r->GetMessage(message, referral);
    const google::protobuf::FieldDescriptor* name = inner.GetDescriptor()->FindFieldByName("name");
    if (name != nullptr && name->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      return inner.GetReflection()->GetString(inner, name);
    }
  }
  return "";
}

class AccessLogInterceptor : public grpc::experimental::Interceptor {
 public:
  AccessLogInterceptor(grpc::experimental::ServerRpcInfo* info, bool dev_identities)
      : info_(info),
        dev_identities_(dev_identities),
        // Only Sprout's own services are known to exchange protobuf messages:
        // gRPC's health service, for one, passes raw bytes.
        sprout_method_(absl::StartsWith(info->method(), "/sprout.")),
        start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (sprout_method_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        resource_.empty()) {
      if (const void* m = methods->GetRecvMessage(); m != nullptr) {
        resource_ = ResourceOf(*static_cast<const google::protobuf::Message*>(m));
      }
    }
    if (sprout_method_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE) &&
        resource_.empty()) {
      if (const void* m = methods->GetSendMessage(); m != nullptr) {
        resource_ = ResourceOf(*static_cast<const google::protobuf::Message*>(m));
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Log(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  // The caller's organisation and role as its identity names them; none when
  // it names no single one.
  absl::StatusOr<auth::Principal> Caller() const {
    grpc::ServerContextBase* context = info_->server_context();
    std::string uri;
    if (dev_identities_) {
      auto it = context->client_metadata().find("x-sprout-principal");
      if (it != context->client_metadata().end()) uri.assign(it->second.data(), it->second.size());
    } else if (std::shared_ptr<const grpc::AuthContext> auth = context->auth_context();
               auth != nullptr && auth->IsPeerAuthenticated()) {
      int sprout_uris = 0;
      for (const grpc::string_ref& value : auth->FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME)) {
        absl::string_view v(value.data(), value.size());
        if (absl::StartsWith(v, kSproutUriPrefix) && ++sprout_uris == 1) uri = std::string(v);
      }
      if (sprout_uris != 1) uri.clear();
    }
    return auth::ParsePrincipalUri(uri);
  }

  void Log(const grpc::Status& status) {
    const std::string code =
        absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
    const double millis = absl::ToDoubleMilliseconds(absl::Now() - start_);
    const std::string method = info_->method();
    nlohmann::json fields = {
        {"method", method}, {"code", code}, {"latency_ms", std::round(millis * 1000) / 1000}};
    // Separate fields, so "caller=police:WYP caller_role=referrer" parses as
    // key=value in the text format too.
    if (absl::StatusOr<auth::Principal> caller = Caller(); caller.ok()) {
      fields["caller"] = caller->organisation_code;
      fields["caller_role"] = std::string(auth::RoleName(caller->role));
    } else {
      fields["caller"] = "unauthenticated";
    }
    if (!resource_.empty()) fields["resource"] = resource_;
    LogStructured("access: finished", fields);
  }

  grpc::experimental::ServerRpcInfo* const info_;
  const bool dev_identities_;
  const bool sprout_method_;
  const absl::Time start_;
  std::string resource_;
};

}  // namespace

grpc::experimental::Interceptor* AccessLogInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  // Below info nothing is logged: no interceptor, no cost.
  if (!spdlog::should_log(spdlog::level::info)) return nullptr;
  return new AccessLogInterceptor(info, dev_identities_);
}

}  // namespace sprout::logging
