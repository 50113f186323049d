// The backend-neutral pieces: the audit hash chain and paging tokens.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/audit_chain.h"
#include "server/store/names.h"
#include "server/store/page_token.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store {
namespace {

using ::sprout::store::testing::MakeAudit;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);

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

TEST(PageTokenTest, RoundTripsTheCursor) {
  const std::string token = EncodePageToken("referrals", "A81001", {1234, -5});
  absl::StatusOr<PageCursor> c = DecodePageToken(token, "referrals", "A81001");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->primary, 1234);
  EXPECT_EQ(c->secondary, -5);
}

TEST(PageTokenTest, RefusesTokensOfAnotherKindScopeOrShape) {
  const std::string token = EncodePageToken("referrals", "A81001", {1, 2});
  EXPECT_EQ(DecodePageToken(token, "queueItems", "A81001").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePageToken(token, "referrals", "B82002").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePageToken("AAAA", "referrals", "A81001").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePageToken("not base64!", "referrals", "A81001").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PageTokenTest, PageSizeIsDefaultedAndCapped) {
  EXPECT_EQ(EffectivePageSize(0), 50);
  EXPECT_EQ(EffectivePageSize(-3), 50);
  EXPECT_EQ(EffectivePageSize(7), 7);
  EXPECT_EQ(EffectivePageSize(5000), 1000);
}

TEST(NamesTest, ParsesResourceNamesAndQueues) {
  EXPECT_EQ(*IdFromName("referrals/abc", "referrals", "f"), "abc");
  EXPECT_FALSE(IdFromName("referrals/", "referrals", "f").ok());
  EXPECT_FALSE(IdFromName("referrals/a/b", "referrals", "f").ok());
  EXPECT_FALSE(IdFromName("episodes/a", "referrals", "f").ok());
  EXPECT_EQ(PcnCodeOfQueue("pcns/U1/linkWorkers/x"), "U1");
  EXPECT_EQ(PcnCodeOfQueue("pcns/U1"), "U1");
  EXPECT_EQ(PcnCodeOfQueue("triageQueues/15F"), "");
  EXPECT_TRUE(IsPcnPoolQueue("pcns/U1"));
  EXPECT_FALSE(IsPcnPoolQueue("pcns/U1/linkWorkers/x"));
}

}  // namespace
}  // namespace sprout::store
