// Certificates through the real sproutd: replaced certificate, key and client
// CA files take effect for new connections without a restart, on SIGHUP, by
// AdminService.ReloadDirectory and on the --tls_reload_seconds timer; a bad
// set is refused and the old one stays; and a client certificate a
// revocation list (--tls_crl_dir) revokes is refused at the handshake while
// others still connect.
#include <httplib.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/channel.h"
#include "client/client_options.h"
#include "gtest/gtest.h"
#include "sprout/v1/admin_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/sproutd_process.h"
#include "tests/integration/sproutd_suite.h"

namespace sprout {
namespace {

namespace fs = std::filesystem;

std::string FreshDir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/" + name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all);
  return dir;
}

void MakeCertificates(const std::string& out) {
  ASSERT_EQ(std::system(absl::StrCat(testing::SourceDir(), "/certs/make-dev-certs --out ", out,
                                     " --practice Y99001 --pcn U99001 >/dev/null")
                            .c_str()),
            0);
}

// A fresh connection as `identity`, with the client files in `certs`
// (trusting `trusted`'s CA, by default that folder's).
std::shared_ptr<grpc::Channel> ChannelAs(const std::string& target, const std::string& certs,
                                         const std::string& identity,
                                         const std::string& trusted = "") {
  client::ClientOptions options;
  options.target = target;
  options.ca_file = (trusted.empty() ? certs : trusted) + "/ca.pem";
  options.cert_file = certs + "/" + identity + ".pem";
  options.key_file = certs + "/" + identity + ".key";
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::CreateChannel(options);
  EXPECT_TRUE(channel.ok()) << channel.status();
  return channel.ok() ? *channel : nullptr;
}

// One ListReferrals call on a fresh connection (see ChannelAs).
grpc::Status CallAs(const std::string& target, const std::string& certs,
                    const std::string& identity, const std::string& trusted = "") {
  std::shared_ptr<grpc::Channel> channel = ChannelAs(target, certs, identity, trusted);
  if (channel == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "no channel");
  auto stub = v1::ReferralService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
  v1::ListReferralsResponse response;
  return stub->ListReferrals(&context, v1::ListReferralsRequest(), &response);
}

// Replaces `name` in `to` with the file of that name in `from`, whole (a
// temporary file renamed into place).
void Replace(const std::string& from, const std::string& to, const std::string& name) {
  fs::copy_file(from + "/" + name, to + "/" + name + ".new", fs::copy_options::overwrite_existing);
  fs::rename(to + "/" + name + ".new", to + "/" + name);
}

// Calls as `identity` of `certs` until it is answered, for at most 30 s: a
// reload reaches new connections within a second or so.
grpc::Status CallUntilAnswered(const std::string& target, const std::string& certs,
                               const std::string& identity, const std::string& trusted = "") {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  grpc::Status status = CallAs(target, certs, identity, trusted);
  while (!status.ok() && absl::Now() < deadline) status = CallAs(target, certs, identity, trusted);
  return status;
}

// Starts sproutd in a fresh `name` folder with `flags`, and makes a second
// CA with its own server and client certificates in next-certs/.
struct TwoCas {
  std::unique_ptr<testing::SproutdProcess> server;
  std::string certs;      // what sproutd was started with (its files are replaced)
  std::string old_certs;  // a copy of them
  std::string next;       // the new CA's set
};
void StartWithTwoCas(const std::string& name, const std::vector<std::string>& flags, TwoCas* out) {
  const std::string dir = FreshDir(name);
  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server =
      testing::SproutdProcess::Start(dir, flags, 120, /*capture_output=*/true);
  ASSERT_TRUE(server.ok()) << server.status();
  out->server = *std::move(server);
  out->certs = dir + "/certs";
  out->old_certs = dir + "/old-certs";
  out->next = dir + "/next-certs";
  fs::copy(out->certs, out->old_certs);
  ASSERT_NO_FATAL_FAILURE(MakeCertificates(out->next));
  ASSERT_TRUE(CallAs(out->server->target(), out->certs, "gp").ok());
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(TlsReloadTest, ReplacedCertificatesTakeEffectOnSighup) {
  TwoCas run;
  ASSERT_NO_FATAL_FAILURE(
      StartWithTwoCas("tls_sighup", {"--tls_reload_seconds=0", "--log_level=info"}, &run));
  const std::string target = run.server->target();
  for (const char* name : {"server.key", "server.pem", "ca.pem"}) {
    Replace(run.next, run.certs, name);
  }
  // Replaced files are not read until sproutd is told to.
  EXPECT_EQ(CallAs(target, run.next, "gp").error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(CallAs(target, run.old_certs, "gp").ok());

  ASSERT_TRUE(run.server->Signal(SIGHUP));
  grpc::Status with_new = CallUntilAnswered(target, run.next, "gp");
  EXPECT_TRUE(with_new.ok()) << "SIGHUP did not bring the new certificates in: "
                             << with_new.error_message();
  // The old CA's clients are refused on new connections.
  EXPECT_EQ(CallAs(target, run.old_certs, "gp").error_code(), grpc::StatusCode::UNAVAILABLE);
  // Put the old ones back, so Stop()'s health check and the suite end cleanly.
  for (const char* name : {"server.key", "server.pem", "ca.pem"}) {
    Replace(run.old_certs, run.certs, name);
  }
  ASSERT_TRUE(run.server->Signal(SIGHUP));
  EXPECT_TRUE(CallUntilAnswered(target, run.old_certs, "gp").ok());
  EXPECT_EQ(run.server->Stop(), 0);
  const std::string log = ReadText(run.server->work_dir() + "/sproutd.stdout");
  EXPECT_NE(log.find("TLS certificates reloaded (by sproutd operator)"), std::string::npos) << log;
}

// GET /FHIR/R4/metadata over mutual TLS as `identity` of `certs`, trusting
// `certs`' CA: whether the handshake and the request succeeded.
bool FhirAnswers(int port, const std::string& certs, const std::string& identity) {
  httplib::SSLClient client("127.0.0.1", port, certs + "/" + identity + ".pem",
                            certs + "/" + identity + ".key");
  client.set_ca_cert_path((certs + "/ca.pem").c_str());
  client.enable_server_certificate_verification(true);
  client.set_connection_timeout(3, 0);
  httplib::Result result = client.Get("/FHIR/R4/metadata");
  return result && result->status == 200;
}

TEST(TlsReloadTest, TheFhirListenerTakesReloadedCertificatesToo) {
  // A refused handshake fails the client's write; it must not end the test.
  std::signal(SIGPIPE, SIG_IGN);
  TwoCas run;
  ASSERT_NO_FATAL_FAILURE(
      StartWithTwoCas("tls_fhir", {"--tls_reload_seconds=0", "--fhir_listen=127.0.0.1:0"}, &run));
  const int port = run.server->fhir_port();
  ASSERT_GT(port, 0);
  EXPECT_TRUE(FhirAnswers(port, run.certs, "gp"));
  for (const char* name : {"server.key", "server.pem", "ca.pem"}) {
    Replace(run.next, run.certs, name);
  }
  EXPECT_FALSE(FhirAnswers(port, run.next, "gp"));
  ASSERT_TRUE(run.server->Signal(SIGHUP));
  // gRPC takes them up within a second of the reload; FHIR with it.
  ASSERT_TRUE(CallUntilAnswered(run.server->target(), run.next, "gp").ok());
  EXPECT_TRUE(FhirAnswers(port, run.next, "gp"));
  // The old CA's clients, and trust in the old server certificate, are gone.
  EXPECT_FALSE(FhirAnswers(port, run.old_certs, "gp"));
  for (const char* name : {"server.key", "server.pem", "ca.pem"}) {
    Replace(run.old_certs, run.certs, name);
  }
  ASSERT_TRUE(run.server->Signal(SIGHUP));
  EXPECT_TRUE(CallUntilAnswered(run.server->target(), run.old_certs, "gp").ok());
  EXPECT_EQ(run.server->Stop(), 0);
}

TEST(TlsReloadTest, AnAdminReloadAnswersTheNewCertificateAndRefusesABadSet) {
  TwoCas run;
  ASSERT_NO_FATAL_FAILURE(StartWithTwoCas("tls_admin_reload", {"--tls_reload_seconds=0"}, &run));
  const std::string target = run.server->target();
  auto reload = [&](const std::string& certs, const std::string& trusted,
                    v1::ReloadDirectoryResponse* response) {
    auto admin = v1::AdminService::NewStub(ChannelAs(target, certs, "admin", trusted));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return admin->ReloadDirectory(&context, v1::ReloadDirectoryRequest(), response);
  };
  v1::ReloadDirectoryResponse unchanged;
  ASSERT_TRUE(reload(run.certs, "", &unchanged).ok());
  ASSERT_TRUE(unchanged.has_server_certificate());
  EXPECT_FALSE(unchanged.server_certificate().changed());
  EXPECT_EQ(unchanged.server_certificate().client_ca_count(), 1);

  // The new server certificate, and a client CA bundle trusting both CAs.
  Replace(run.next, run.certs, "server.key");
  Replace(run.next, run.certs, "server.pem");
  std::ofstream(run.certs + "/ca.pem.new")
      << ReadText(run.old_certs + "/ca.pem") << ReadText(run.next + "/ca.pem");
  fs::rename(run.certs + "/ca.pem.new", run.certs + "/ca.pem");
  v1::ReloadDirectoryResponse replaced;
  grpc::Status status = reload(run.old_certs, "", &replaced);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(replaced.server_certificate().changed());
  EXPECT_NE(replaced.server_certificate().fingerprint(),
            unchanged.server_certificate().fingerprint());
  EXPECT_EQ(replaced.server_certificate().client_ca_count(), 2);
  // New connections are served the new certificate (clients trusting only
  // the old CA are refused) and accept clients of either CA.
  EXPECT_TRUE(CallUntilAnswered(target, run.next, "gp").ok());
  EXPECT_TRUE(CallAs(target, run.old_certs, "gp", run.next).ok());
  EXPECT_EQ(CallAs(target, run.old_certs, "gp").error_code(), grpc::StatusCode::UNAVAILABLE);

  // A key that is not the certificate's: refused, nothing reloaded, still served.
  fs::copy_file(run.old_certs + "/server.key", run.certs + "/server.key",
                fs::copy_options::overwrite_existing);
  v1::ReloadDirectoryResponse refused_response;
  grpc::Status refused = reload(run.next, "", &refused_response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(refused.error_message().find("--tls_key"), std::string::npos)
      << refused.error_message();
  EXPECT_NE(refused.error_message().find("is not the key of the certificate"), std::string::npos)
      << refused.error_message();
  EXPECT_FALSE(refused_response.has_server_certificate());
  EXPECT_TRUE(CallAs(target, run.next, "gp").ok());

  for (const char* name : {"server.key", "server.pem", "ca.pem"}) {
    Replace(run.old_certs, run.certs, name);
  }
  ASSERT_TRUE(reload(run.next, "", &replaced).ok());
  EXPECT_TRUE(CallUntilAnswered(target, run.old_certs, "gp").ok());
  EXPECT_EQ(run.server->Stop(), 0);
  const std::string log = ReadText(run.server->work_dir() + "/sproutd.stdout");
  EXPECT_NE(log.find("TLS certificates not reloaded (by admin:sprout admin)"), std::string::npos)
      << log;
}

TEST(TlsReloadTest, ReplacedCertificatesTakeEffectOnTheReloadTimer) {
  TwoCas run;
  ASSERT_NO_FATAL_FAILURE(StartWithTwoCas("tls_reload", {"--tls_reload_seconds=1"}, &run));
  const std::string target = run.server->target();
  for (const char* name : {"server.key", "server.pem", "ca.pem"}) {
    Replace(run.next, run.certs, name);
  }
  grpc::Status with_new = CallUntilAnswered(target, run.next, "gp");
  EXPECT_TRUE(with_new.ok()) << "the new certificates were not picked up: "
                             << with_new.error_message();
  EXPECT_EQ(CallAs(target, run.old_certs, "gp").error_code(), grpc::StatusCode::UNAVAILABLE);
  for (const char* name : {"server.key", "server.pem", "ca.pem"}) {
    Replace(run.old_certs, run.certs, name);
  }
  EXPECT_TRUE(CallUntilAnswered(target, run.old_certs, "gp").ok());
  EXPECT_EQ(run.server->Stop(), 0);
}

TEST(TlsReloadTest, ARevokedClientCertificateIsRefusedAtTheHandshakeAndLogged) {
  const std::string dir = FreshDir("tls_crl");
  const std::string certs = dir + "/certs";
  ASSERT_NO_FATAL_FAILURE(MakeCertificates(certs));
  // The CA revokes the police certificate and publishes its CRL, named as
  // `openssl rehash` would name it.
  const std::string script = absl::StrCat(
      "set -e; cd ", certs,
      "; : > index.txt; echo 1000 > crlnumber; printf '%s\\n' '[ca]' 'default_ca = d' '[d]' "
      "'database = index.txt' 'crlnumber = crlnumber' 'default_md = sha256' "
      "'default_crl_days = 30' 'certificate = ca.pem' 'private_key = ca.key' > ca.cnf; "
      "openssl ca -config ca.cnf -revoke police.pem 2>/dev/null; "
      "openssl ca -config ca.cnf -gencrl -out crl.pem 2>/dev/null; mkdir -p crls; "
      "cp crl.pem crls/$(openssl crl -hash -noout -in crl.pem).r0");
  ASSERT_EQ(std::system(script.c_str()), 0);

  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server =
      testing::SproutdProcess::Start(dir, {"--tls_crl_dir=" + certs + "/crls"}, 120,
                                     /*capture_output=*/true);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(CallAs((*server)->target(), certs, "police").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(CallAs((*server)->target(), certs, "gp").ok());
  EXPECT_EQ((*server)->Stop(), 0);
  // sproutd says why, and from where, in one line of its own log: the
  // client's address, which is not the port sproutd listens on.
  const std::string log = ReadText(dir + "/sproutd.stdout");
  std::smatch refusal;
  ASSERT_TRUE(std::regex_search(
      log, refusal,
      std::regex(R"(\[warning\] sproutd: TLS handshake refused from 127\.0\.0\.1:(\d+): )"
                 R"(certificate revoked \(X509 verification error 23\)\n)")))
      << log;
  EXPECT_NE(absl::StrCat("127.0.0.1:", refusal[1].str()), (*server)->target());
  EXPECT_EQ(log.find("TLS handshake refused from unknown"), std::string::npos) << log;
}

TEST(TlsReloadTest, ACrlFolderThatIsNotAFolderStopsStartUp) {
  const std::string dir = FreshDir("tls_crl_missing");
  absl::StatusOr<testing::StartupFailure> run =
      testing::RunSproutdExpectingFailure(dir, {"--tls_crl_dir=" + dir + "/no-such-folder"});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_NE(run->exit_code, 0);
  EXPECT_NE(run->stderr_text.find("--tls_crl_dir"), std::string::npos) << run->stderr_text;
}

}  // namespace
}  // namespace sprout
