// The Store conformance suite, part three (see store_conformance.h): the
// audit trail as administrators read it. Records keep the link worker, the
// resources a read returned and a break-glass reason, still verify, and list
// newest first by action, organisation, resource or break-glass only.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/server/store/store_conformance.h"

namespace sprout::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

std::vector<int64_t> Sequences(const std::vector<AuditRecord>& records) {
  std::vector<int64_t> out;
  for (const AuditRecord& r : records) out.push_back(r.sequence);
  return out;
}

TEST_P(StoreConformanceTest, AuditRecordsKeepWhoWhatWasReturnedAndWhy) {
  AuditEvent read = MakeAudit("ListQueueItems", "pcns/U99001", kT0);
  read.actor_organisation = "U99001";
  read.actor_role = "link_worker";
  read.actor_link_worker = "lw-u99001-01";
  read.returned = {"queueItems/q1", "queueItems/q2"};
  ASSERT_TRUE(store_->AppendAudit(read).ok());
  AuditEvent glass = MakeAudit("GetReferral", "referrals/r1", kT0 + absl::Seconds(1));
  glass.actor_organisation = "admin:sprout";
  glass.actor_role = "admin";
  glass.returned = {"referrals/r1"};
  glass.stated_reason = "safeguarding review requested by the PCN lead";
  ASSERT_TRUE(store_->AppendAudit(glass).ok());
  ASSERT_TRUE(store_->AppendAudit(MakeAudit("GetReferral", "referrals/r2", kT0)).ok());

  absl::StatusOr<Page<AuditRecord>> page = store_->ListAuditRecords(AuditQuery{}, 10, "");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_THAT(Sequences(page->items), ElementsAre(3, 2, 1));
  const AuditEvent& got_glass = page->items[1].event;
  EXPECT_EQ(got_glass.stated_reason, glass.stated_reason);
  EXPECT_THAT(got_glass.returned, ElementsAre("referrals/r1"));
  EXPECT_TRUE(got_glass.break_glass());
  const AuditEvent& got_read = page->items[2].event;
  EXPECT_EQ(got_read.actor_link_worker, "lw-u99001-01");
  EXPECT_THAT(got_read.returned, ElementsAre("queueItems/q1", "queueItems/q2"));
  EXPECT_EQ(got_read.time, kT0);
  EXPECT_THAT(page->items[0].event.returned, IsEmpty());

  // The new fields are in the chain (format 2) and it verifies.
  absl::StatusOr<AuditVerification> v = store_->VerifyAuditChain();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, 3);
}

// The chain head and the hash of any one record, for the audit anchor: the
// same hashes the chain itself holds.
TEST_P(StoreConformanceTest, AuditChainHeadAndHashAtReadTheStoredChain) {
  absl::StatusOr<std::optional<audit::AuditAnchor>> empty = store_->AuditChainHead();
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_FALSE(empty->has_value());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_
                    ->AppendAudit(MakeAudit("GetReferral", absl::StrCat("referrals/r", i),
                                            kT0 + absl::Seconds(i)))
                    .ok());
  }
  absl::StatusOr<std::optional<audit::AuditAnchor>> head = store_->AuditChainHead();
  ASSERT_TRUE(head.ok()) << head.status();
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->sequence, 3);
  EXPECT_EQ((*head)->hash.size(), 32u);

  absl::StatusOr<std::optional<std::string>> third = store_->AuditHashAt(3);
  ASSERT_TRUE(third.ok()) << third.status();
  ASSERT_TRUE(third->has_value());
  EXPECT_EQ(**third, (*head)->hash);
  absl::StatusOr<std::optional<std::string>> second = store_->AuditHashAt(2);
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_NE(**second, (*head)->hash);
  absl::StatusOr<std::optional<std::string>> missing = store_->AuditHashAt(4);
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreConformanceTest, AuditRecordsListByEachFilter) {
  AuditEvent police = MakeAudit("ListReferrals", "organisations/police:WYP/referrals", kT0);
  police.actor_organisation = "police:WYP";
  ASSERT_TRUE(store_->AppendAudit(police).ok());                                        // 1
  ASSERT_TRUE(store_->AppendAudit(MakeAudit("GetReferral", "referrals/a", kT0)).ok());  // 2
  AuditEvent glass = MakeAudit("GetReferral", "referrals/b", kT0);
  glass.stated_reason = "complaint investigation, case 17";
  ASSERT_TRUE(store_->AppendAudit(glass).ok());                                         // 3
  ASSERT_TRUE(store_->AppendAudit(MakeAudit("ListReferrals", "referrals", kT0)).ok());  // 4

  auto list = [&](AuditQuery q) {
    absl::StatusOr<Page<AuditRecord>> page = store_->ListAuditRecords(q, 10, "");
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? Sequences(page->items) : std::vector<int64_t>{};
  };
  AuditQuery by_action;
  by_action.action = "ListReferrals";
  EXPECT_THAT(list(by_action), ElementsAre(4, 1));
  AuditQuery by_org;
  by_org.actor_organisation = "police:WYP";
  EXPECT_THAT(list(by_org), ElementsAre(1));
  AuditQuery by_resource;
  by_resource.resource = "referrals/a";
  EXPECT_THAT(list(by_resource), ElementsAre(2));
  AuditQuery glass_only;
  glass_only.break_glass_only = true;
  EXPECT_THAT(list(glass_only), ElementsAre(3));
  AuditQuery both;
  both.action = "GetReferral";
  both.break_glass_only = true;
  EXPECT_THAT(list(both), ElementsAre(3));
}

TEST_P(StoreConformanceTest, AuditRecordsPageWithoutGapsAndTokensAreTiedToTheQuery) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(
        store_->AppendAudit(MakeAudit("GetReferral", absl::StrCat("referrals/r", i), kT0)).ok());
  }
  AuditQuery q;
  q.action = "GetReferral";
  std::vector<int64_t> seen;
  std::string token;
  std::string first_token;
  do {
    absl::StatusOr<Page<AuditRecord>> page = store_->ListAuditRecords(q, 3, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (int64_t s : Sequences(page->items)) seen.push_back(s);
    token = page->next_page_token;
    if (first_token.empty()) first_token = token;
  } while (!token.empty());
  EXPECT_THAT(seen, ElementsAre(7, 6, 5, 4, 3, 2, 1));

  AuditQuery other;
  other.action = "ListReferrals";
  absl::StatusOr<Page<AuditRecord>> replayed = store_->ListAuditRecords(other, 3, first_token);
  EXPECT_EQ(replayed.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sprout::store::testing
