#include "server/grpc_log_bridge.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"

namespace sprout {
namespace {

constexpr char kRevoked[] = "Certificate verify failed with code 23";
constexpr char kFailed[] =
    "Handshake failed with fatal error SSL_ERROR_SSL: error:0A000086:SSL "
    "routines::certificate verify failed.";

TEST(HandshakeRefusalReasonTest, NamesAnOpenSslVerificationCode) {
  EXPECT_EQ(HandshakeRefusalReason(kRevoked), "certificate revoked (X509 verification error 23)");
}

TEST(HandshakeRefusalReasonTest, KeepsOnlyTheReasonOfAFatalError) {
  EXPECT_EQ(HandshakeRefusalReason(kFailed), "certificate verify failed");
}

TEST(HandshakeRefusalReasonTest, OtherLinesAreNotRefusals) {
  EXPECT_EQ(HandshakeRefusalReason("Certificate verify failed with code x"), "");
  EXPECT_EQ(HandshakeRefusalReason("Connection reset by peer"), "");
}

TEST(PendingHandshakeRefusalTest, OneLineWithTheFirstReasonAndThePeer) {
  PendingHandshakeRefusal pending;
  EXPECT_EQ(pending.Note(kRevoked), std::nullopt);
  EXPECT_EQ(pending.Note(kFailed), std::nullopt);
  EXPECT_TRUE(pending.holding());
  EXPECT_EQ(pending.TakeForPeer("127.0.0.1:51234"),
            "TLS handshake refused from 127.0.0.1:51234: certificate revoked (X509 "
            "verification error 23)");
  EXPECT_FALSE(pending.holding());
  EXPECT_EQ(pending.TakeForPeer("127.0.0.1:51234"), std::nullopt);
}

TEST(PendingHandshakeRefusalTest, AFatalErrorAloneIsItsOwnReason) {
  PendingHandshakeRefusal pending;
  EXPECT_EQ(pending.Note(kFailed), std::nullopt);
  EXPECT_EQ(pending.TakeForPeer("[::1]:4000"),
            "TLS handshake refused from [::1]:4000: certificate verify failed");
}

TEST(PendingHandshakeRefusalTest, ARefusalNeverClaimedIsLoggedWhenTheNextBegins) {
  PendingHandshakeRefusal pending;
  EXPECT_EQ(pending.Note(kFailed), std::nullopt);
  EXPECT_EQ(pending.Note(kRevoked),
            "TLS handshake refused from unknown: certificate verify failed");
  EXPECT_EQ(pending.Note(kFailed), std::nullopt);
  EXPECT_EQ(pending.TakeForPeer("10.0.0.7:443"),
            "TLS handshake refused from 10.0.0.7:443: certificate revoked (X509 verification "
            "error 23)");
}

TEST(PendingHandshakeRefusalTest, TwoVerificationCodesAreTwoHandshakes) {
  PendingHandshakeRefusal pending;
  EXPECT_EQ(pending.Note(kRevoked), std::nullopt);
  EXPECT_EQ(pending.Note("Certificate verify failed with code 10"),
            "TLS handshake refused from unknown: certificate revoked (X509 verification error "
            "23)");
  EXPECT_EQ(pending.TakeForPeer("10.0.0.7:443"),
            "TLS handshake refused from 10.0.0.7:443: certificate has expired (X509 "
            "verification error 10)");
}

TEST(PendingHandshakeRefusalTest, LinesThatAreNotRefusalsChangeNothing) {
  PendingHandshakeRefusal pending;
  EXPECT_EQ(pending.Note("Connection reset by peer"), std::nullopt);
  EXPECT_FALSE(pending.holding());
}

}  // namespace
}  // namespace sprout
