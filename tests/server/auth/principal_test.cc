#include "server/auth/principal.h"

#include "gtest/gtest.h"

namespace sprout::auth {
namespace {

TEST(PrincipalTest, ParsesReferrerWithColonInOrganisation) {
  absl::StatusOr<Principal> p = ParsePrincipalUri("urn:sprout:org:police:WYP:role:referrer");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->organisation_code, "police:WYP");
  EXPECT_EQ(p->role, Role::kReferrer);
  EXPECT_TRUE(p->link_worker_id.empty());
}

TEST(PrincipalTest, ParsesLinkWorker) {
  absl::StatusOr<Principal> p =
      ParsePrincipalUri("urn:sprout:org:U99001:role:link_worker:lw:lw-u99001-01");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->organisation_code, "U99001");
  EXPECT_EQ(p->role, Role::kLinkWorker);
  EXPECT_EQ(p->link_worker_id, "lw-u99001-01");
}

TEST(PrincipalTest, RoundTrips) {
  for (const char* uri : {"urn:sprout:org:Y00001:role:referrer", "urn:sprout:org:sprout:role:admin",
                          "urn:sprout:org:U99001:role:link_worker:lw:lw1"}) {
    absl::StatusOr<Principal> p = ParsePrincipalUri(uri);
    ASSERT_TRUE(p.ok()) << uri;
    EXPECT_EQ(PrincipalUri(*p), uri);
  }
}

struct BadUri {
  const char* uri;
  const char* message;
};

class PrincipalErrorTest : public ::testing::TestWithParam<BadUri> {};

TEST_P(PrincipalErrorTest, SaysWhatIsWrong) {
  absl::StatusOr<Principal> p = ParsePrincipalUri(GetParam().uri);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PrincipalErrorTest,
    ::testing::Values(BadUri{"spiffe://x", "identity URI must start with \"urn:sprout:org:\""},
                      BadUri{"urn:sprout:org:Y00001", "identity URI has no \":role:\" part"},
                      BadUri{"urn:sprout:org:Y00001:role:doctor",
                             "identity URI role must be referrer, link_worker or admin"},
                      BadUri{"urn:sprout:org:U99001:role:link_worker",
                             "a link_worker identity URI needs \":lw:{id}\""},
                      BadUri{"urn:sprout:org:Y00001:role:referrer:lw:x",
                             "only a link_worker identity URI may carry \":lw:\""},
                      BadUri{
                          "urn:sprout:org:a b:role:admin",
                          "identity URI organisation must be 1 to 64 letters, digits or - _ : ."}));

}  // namespace
}  // namespace sprout::auth
