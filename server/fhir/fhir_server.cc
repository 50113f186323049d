#include "server/fhir/fhir_server.h"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "server/auth/certificate_identity.h"
#include "server/auth/need_to_know.h"
#include "server/auth/policy.h"
#include "server/common/peer_address.h"
#include "server/fhir/capability_statement.h"
#include "server/fhir/message_bundle.h"
#include "server/fhir/operation_outcome.h"
#include "server/fhir/response_bundle.h"
#include "server/fhir/tls_material.h"
#include "server/logging/log_format.h"
#include "server/pipeline/lifecycle_run.h"
#include "server/pipeline/referral_read.h"

namespace sprout::fhir {
namespace {

constexpr char kFhirJson[] = "application/fhir+json";
constexpr char kBase[] = "/FHIR/R4";

void Answer(httplib::Response& response, const FhirAnswer& answer) {
  response.status = answer.http_status;
  if (answer.retry_after_seconds) {
    response.set_header("Retry-After", absl::StrCat(*answer.retry_after_seconds));
  }
  response.set_content(answer.body.dump(), kFhirJson);
}

// Logs each client certificate OpenSSL refuses, with the peer (this door
// owns its sockets, so it can name them) and the reason.
int VerifyClient(int preverified, X509_STORE_CTX* store) {
  if (preverified == 1) return 1;
  const int error = X509_STORE_CTX_get_error(store);
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  spdlog::warn(
      "sproutd: TLS handshake refused from {} on the FHIR listener: {} (X509 "
      "verification error {})",
      ssl == nullptr ? "unknown" : PeerAddressOf(SSL_get_fd(ssl)),
      X509_verify_cert_error_string(error), error);
  return 0;
}

// Each handshake takes the material served now (tls_material.h), so a
// certificate reload reaches the next connection.
int UseServedMaterial(SSL* ssl, void* served) {
  return static_cast<const ServedTlsMaterial*>(served)->Current()->ApplyTo(ssl) ? 1 : 0;
}

void ConfigureTls(SSL_CTX& ctx, ServedTlsMaterial* served) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  SSL_CTX_set_cert_cb(&ctx, UseServedMaterial, served);
  // A certificate that does not verify ends the handshake; a client that
  // sends none is let through TLS so that it can be told, in an
  // OperationOutcome, that it needs one (BaRS: 403 REC_FORBIDDEN).
  SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER, VerifyClient);
}

// A random (version 4) UUID: response Bundles are named as BaRS names
// messages, so their fullUrl can be urn:uuid:{id}.
std::string NewUuid() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof(bytes));
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
  std::string hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20));
}

absl::StatusOr<auth::Principal> CallerOf(const httplib::Request& request) {
  X509* certificate = request.ssl == nullptr ? nullptr : SSL_get1_peer_certificate(request.ssl);
  if (certificate == nullptr || SSL_get_verify_result(request.ssl) != X509_V_OK) {
    if (certificate != nullptr) X509_free(certificate);
    return absl::PermissionDeniedError(
        "mutual TLS: a client certificate issued by the Sprout CA is required; connect with "
        "your organisation's certificate and key");
  }
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, certificate);
  X509_free(certificate);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return auth::PrincipalFromCertificate(pem);
}

// When the request this worker thread serves began: set before routing, read
// by the access line after the answer (both on the request's thread).
absl::Time& ThisRequestsStart() {
  thread_local absl::Time start;
  return start;
}

// The caller's principal when its role may do what gRPC's `method` does
// (the same policy table); else why not.
absl::StatusOr<auth::Principal> AuthorizedCaller(const httplib::Request& request,
                                                 absl::string_view method) {
  absl::StatusOr<auth::Principal> caller = CallerOf(request);
  if (!caller.ok()) return caller;
  if (absl::Status allowed = auth::AuthorizeMethod(*caller, method); !allowed.ok()) return allowed;
  return caller;
}

}  // namespace

struct FhirServer::Impl {
  FhirServerOptions options;
  FhirServerDeps deps;
  std::unique_ptr<ServedTlsMaterial> tls;
  std::unique_ptr<httplib::SSLServer> http;
  std::thread serving;
  int port = 0;
  bool stopped = false;

  void ProcessMessage(const httplib::Request& request, httplib::Response& response);
  // A "delete" message: withdraws the referral it names.
  void Cancel(const ReferralMessage& message, const auth::Principal& caller,
              httplib::Response& response);
  // GET ServiceRequest/{id} and Task?focus=ServiceRequest/{id}: the read of
  // referral `id` by the caller, audited before the answer leaves. Null
  // with `response` filled when refused.
  std::optional<sprout::v1::Referral> ReadReferral(const httplib::Request& request,
                                                   absl::string_view id, absl::string_view method,
                                                   httplib::Response& response);
  void Routes();
};

void FhirServer::Impl::ProcessMessage(const httplib::Request& request,
                                      httplib::Response& response) {
  absl::StatusOr<auth::Principal> caller = AuthorizedCaller(request, "SubmitReferral");
  if (!caller.ok()) {
    Answer(response, OutcomeOfStatus(caller.status(), nullptr));
    return;
  }
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    Answer(
        response,
        OutcomeOf(400, "REC_BAD_REQUEST",
                  {{"structure", "",
                    absl::StrCat("the body is not JSON (byte ", e.byte,
                                 "): send a FHIR R4 message Bundle as application/fhir+json")}}));
    return;
  }
  ReadResult read = ReadReferralMessage(body);
  if (!read.issues.empty()) {
    Answer(response, OutcomeOf(400, "REC_BAD_REQUEST", read.issues));
    return;
  }
  ReferralMessage& message = *read.message;
  if (message.reason == MessageReason::kUpdate) {
    Answer(response,
           OutcomeOf(422, "REC_UNPROCESSABLE_ENTITY",
                     {{"not-supported", "Bundle.entry[0].resource.reason",
                       "Sprout does not take amendments: cancel the referral (reason \"delete\") "
                       "and send a new one, or tell the PCN's link worker what changed"}}));
    return;
  }
  if (message.reason == MessageReason::kDelete) {
    Cancel(message, *caller, response);
    return;
  }
  if (absl::Status stamped = pipeline::StampReferrer(*caller, message.referral); !stamped.ok()) {
    Answer(response, OutcomeOfStatus(stamped, &message.origins));
    return;
  }
  // The callback owns the promise too: it may still be returning from
  // set_value on the writer thread when this thread wakes and moves on.
  auto committed = std::make_shared<std::promise<absl::StatusOr<store::SubmitOutcome>>>();
  std::future<absl::StatusOr<store::SubmitOutcome>> outcome = committed->get_future();
  deps.pipeline->SubmitAsync(message.message_id, message.referral, *caller,
                             [committed](absl::StatusOr<store::SubmitOutcome> result) {
                               committed->set_value(std::move(result));
                             });
  absl::StatusOr<store::SubmitOutcome> stored = outcome.get();
  if (!stored.ok()) {
    Answer(response, OutcomeOfStatus(stored.status(), &message.origins));
    return;
  }
  if (!stored->replayed && deps.on_stored) deps.on_stored(stored->referral);
  auth::MinimiseForReferrer(stored->referral);
  FhirAnswer answer;
  answer.body =
      ResponseBundle(message, stored->referral, stored->replayed, NewUuid(), deps.clock->Now());
  Answer(response, answer);
}

std::optional<sprout::v1::Referral> FhirServer::Impl::ReadReferral(const httplib::Request& request,
                                                                   absl::string_view id,
                                                                   absl::string_view method,
                                                                   httplib::Response& response) {
  absl::StatusOr<auth::Principal> caller = AuthorizedCaller(request, "GetReferral");
  if (!caller.ok()) {
    Answer(response, OutcomeOfStatus(caller.status(), nullptr));
    return std::nullopt;
  }
  const std::string name = absl::StrCat("referrals/", id);
  // Administrators read pseudonymised here: break-glass reads, which must
  // state a reason, are gRPC's.
  pipeline::ReferralRead read =
      pipeline::ReadReferralFor(*deps.store, deps.clock->Now(), *caller, method, name, id,
                                /*pseudonymise=*/caller->role == auth::Role::kAdmin);
  // Every read of patient data is audited, found or not, before the answer
  // leaves; a read that cannot be audited is not answered.
  if (absl::Status audited = deps.store->AppendAudit(read.audit); !audited.ok()) {
    Answer(response, OutcomeOfStatus(audited, nullptr));
    return std::nullopt;
  }
  if (!read.referral.ok()) {
    Answer(response, OutcomeOfStatus(read.referral.status(), nullptr));
    return std::nullopt;
  }
  return *std::move(read.referral);
}

void FhirServer::Impl::Cancel(const ReferralMessage& message, const auth::Principal& caller,
                              httplib::Response& response) {
  if (absl::Status allowed = auth::AuthorizeMethod(caller, "WithdrawReferral"); !allowed.ok()) {
    Answer(response, OutcomeOfStatus(allowed, nullptr));
    return;
  }
  const std::string name = absl::StrCat("referrals/", message.cancelled_referral_id);
  // The same step as WithdrawReferral: only the referring organisation may,
  // audited, and a referral that is not the caller's reads as missing.
  absl::StatusOr<store::UpdateOutcome> withdrawn = pipeline::RunLifecycleStep(
      *deps.store, *deps.clock,
      pipeline::LifecycleRequestFor(caller, *deps.clock, lifecycle::Transition::kWithdraw, name,
                                    message.cancelled_referral_id));
  if (!withdrawn.ok()) {
    Answer(response, OutcomeOfStatus(withdrawn.status(), &message.origins));
    return;
  }
  auth::MinimiseForReferrer(withdrawn->referral);
  FhirAnswer answer;
  answer.body = ResponseBundle(message, withdrawn->referral, /*replayed=*/false, NewUuid(),
                               deps.clock->Now());
  Answer(response, answer);
}

absl::string_view RouteOf(absl::string_view path) {
  absl::string_view rest = path;
  if (!absl::ConsumePrefix(&rest, "/FHIR/R4/")) return "other";
  if (rest == "$process-message") return "process-message";
  if (rest == "metadata") return "metadata";
  if (absl::StartsWith(rest, "ServiceRequest/")) return "ServiceRequest";
  if (rest == "Task") return "Task";
  if (rest == "MessageDefinition") return "MessageDefinition";
  return "other";
}

void FhirServer::Impl::Routes() {
  httplib::SSLServer& server = *http;
  server.set_payload_max_length(options.max_body_bytes);
  // A response goes out in more than one write: without TCP_NODELAY, Nagle
  // and the client's delayed ACK hold each answer back ~40 ms.
  server.set_tcp_nodelay(true);
  // A sender keeps its connection (and its TLS session) for many messages
  // rather than handshaking again every few.
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(30);
  // Before the body is read: a body too large is refused unread.
  server.set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        ThisRequestsStart() = absl::Now();
        size_t length = 0;
        if (request.has_header("Content-Length") &&
            absl::SimpleAtoi(request.get_header_value("Content-Length"), &length) &&
            length > options.max_body_bytes) {
          Answer(response, OutcomeOf(413, "REC_BAD_REQUEST",
                                     {{"too-costly", "",
                                       absl::StrCat("the body is ", length, " bytes; at most ",
                                                    options.max_body_bytes, " are taken")}}));
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  // One access line per request, as gRPC's interceptor writes (ADR 0003):
  // who called, what, how it ended and how long it took; never a body or a
  // query (a query may name a referral, never a person, but stays out).
  server.set_logger([on_finished = deps.on_finished](const httplib::Request& request,
                                                     const httplib::Response& response) {
    const absl::Duration latency = absl::Now() - ThisRequestsStart();
    if (on_finished) on_finished(RouteOf(request.path), response.status, latency);
    const double millis = absl::ToDoubleMilliseconds(latency);
    nlohmann::json fields = {{"method", absl::StrCat("FHIR ", request.method, " ", request.path)},
                             {"http_status", response.status},
                             {"latency_ms", std::round(millis * 1000) / 1000}};
    if (absl::StatusOr<auth::Principal> caller = CallerOf(request); caller.ok()) {
      fields["caller"] = caller->organisation_code;
      fields["caller_role"] = std::string(auth::RoleName(caller->role));
    } else {
      fields["caller"] = "unauthenticated";
    }
    logging::LogStructured("access: finished", fields);
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
        Answer(response, OutcomeOf(500, "REC_SERVER_ERROR",
                                   {{"exception", "", "the request could not be processed"}}));
      });
  server.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    const std::string what = response.status == 404
                                 ? absl::StrCat(request.method, " ", request.path,
                                                " is not served; see GET /FHIR/R4/metadata")
                                 : absl::StrCat("HTTP ", response.status);
    Answer(response, OutcomeOf(response.status, response.status == 404 ? "REC_NOT_FOUND" : "",
                               {{response.status == 404 ? "not-found" : "processing", "", what}}));
  });
  server.Post(absl::StrCat(kBase, R"(/\$process-message)"),
              [this](const httplib::Request& request, httplib::Response& response) {
                ProcessMessage(request, response);
              });
  server.Get(absl::StrCat(kBase, R"(/ServiceRequest/([A-Za-z0-9\-.]{1,64}))"),
             [this](const httplib::Request& request, httplib::Response& response) {
               std::optional<sprout::v1::Referral> referral = ReadReferral(
                   request, request.matches[1].str(), "FhirReadServiceRequest", response);
               if (referral) response.set_content(ServiceRequestOf(*referral).dump(), kFhirJson);
             });
  // A search: a referral missing or not the caller's is an empty result, as
  // GET ServiceRequest answers both alike with 404.
  server.Get(absl::StrCat(kBase, "/Task"), [this](const httplib::Request& request,
                                                  httplib::Response& response) {
    const std::string focus_param = request.get_param_value("focus");
    absl::string_view focus = focus_param;
    if (!absl::ConsumePrefix(&focus, "ServiceRequest/") || focus.empty()) {
      Answer(response, OutcomeOf(400, "REC_BAD_REQUEST",
                                 {{"required", "Task.focus",
                                   "search by focus=ServiceRequest/{id}, the id in "
                                   "the response to the referral message"}}));
      return;
    }
    nlohmann::json bundle = {{"resourceType", "Bundle"},
                             {"type", "searchset"},
                             {"total", 0},
                             {"entry", nlohmann::json::array()}};
    httplib::Response refusal;
    std::optional<sprout::v1::Referral> referral =
        ReadReferral(request, focus, "FhirSearchTask", refusal);
    if (referral) {
      bundle["total"] = 1;
      bundle["entry"].push_back(
          {{"fullUrl", absl::StrCat("Task/", absl::StripPrefix(referral->name(), "referrals/"))},
           {"resource", TaskOf(*referral)},
           {"search", {{"mode", "match"}}}});
    } else if (refusal.status != 404) {
      response = std::move(refusal);
      return;
    }
    response.set_content(bundle.dump(), kFhirJson);
  });
  server.Get(absl::StrCat(kBase, "/metadata"), [this](const httplib::Request&,
                                                      httplib::Response& response) {
    response.set_content(CapabilityStatement(options.software_version).dump(), kFhirJson);
  });
  server.Get(absl::StrCat(kBase, "/MessageDefinition"),
             [](const httplib::Request&, httplib::Response& response) {
               nlohmann::json bundle = {{"resourceType", "Bundle"},
                                        {"type", "searchset"},
                                        {"total", 1},
                                        {"entry", {{{"resource", ReferralMessageDefinition()}}}}};
               response.set_content(bundle.dump(), kFhirJson);
             });
}

FhirServer::FhirServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FhirServer::~FhirServer() { Stop(); }

int FhirServer::port() const { return impl_->port; }

absl::Status FhirServer::ReloadCertificates() {
  absl::StatusOr<std::shared_ptr<const TlsMaterial>> material =
      TlsMaterial::Load(impl_->options.tls);
  if (!material.ok()) return material.status();
  impl_->tls->Replace(*std::move(material));
  return absl::OkStatus();
}

void FhirServer::Stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->http->stop();
  if (impl_->serving.joinable()) impl_->serving.join();
}

absl::StatusOr<std::unique_ptr<FhirServer>> FhirServer::Start(FhirServerOptions options,
                                                              FhirServerDeps deps) {
  const size_t colon = options.listen_address.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(options.listen_address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::FailedPreconditionError(absl::StrCat("--fhir_listen=", options.listen_address,
                                                      ": must be host:port, e.g. 127.0.0.1:8443"));
  }
  std::string host = options.listen_address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->deps = std::move(deps);
  absl::StatusOr<std::shared_ptr<const TlsMaterial>> material =
      TlsMaterial::Load(impl->options.tls);
  if (!material.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--fhir_listen: ", material.status().message()));
  }
  impl->tls = std::make_unique<ServedTlsMaterial>(*std::move(material));
  ServedTlsMaterial* served = impl->tls.get();
  impl->http = std::make_unique<httplib::SSLServer>([served](SSL_CTX& ctx) {
    ConfigureTls(ctx, served);
    return true;
  });
  if (!impl->http->is_valid()) {
    return absl::FailedPreconditionError("--fhir_listen: OpenSSL could not make a TLS context");
  }
  const int threads = impl->options.worker_threads;
  impl->http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl->Routes();
  impl->port = port == 0 ? impl->http->bind_to_any_port(host)
                         : (impl->http->bind_to_port(host, port) ? port : -1);
  if (impl->port < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--fhir_listen=", impl->options.listen_address, ": cannot listen there (in use?)"));
  }
  httplib::SSLServer* http = impl->http.get();
  impl->serving = std::thread([http] { http->listen_after_bind(); });
  return std::unique_ptr<FhirServer>(new FhirServer(std::move(impl)));
}

}  // namespace sprout::fhir
