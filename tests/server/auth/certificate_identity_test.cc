// The certificate table of certs/README.md: which client certificates name a
// principal, and why each of the others is refused.
#include "server/auth/certificate_identity.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/server/auth/test_certificates.h"

namespace sprout::auth {
namespace {

using testing::CertificateSpec;
using testing::KeyUsage;

struct Accepted {
  const char* label;
  std::vector<std::string> uris;
  KeyUsage usage;
  const char* organisation;
  Role role;
  const char* link_worker;
};

class AcceptedCertificateTest : public ::testing::TestWithParam<Accepted> {};

TEST_P(AcceptedCertificateTest, NamesThePrincipal) {
  const Accepted& row = GetParam();
  absl::StatusOr<testing::Certificate> cert =
      testing::MintCertificate(CertificateSpec{row.uris, row.usage});
  ASSERT_TRUE(cert.ok()) << cert.status();
  absl::StatusOr<Principal> p = PrincipalFromCertificate(cert->cert_pem);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->organisation_code, row.organisation);
  EXPECT_EQ(p->role, row.role);
  EXPECT_EQ(p->link_worker_id, row.link_worker);
}

INSTANTIATE_TEST_SUITE_P(
    Table, AcceptedCertificateTest,
    ::testing::Values(Accepted{"gp",
                               {"urn:sprout:org:Y99001:role:referrer"},
                               KeyUsage::kClientAuth,
                               "Y99001",
                               Role::kReferrer,
                               ""},
                      Accepted{"police",
                               {"urn:sprout:org:police:WYP:role:referrer"},
                               KeyUsage::kClientAuth,
                               "police:WYP",
                               Role::kReferrer,
                               ""},
                      Accepted{"link_worker",
                               {"urn:sprout:org:U99001:role:link_worker:lw:lw-u99001-01"},
                               KeyUsage::kClientAuth,
                               "U99001",
                               Role::kLinkWorker,
                               "lw-u99001-01"},
                      Accepted{"admin",
                               {"urn:sprout:org:admin:sprout:role:admin"},
                               KeyUsage::kClientAuth,
                               "admin:sprout",
                               Role::kAdmin,
                               ""},
                      // Other SAN URIs are not identities and are ignored.
                      Accepted{"with_other_uri",
                               {"spiffe://example.org/gp", "urn:sprout:org:Y99001:role:referrer"},
                               KeyUsage::kClientAuth,
                               "Y99001",
                               Role::kReferrer,
                               ""},
                      Accepted{"client_and_server_usage",
                               {"urn:sprout:org:Y99001:role:referrer"},
                               KeyUsage::kClientAndServerAuth,
                               "Y99001",
                               Role::kReferrer,
                               ""}),
    [](const ::testing::TestParamInfo<Accepted>& info) { return info.param.label; });

struct Refused {
  const char* label;
  std::vector<std::string> uris;
  KeyUsage usage;
  const char* message;
};

class RefusedCertificateTest : public ::testing::TestWithParam<Refused> {};

TEST_P(RefusedCertificateTest, IsUnauthenticatedWithTheReason) {
  const Refused& row = GetParam();
  absl::StatusOr<testing::Certificate> cert =
      testing::MintCertificate(CertificateSpec{row.uris, row.usage});
  ASSERT_TRUE(cert.ok()) << cert.status();
  absl::StatusOr<Principal> p = PrincipalFromCertificate(cert->cert_pem);
  ASSERT_FALSE(p.ok()) << row.label << " was accepted as " << PrincipalUri(*p);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(p.status().message(), std::string("client certificate refused: ") + row.message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, RefusedCertificateTest,
    ::testing::Values(
        Refused{
            "no_uri", {}, KeyUsage::kClientAuth, "it has no urn:sprout:org: subjectAltName URI"},
        Refused{"only_other_uris",
                {"spiffe://example.org/gp"},
                KeyUsage::kClientAuth,
                "it has no urn:sprout:org: subjectAltName URI"},
        Refused{"admin_then_gp",
                {"urn:sprout:org:admin:sprout:role:admin", "urn:sprout:org:Y99001:role:referrer"},
                KeyUsage::kClientAuth,
                "it has 2 urn:sprout:org: subjectAltName URIs; exactly one is allowed"},
        Refused{"gp_then_admin",
                {"urn:sprout:org:Y99001:role:referrer", "urn:sprout:org:admin:sprout:role:admin"},
                KeyUsage::kClientAuth,
                "it has 2 urn:sprout:org: subjectAltName URIs; exactly one is allowed"},
        Refused{"same_uri_twice",
                {"urn:sprout:org:Y99001:role:referrer", "urn:sprout:org:Y99001:role:referrer"},
                KeyUsage::kClientAuth,
                "it has 2 urn:sprout:org: subjectAltName URIs; exactly one is allowed"},
        Refused{"role_inside_organisation",
                {"urn:sprout:org:Y99001:role:referrer:role:admin"},
                KeyUsage::kClientAuth,
                "identity URI has more than one \":role:\" part"},
        Refused{"unknown_role",
                {"urn:sprout:org:Y99001:role:doctor"},
                KeyUsage::kClientAuth,
                "identity URI role must be referrer, link_worker or admin"},
        Refused{"lw_on_referrer",
                {"urn:sprout:org:Y99001:role:referrer:lw:x"},
                KeyUsage::kClientAuth,
                "only a link_worker identity URI may carry \":lw:\""},
        Refused{"link_worker_without_lw",
                {"urn:sprout:org:U99001:role:link_worker"},
                KeyUsage::kClientAuth,
                "a link_worker identity URI needs \":lw:{id}\""},
        Refused{"two_lw_parts",
                {"urn:sprout:org:U99001:role:link_worker:lw:a:lw:b"},
                KeyUsage::kClientAuth,
                "identity URI has more than one \":lw:\" part"},
        Refused{"organisation_too_long",
                {"urn:sprout:org:" + std::string(65, 'A') + ":role:referrer"},
                KeyUsage::kClientAuth,
                "identity URI organisation must be 1 to 64 letters, digits or - _ : ."},
        Refused{"organisation_bad_character",
                {"urn:sprout:org:Y99001%20:role:referrer"},
                KeyUsage::kClientAuth,
                "identity URI organisation must be 1 to 64 letters, digits or - _ : ."},
        Refused{"empty_organisation",
                {"urn:sprout:org::role:referrer"},
                KeyUsage::kClientAuth,
                "identity URI organisation must be 1 to 64 letters, digits or - _ : ."},
        Refused{"link_worker_id_bad_character",
                {"urn:sprout:org:U99001:role:link_worker:lw:lw/1"},
                KeyUsage::kClientAuth,
                "identity URI link worker id must be 1 to 64 letters, digits or - _ : ."},
        Refused{"server_auth_only",
                {"urn:sprout:org:Y99001:role:referrer"},
                KeyUsage::kServerAuth,
                "its extended key usage must include clientAuth"},
        Refused{"no_extended_key_usage",
                {"urn:sprout:org:Y99001:role:referrer"},
                KeyUsage::kNone,
                "its extended key usage must include clientAuth"}),
    [](const ::testing::TestParamInfo<Refused>& info) { return info.param.label; });

TEST(CertificateIdentityTest, RefusesTextThatIsNotACertificate) {
  absl::StatusOr<Principal> p = PrincipalFromCertificate("not a certificate");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(p.status().message(), "client certificate refused: it is not a PEM X.509 certificate");
}

}  // namespace
}  // namespace sprout::auth
