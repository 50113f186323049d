// The audit hash chain: canonical bytes, hashing and verification.
#include "server/audit/audit_chain.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace sprout::audit {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);

AuditEvent MakeAudit(std::string action, std::string resource, absl::Time time) {
  AuditEvent e;
  e.actor_organisation = "Y99001";
  e.actor_role = "referrer";
  e.action = std::move(action);
  e.resource = std::move(resource);
  e.outcome = "OK";
  e.time = time;
  return e;
}

TEST(AuditChainTest, CanonicalBytesSeparateFieldsUnambiguously) {
  AuditEvent a = MakeAudit("ab", "c", kT0);
  AuditEvent b = MakeAudit("a", "bc", kT0);
  EXPECT_NE(CanonicalAuditBytes(1, a), CanonicalAuditBytes(1, b));
  EXPECT_NE(CanonicalAuditBytes(1, a), CanonicalAuditBytes(2, a));
}

TEST(AuditChainTest, HashIsSha256OfPrevHashAndRecord) {
  const std::string h = ChainAuditHash(GenesisAuditHash(), 1, MakeAudit("x", "y", kT0));
  EXPECT_EQ(h.size(), 32u);
  EXPECT_EQ(h, ChainAuditHash(GenesisAuditHash(), 1, MakeAudit("x", "y", kT0)));
  EXPECT_NE(h, ChainAuditHash(h, 1, MakeAudit("x", "y", kT0)));
}

TEST(AuditChainTest, VerifierAcceptsAGoodChainAndStopsAtTheFirstBadRecord) {
  std::vector<AuditEvent> events;
  for (int i = 0; i < 4; ++i) events.push_back(MakeAudit("GetReferral", "referrals/r", kT0));
  std::vector<std::string> hashes;
  std::string prev = GenesisAuditHash();
  for (int i = 0; i < 4; ++i) {
    hashes.push_back(ChainAuditHash(prev, i + 1, events[i]));
    prev = hashes.back();
  }
  AuditChainVerifier good;
  std::string p = GenesisAuditHash();
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(good.Add(i + 1, events[i], p, hashes[i]));
    p = hashes[i];
  }
  EXPECT_TRUE(good.result().intact());
  EXPECT_EQ(good.result().records_checked, 4);

  events[2].outcome = "PERMISSION_DENIED";  // altered after the fact
  AuditChainVerifier bad;
  p = GenesisAuditHash();
  for (int i = 0; i < 4; ++i) {
    if (!bad.Add(i + 1, events[i], p, hashes[i])) break;
    p = hashes[i];
  }
  EXPECT_EQ(bad.result().first_bad_sequence, 3);
  EXPECT_EQ(bad.result().records_checked, 3);
}

}  // namespace
}  // namespace sprout::audit
