// MessageFilter: the AIP-160 filters ListReferrals and ListQueueItems take,
// evaluated on each item; and the page tokens bound to them.
#include "server/api/message_filter.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/api/filtered_listing.h"
#include "server/common/errors.h"
#include "sprout/v1/queue.pb.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::api {
namespace {

using sprout::v1::QueueItem;
using sprout::v1::Referral;
using ::testing::HasSubstr;

const std::vector<FilterableField> kReferralFields = {{"state"},
                                                      {"priority"},
                                                      {"source_type", "referrer.source_type"},
                                                      {"create_time"},
                                                      {"needs_review", "needs_coding_review"}};

Referral MakeReferral(sprout::v1::ReferralState state, sprout::v1::Priority priority,
                      int64_t create_seconds) {
  Referral r;
  r.set_state(state);
  r.set_priority(priority);
  r.mutable_referrer()->set_source_type(sprout::v1::SOURCE_TYPE_POLICE);
  r.mutable_create_time()->set_seconds(create_seconds);
  return r;
}

MessageFilter MustParse(absl::string_view text) {
  absl::StatusOr<MessageFilter> f =
      MessageFilter::Parse(text, *Referral::descriptor(), kReferralFields);
  EXPECT_TRUE(f.ok()) << f.status();
  return f.ok() ? *std::move(f) : MessageFilter();
}

std::string FilterViolation(absl::string_view text) {
  absl::StatusOr<MessageFilter> f =
      MessageFilter::Parse(text, *Referral::descriptor(), kReferralFields);
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<FieldViolation> v = ViolationsOf(f.status());
  EXPECT_EQ(v.size(), 1u);
  if (v.empty()) return "";
  EXPECT_EQ(v[0].field, "filter");
  return v[0].description;
}

constexpr int64_t kJan2026 = 1767225600;  // 2026-01-01T00:00:00Z

TEST(MessageFilterTest, EmptyMatchesEverything) {
  MessageFilter f = MustParse("  ");
  EXPECT_TRUE(f.empty());
  EXPECT_TRUE(f.Matches(Referral()));
}

TEST(MessageFilterTest, EnumsWithOrWithoutTheirPrefix) {
  const Referral queued =
      MakeReferral(sprout::v1::REFERRAL_STATE_QUEUED, sprout::v1::PRIORITY_URGENT, kJan2026);
  EXPECT_TRUE(MustParse("state = QUEUED").Matches(queued));
  EXPECT_TRUE(MustParse("state = REFERRAL_STATE_QUEUED").Matches(queued));
  EXPECT_FALSE(MustParse("state != QUEUED").Matches(queued));
  EXPECT_FALSE(MustParse("state = ACCEPTED").Matches(queued));
  EXPECT_TRUE(MustParse("priority = URGENT AND source_type = POLICE").Matches(queued));
  EXPECT_FALSE(MustParse("priority = URGENT AND source_type = GP_PRACTICE").Matches(queued));
}

TEST(MessageFilterTest, TimesCompareAndBoolsByAlias) {
  Referral r =
      MakeReferral(sprout::v1::REFERRAL_STATE_QUEUED, sprout::v1::PRIORITY_ROUTINE, kJan2026 + 60);
  EXPECT_TRUE(MustParse("create_time >= \"2026-01-01T00:00:00Z\"").Matches(r));
  EXPECT_TRUE(MustParse("create_time > \"2026-01-01T00:00:59Z\"").Matches(r));
  EXPECT_FALSE(MustParse("create_time < \"2026-01-01T00:01:00Z\"").Matches(r));
  EXPECT_TRUE(MustParse("create_time <= \"2026-01-01T00:01:00Z\"").Matches(r));
  EXPECT_FALSE(MustParse("needs_review = true").Matches(r));
  r.set_needs_coding_review(true);
  EXPECT_TRUE(MustParse("needs_review = true").Matches(r));
}

TEST(MessageFilterTest, RefusalsNameTheColumnAndWhatIsAccepted) {
  EXPECT_THAT(FilterViolation("stat = QUEUED"),
              HasSubstr("column 1: \"stat\" is not a field this method filters on; it accepts "
                        "state, priority, source_type, create_time, needs_review"));
  EXPECT_THAT(FilterViolation("state = SLEEPING"),
              HasSubstr("\"SLEEPING\" is not a state; use one of RECEIVED, QUEUED,"));
  EXPECT_THAT(FilterViolation("state < QUEUED"), HasSubstr("state takes = or !=, not <"));
  EXPECT_THAT(FilterViolation("needs_review = maybe"), HasSubstr("true or false"));
  EXPECT_THAT(FilterViolation("create_time >= yesterday"), HasSubstr("RFC 3339"));
  EXPECT_THAT(FilterViolation("state = QUEUED AND"), HasSubstr("column"));
}

TEST(MessageFilterTest, DerivedBoolsAreComputed) {
  const std::vector<FilterableField> fields = {
      {"claimed", "", [](const google::protobuf::Message& m) {
         return static_cast<const QueueItem&>(m).state() == sprout::v1::QUEUE_ITEM_STATE_CLAIMED;
       }}};
  absl::StatusOr<MessageFilter> f =
      MessageFilter::Parse("claimed = true", *QueueItem::descriptor(), fields);
  ASSERT_TRUE(f.ok()) << f.status();
  QueueItem item;
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_WAITING);
  EXPECT_FALSE(f->Matches(item));
  item.set_state(sprout::v1::QUEUE_ITEM_STATE_CLAIMED);
  EXPECT_TRUE(f->Matches(item));
}

// A listing of `n` referrals whose create_time seconds are 0..n-1, served
// `page` at a time, like a store.
class FakeListing {
 public:
  explicit FakeListing(int n) : n_(n) {}
  absl::StatusOr<store::Page<Referral>> Fetch(int size, const std::string& token) {
    ++fetches_;
    int from = token.empty() ? 0 : std::stoi(token);
    store::Page<Referral> page;
    for (int i = from; i < n_ && static_cast<int>(page.items.size()) < size; ++i) {
      page.items.push_back(MakeReferral(
          i % 3 == 0 ? sprout::v1::REFERRAL_STATE_QUEUED : sprout::v1::REFERRAL_STATE_ACCEPTED,
          sprout::v1::PRIORITY_ROUTINE, i));
      from = i + 1;
    }
    if (from < n_) page.next_page_token = std::to_string(from);
    return page;
  }
  int fetches() const { return fetches_; }

 private:
  const int n_;
  int fetches_ = 0;
};

std::vector<int64_t> AllMatching(const MessageFilter& filter, int n, int page_size) {
  FakeListing listing(n);
  std::vector<int64_t> seen;
  std::string token;
  do {
    absl::StatusOr<store::Page<Referral>> page = FilteredPage<Referral>(
        filter, page_size, token,
        [&](int size, const std::string& t) { return listing.Fetch(size, t); },
        [](Referral r) { return r; });
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) break;
    EXPECT_LE(static_cast<int>(page->items.size()), page_size);
    for (const Referral& r : page->items) seen.push_back(r.create_time().seconds());
    token = page->next_page_token;
  } while (!token.empty());
  return seen;
}

TEST(FilteredPageTest, EveryMatchOnceInOrderAcrossPages) {
  const std::vector<int64_t> seen = AllMatching(MustParse("state = QUEUED"), 100, 7);
  std::vector<int64_t> expected;
  for (int i = 0; i < 100; i += 3) expected.push_back(i);
  EXPECT_EQ(seen, expected);
}

TEST(FilteredPageTest, TokenIsBoundToItsFilter) {
  FakeListing listing(100);
  const MessageFilter queued = MustParse("state = QUEUED");
  absl::StatusOr<store::Page<Referral>> first = FilteredPage<Referral>(
      queued, 5, "", [&](int size, const std::string& t) { return listing.Fetch(size, t); },
      [](Referral r) { return r; });
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_page_token.empty());
  absl::StatusOr<store::Page<Referral>> other = FilteredPage<Referral>(
      MustParse("state = ACCEPTED"), 5, first->next_page_token,
      [&](int size, const std::string& t) { return listing.Fetch(size, t); },
      [](Referral r) { return r; });
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(ViolationsOf(other.status()).size(), 1u);
  EXPECT_EQ(ViolationsOf(other.status())[0].field, "page_token");
}

TEST(FilteredPageTest, SparseMatchesStopAfterBoundedFetchesWithAToken) {
  // Nothing matches: each call does at most kMaxFilteredFetches store reads
  // and hands back a token to go on from.
  FakeListing listing(100000);
  absl::StatusOr<store::Page<Referral>> page = FilteredPage<Referral>(
      MustParse("state = WITHDRAWN"), 10, "",
      [&](int size, const std::string& t) { return listing.Fetch(size, t); },
      [](Referral r) { return r; });
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  EXPECT_FALSE(page->next_page_token.empty());
  EXPECT_EQ(listing.fetches(), kMaxFilteredFetches);
}

}  // namespace
}  // namespace sprout::api
