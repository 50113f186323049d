// ServerCertificates: the operator's certificate, key and client CA are
// checked before gRPC may read them, staged in memory files whose paths stay
// the same across reloads, and a bad set changes nothing.
#include "server/auth/server_certificates.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "base/read_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/auth/test_certificates.h"

namespace sprout::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class ServerCertificatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/server_certificates_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    absl::StatusOr<testing::Certificate> ca =
        testing::MintCertificate({{}, testing::KeyUsage::kNone, "client-ca"});
    ASSERT_TRUE(ca.ok()) << ca.status();
    Write("ca.pem", ca->cert_pem);
    ASSERT_NO_FATAL_FAILURE(WriteServerCertificate("server-1"));
  }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name, std::ios::trunc) << text;
  }

  // A fresh server certificate and its key, valid over [from, until] seconds
  // from now.
  void WriteServerCertificate(const std::string& common_name, long from = -3600,
                              long until = 86400) {
    testing::CertificateSpec spec{{}, testing::KeyUsage::kServerAuth, common_name};
    spec.not_before_seconds = from;
    spec.not_after_seconds = until;
    absl::StatusOr<testing::Certificate> cert = testing::MintCertificate(spec);
    ASSERT_TRUE(cert.ok()) << cert.status();
    Write("server.pem", cert->cert_pem);
    Write("server.key", cert->key_pem);
  }

  CertificatePaths Sources() const {
    return {dir_ + "/server.pem", dir_ + "/server.key", dir_ + "/ca.pem"};
  }
  static CertificatePaths Flags() { return {"--tls_cert", "--tls_key", "--tls_client_ca"}; }

  static std::string Staged(const std::string& path) {
    absl::StatusOr<std::string> text = ReadFileToString(path);
    return text.ok() ? *text : "(unreadable: " + std::string(text.status().message()) + ")";
  }

  std::string dir_;
};

TEST_F(ServerCertificatesTest, StagesTheCheckedFilesAndSummarisesThem) {
  absl::StatusOr<std::unique_ptr<ServerCertificates>> certs =
      ServerCertificates::Create(Sources(), Flags());
  ASSERT_TRUE(certs.ok()) << certs.status();
  const CertificatePaths staged = (*certs)->staged();
  EXPECT_THAT(staged.cert_chain, StartsWith("/proc/self/fd/"));
  EXPECT_EQ(Staged(staged.cert_chain), *ReadFileToString(dir_ + "/server.pem"));
  EXPECT_EQ(Staged(staged.private_key), *ReadFileToString(dir_ + "/server.key"));
  EXPECT_EQ(Staged(staged.client_ca), *ReadFileToString(dir_ + "/ca.pem"));

  const CertificateSummary summary = (*certs)->current();
  EXPECT_THAT(summary.subject, HasSubstr("server-1"));
  EXPECT_THAT(summary.fingerprint, StartsWith("sha256:"));
  EXPECT_EQ(summary.fingerprint.size(), 7u + 64u);
  EXPECT_EQ(summary.chain_length, 1);
  EXPECT_EQ(summary.client_cas, 1);
  EXPECT_GT(summary.not_after, absl::Now() + absl::Hours(23));
  EXPECT_LT(summary.not_after, absl::Now() + absl::Hours(25));
}

TEST_F(ServerCertificatesTest, AReloadReplacesWhatIsStagedAtTheSamePaths) {
  absl::StatusOr<std::unique_ptr<ServerCertificates>> certs =
      ServerCertificates::Create(Sources(), Flags());
  ASSERT_TRUE(certs.ok()) << certs.status();
  const CertificatePaths staged = (*certs)->staged();
  const std::string first = (*certs)->current().fingerprint;

  absl::StatusOr<CertificateSummary> same = (*certs)->Reload();
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_FALSE(same->changed);

  ASSERT_NO_FATAL_FAILURE(WriteServerCertificate("server-2"));
  absl::StatusOr<CertificateSummary> next = (*certs)->Reload();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_TRUE(next->changed);
  EXPECT_NE(next->fingerprint, first);
  EXPECT_THAT(next->subject, HasSubstr("server-2"));
  EXPECT_EQ((*certs)->staged().cert_chain, staged.cert_chain);
  EXPECT_EQ(Staged(staged.cert_chain), *ReadFileToString(dir_ + "/server.pem"));
  EXPECT_EQ(Staged(staged.private_key), *ReadFileToString(dir_ + "/server.key"));
}

TEST_F(ServerCertificatesTest, ABadSetIsRefusedNamingItsFlagAndChangesNothing) {
  absl::StatusOr<std::unique_ptr<ServerCertificates>> certs =
      ServerCertificates::Create(Sources(), Flags());
  ASSERT_TRUE(certs.ok()) << certs.status();
  const CertificatePaths staged = (*certs)->staged();
  const std::string served_chain = Staged(staged.cert_chain);
  const std::string served_key = Staged(staged.private_key);
  const std::string good_key = *ReadFileToString(dir_ + "/server.key");

  struct Case {
    std::string what;
    std::function<void()> spoil;
    std::string flag;
    std::string problem;
  };
  const std::vector<Case> cases = {
      {"a key that is not the certificate's",
       [&] {
         const std::string cert = *ReadFileToString(dir_ + "/server.pem");
         WriteServerCertificate("other");
         Write("server.pem", cert);
       },
       "--tls_key", "is not the key of the certificate"},
      {"an expired certificate", [&] { WriteServerCertificate("old", -7200, -3600); }, "--tls_cert",
       "has expired"},
      {"a certificate not valid yet", [&] { WriteServerCertificate("early", 3600, 7200); },
       "--tls_cert", "not valid yet"},
      {"a certificate file cut short",
       [&] { Write("server.pem", "-----BEGIN CERTIFICATE-----\nMII"); }, "--tls_cert",
       "holds no PEM certificate"},
      {"an empty key file", [&] { Write("server.key", ""); }, "--tls_key",
       "holds no PEM private key"},
      {"a client CA bundle that is not PEM", [&] { Write("ca.pem", "not a certificate"); },
       "--tls_client_ca", "holds no PEM certificate"},
      {"a missing certificate file", [&] { std::filesystem::remove(dir_ + "/server.pem"); },
       "--tls_cert", "server.pem"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    ASSERT_NO_FATAL_FAILURE(SetUp());  // a good set again
    absl::StatusOr<std::unique_ptr<ServerCertificates>> fresh =
        ServerCertificates::Create(Sources(), Flags());
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    const std::string chain = Staged((*fresh)->staged().cert_chain);
    const std::string key = Staged((*fresh)->staged().private_key);
    const std::string fingerprint = (*fresh)->current().fingerprint;
    c.spoil();
    absl::StatusOr<CertificateSummary> reloaded = (*fresh)->Reload();
    ASSERT_FALSE(reloaded.ok());
    EXPECT_THAT(std::string(reloaded.status().message()), StartsWith(c.flag + ": "));
    EXPECT_THAT(std::string(reloaded.status().message()), HasSubstr(c.problem));
    EXPECT_EQ(Staged((*fresh)->staged().cert_chain), chain);
    EXPECT_EQ(Staged((*fresh)->staged().private_key), key);
    EXPECT_EQ((*fresh)->current().fingerprint, fingerprint);
    // And the same set is refused at start-up.
    EXPECT_FALSE(ServerCertificates::Create(Sources(), Flags()).ok());
  }
  // The first instance never changed either.
  EXPECT_EQ(Staged(staged.cert_chain), served_chain);
  EXPECT_EQ(Staged(staged.private_key), served_key);
  EXPECT_NE(good_key, "");
}

}  // namespace
}  // namespace sprout::auth
