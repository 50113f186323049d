#include "client/cli/global_flags.h"

#include "client/cli/exit_code.h"
#include "gtest/gtest.h"

namespace sprout::client::cli {
namespace {

TEST(GlobalFlagsTest, AsPicksFilesUnderTheCertsDir) {
  GlobalFlags f;
  f.as = "police";
  auto o = ResolveClientOptions(f);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->insecure);
  EXPECT_EQ(o->target, "127.0.0.1:50051");
  EXPECT_EQ(o->ca_file, "certs/out/ca.pem");
  EXPECT_EQ(o->cert_file, "certs/out/police.pem");
  EXPECT_EQ(o->key_file, "certs/out/police.key");
  EXPECT_EQ(o->deadline, absl::Seconds(10));
  EXPECT_TRUE(o->dev_principal.empty());
}

TEST(GlobalFlagsTest, ExplicitFilesWinOverAs) {
  GlobalFlags f;
  f.as = "gp";
  f.ca = "/pki/ca.pem";
  f.cert = "/pki/me.pem";
  f.key = "/pki/me.key";
  f.server = "sprout.example:443";
  auto o = ResolveClientOptions(f);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->ca_file, "/pki/ca.pem");
  EXPECT_EQ(o->cert_file, "/pki/me.pem");
  EXPECT_EQ(o->target, "sprout.example:443");
}

TEST(GlobalFlagsTest, InsecureNeedsNoFilesAndSendsTheDemoPrincipal) {
  GlobalFlags f;
  f.insecure = true;
  f.as = "linkworker";
  auto o = ResolveClientOptions(f);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->insecure);
  EXPECT_TRUE(o->ca_file.empty());
  EXPECT_EQ(o->dev_principal, "urn:sprout:org:U99001:role:link_worker:lw:lw-u99001-01");
  f.principal = "urn:sprout:org:Y99002:role:referrer";
  EXPECT_EQ(ResolveClientOptions(f)->dev_principal, "urn:sprout:org:Y99002:role:referrer");
}

TEST(GlobalFlagsTest, DeadlineForms) {
  GlobalFlags f;
  f.insecure = true;
  f.deadline = "500ms";
  EXPECT_EQ(ResolveClientOptions(f)->deadline, absl::Milliseconds(500));
  f.deadline = "2.5";
  EXPECT_EQ(ResolveClientOptions(f)->deadline, absl::Milliseconds(2500));
  for (const char* bad : {"soon", "0s", "-1s", ""}) {
    f.deadline = bad;
    auto o = ResolveClientOptions(f);
    EXPECT_EQ(ExitCodeFor(o.status()), kExitUsage) << bad;
  }
}

TEST(GlobalFlagsTest, UsageErrors) {
  GlobalFlags f;  // TLS with no identity
  EXPECT_EQ(ExitCodeFor(ResolveClientOptions(f).status()), kExitUsage);
  f.cert = "/pki/me.pem";  // cert without key
  EXPECT_EQ(ExitCodeFor(ResolveClientOptions(f).status()), kExitUsage);
  f = GlobalFlags();
  f.as = "../etc/passwd";
  EXPECT_EQ(ExitCodeFor(ResolveClientOptions(f).status()), kExitUsage);
  f = GlobalFlags();
  f.as = "gp";
  f.principal = "urn:sprout:org:Y99001:role:referrer";  // TLS: the certificate decides
  EXPECT_EQ(ExitCodeFor(ResolveClientOptions(f).status()), kExitUsage);
  f = GlobalFlags();
  f.insecure = true;
  f.as = "custom";  // not a demo identity and no --principal
  EXPECT_EQ(ExitCodeFor(ResolveClientOptions(f).status()), kExitUsage);
}

TEST(ExitCodeTest, MapsCanonicalCodes) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), kExitOk);
  EXPECT_EQ(ExitCodeFor(UsageError("bad flag")), kExitUsage);
  EXPECT_EQ(ExitCodeFor(absl::InvalidArgumentError("bad referral")), kExitRefused);
  EXPECT_EQ(ExitCodeFor(absl::NotFoundError("x")), kExitRefused);
  EXPECT_EQ(ExitCodeFor(absl::PermissionDeniedError("x")), kExitRefused);
  EXPECT_EQ(ExitCodeFor(absl::AlreadyExistsError("x")), kExitRefused);
  EXPECT_EQ(ExitCodeFor(absl::FailedPreconditionError("x")), kExitRefused);
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("x")), kExitUnreachable);
  EXPECT_EQ(ExitCodeFor(absl::DeadlineExceededError("x")), kExitUnreachable);
  EXPECT_EQ(ExitCodeFor(absl::InternalError("x")), kExitInternal);
  EXPECT_EQ(ExitCodeFor(absl::DataLossError("x")), kExitInternal);
  EXPECT_EQ(ExitCodeFor(AsUsageError(absl::NotFoundError("no such file"))), kExitUsage);
}

}  // namespace
}  // namespace sprout::client::cli
