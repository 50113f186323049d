// The backend-neutral pieces: paging tokens and resource names.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/names.h"
#include "server/store/page_token.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store {
namespace {

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
