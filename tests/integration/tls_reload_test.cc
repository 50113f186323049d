// Certificates through the real sproutd: replaced certificate, key and client
// CA files take effect for new connections without a restart
// (--tls_reload_seconds), and a client certificate a revocation list
// (--tls_crl_dir) revokes is refused at the handshake while others still
// connect.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/channel.h"
#include "client/client_options.h"
#include "gtest/gtest.h"
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

// One ListReferrals call on a fresh connection as `identity`, with the
// client files in `certs` (trusting that folder's CA).
grpc::Status CallAs(const std::string& target, const std::string& certs,
                    const std::string& identity) {
  client::ClientOptions options;
  options.target = target;
  options.ca_file = certs + "/ca.pem";
  options.cert_file = certs + "/" + identity + ".pem";
  options.key_file = certs + "/" + identity + ".key";
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::CreateChannel(options);
  if (!channel.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "no channel");
  auto stub = v1::ReferralService::NewStub(*channel);
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

TEST(TlsReloadTest, ReplacedCertificatesTakeEffectWithoutARestart) {
  const std::string dir = FreshDir("tls_reload");
  absl::StatusOr<std::unique_ptr<testing::SproutdProcess>> server =
      testing::SproutdProcess::Start(dir, {"--tls_reload_seconds=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string certs = dir + "/certs";
  const std::string old_certs = dir + "/old-certs";
  fs::copy(certs, old_certs);
  ASSERT_TRUE(CallAs((*server)->target(), certs, "gp").ok());

  // A new CA, issuing a new server certificate and new client certificates.
  const std::string next = dir + "/next-certs";
  ASSERT_NO_FATAL_FAILURE(MakeCertificates(next));
  for (const char* name : {"server.key", "server.pem", "ca.pem"}) Replace(next, certs, name);

  // New connections move to the new certificates within a few reloads.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  grpc::Status with_new = CallAs((*server)->target(), next, "gp");
  while (!with_new.ok() && absl::Now() < deadline) {
    with_new = CallAs((*server)->target(), next, "gp");
  }
  EXPECT_TRUE(with_new.ok()) << "the new certificates were not picked up: "
                             << with_new.error_message();
  // The old CA's clients are refused on new connections.
  EXPECT_EQ(CallAs((*server)->target(), old_certs, "gp").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // Put the old ones back, so Stop()'s health check and the suite end cleanly.
  for (const char* name : {"server.key", "server.pem", "ca.pem"}) Replace(old_certs, certs, name);
  EXPECT_EQ((*server)->Stop(), 0);
}

TEST(TlsReloadTest, ARevokedClientCertificateIsRefusedAtTheHandshake) {
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
      testing::SproutdProcess::Start(dir, {"--tls_crl_dir=" + certs + "/crls"});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(CallAs((*server)->target(), certs, "police").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(CallAs((*server)->target(), certs, "gp").ok());
  EXPECT_EQ((*server)->Stop(), 0);
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
