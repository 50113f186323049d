// The Store conformance suite, the outbox (see store_conformance.h and
// server/store/outbox.h): an outcome message is written in the transaction
// of each change that accepts, declines or closes a referral, and of no
// other; due messages are leased so they are not taken twice; an attempt is
// recorded as it came out; a redelivery makes a message due again; the
// listing pages newest first and filters by state; bodies are sealed.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "server/lifecycle/lifecycle.h"
#include "tests/server/store/store_conformance.h"

namespace sprout::store::testing {
namespace {

using lifecycle::Transition;
using sprout::v1::OutboxMessage;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z

std::vector<OutboxMessage> All(Store& store, sprout::v1::OutboxMessageState state) {
  absl::StatusOr<Page<OutboxMessage>> page = store.ListOutboxMessages(state, 100, "");
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? page->items : std::vector<OutboxMessage>{};
}

OutboxAttempt AttemptOf(const OutboxMessage& m, sprout::v1::OutboxMessageState state,
                        absl::Time at) {
  OutboxAttempt a;
  a.message_id = m.name().substr(m.name().find('/') + 1);
  a.time = at;
  a.state = state;
  a.next_attempt_time = at + absl::Seconds(30);
  a.error = state == sprout::v1::OUTBOX_MESSAGE_STATE_DELIVERED ? "" : "HTTP 503 from the receiver";
  return a;
}

}  // namespace

TEST_P(StoreConformanceTest, AcceptDeclineAndCloseEachOweOneMessageAndNothingElseDoes) {
  MustSubmit(Spec("r1").Organisation("Y99001"));
  MustSubmit(Spec("r2").Organisation("police:WYP"));
  EXPECT_TRUE(All(*store_, sprout::v1::OUTBOX_MESSAGE_STATE_UNSPECIFIED).empty());

  ASSERT_TRUE(Take("r1", StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0)).ok());
  ASSERT_TRUE(Take("r1", ContactStep(LinkWorker("lw-1"), kT0 + absl::Hours(1))).ok());
  lifecycle::Step close = StepOf(Transition::kClose, LinkWorker("lw-1"), kT0 + absl::Hours(2));
  close.outcome.add_codes()->set_code("1230392000");
  ASSERT_TRUE(Take("r1", close).ok());
  lifecycle::Step decline = StepOf(Transition::kDecline, LinkWorker("lw-1"), kT0 + absl::Hours(3));
  decline.declined_by = sprout::v1::DECLINED_BY_PERSON;
  ASSERT_TRUE(Take("r2", decline).ok());

  const std::vector<OutboxMessage> all = All(*store_, sprout::v1::OUTBOX_MESSAGE_STATE_UNSPECIFIED);
  ASSERT_EQ(all.size(), 3u);  // not for the contact
  // Newest first; named by the referral's version, so a re-run writes the same row.
  EXPECT_EQ(all[0].name(), "outboxMessages/r2-2");
  EXPECT_EQ(all[0].referral_state(), sprout::v1::REFERRAL_STATE_DECLINED);
  EXPECT_EQ(all[0].organisation_code(), "police:WYP");
  EXPECT_EQ(all[1].name(), "outboxMessages/r1-4");
  EXPECT_EQ(all[1].referral_state(), sprout::v1::REFERRAL_STATE_CLOSED);
  EXPECT_EQ(all[2].name(), "outboxMessages/r1-2");
  EXPECT_EQ(all[2].referral(), "referrals/r1");
  EXPECT_EQ(all[2].referral_state(), sprout::v1::REFERRAL_STATE_ACCEPTED);
  EXPECT_EQ(all[2].organisation_code(), "Y99001");
  for (const OutboxMessage& m : all) {
    EXPECT_EQ(m.state(), sprout::v1::OUTBOX_MESSAGE_STATE_PENDING);
    EXPECT_EQ(m.attempts(), 0);
    EXPECT_TRUE(m.has_next_attempt_time());
    EXPECT_FALSE(m.has_last_attempt_time());
  }
}

TEST_P(StoreConformanceTest, DueMessagesAreLeasedWithTheReferralAsCommitted) {
  MustSubmit(Spec("r1"));
  ASSERT_TRUE(Take("r1", StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0)).ok());
  ASSERT_TRUE(Take("r1", ContactStep(LinkWorker("lw-1"), kT0 + absl::Hours(1))).ok());

  absl::StatusOr<std::optional<absl::Time>> next = store_->NextOutboxAttempt();
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(*next, kT0);  // due when the acceptance committed
  absl::StatusOr<std::vector<OutboxEntry>> leased =
      store_->LeaseDueOutboxMessages(kT0 + absl::Hours(2), absl::Minutes(2), 10);
  ASSERT_TRUE(leased.ok()) << leased.status();
  ASSERT_EQ(leased->size(), 1u);
  // The referral as the acceptance left it, not as it is now (IN_PROGRESS).
  EXPECT_EQ((*leased)[0].referral.state(), sprout::v1::REFERRAL_STATE_ACCEPTED);
  EXPECT_EQ((*leased)[0].referral.name(), "referrals/r1");
  EXPECT_EQ((*leased)[0].message.name(), "outboxMessages/r1-2");

  // Leased: not due again until the lease ends.
  absl::StatusOr<std::vector<OutboxEntry>> again =
      store_->LeaseDueOutboxMessages(kT0 + absl::Hours(2) + absl::Minutes(1), absl::Minutes(2), 10);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(*store_->NextOutboxAttempt(), kT0 + absl::Hours(2) + absl::Minutes(2));
  absl::StatusOr<std::vector<OutboxEntry>> lapsed =
      store_->LeaseDueOutboxMessages(kT0 + absl::Hours(2) + absl::Minutes(3), absl::Minutes(2), 10);
  ASSERT_TRUE(lapsed.ok());
  EXPECT_EQ(lapsed->size(), 1u);
}

TEST_P(StoreConformanceTest, AttemptsAreRecordedAndARedeliveryMakesAMessageDueAgain) {
  MustSubmit(Spec("r1"));
  ASSERT_TRUE(Take("r1", StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0)).ok());
  const OutboxMessage m = All(*store_, sprout::v1::OUTBOX_MESSAGE_STATE_PENDING).at(0);
  const absl::Time t1 = kT0 + absl::Minutes(1);

  ASSERT_TRUE(
      store_->RecordOutboxAttempt(AttemptOf(m, sprout::v1::OUTBOX_MESSAGE_STATE_PENDING, t1)).ok());
  OutboxMessage retried = All(*store_, sprout::v1::OUTBOX_MESSAGE_STATE_PENDING).at(0);
  EXPECT_EQ(retried.attempts(), 1);
  EXPECT_EQ(retried.last_error(), "HTTP 503 from the receiver");
  EXPECT_EQ(retried.next_attempt_time().seconds(), absl::ToUnixSeconds(t1 + absl::Seconds(30)));
  absl::StatusOr<std::vector<OutboxEntry>> early =
      store_->LeaseDueOutboxMessages(t1 + absl::Seconds(10), absl::Minutes(2), 10);
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early->empty());

  ASSERT_TRUE(
      store_->RecordOutboxAttempt(AttemptOf(m, sprout::v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER, t1))
          .ok());
  std::vector<OutboxMessage> dead = All(*store_, sprout::v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].attempts(), 2);
  EXPECT_FALSE(dead[0].has_next_attempt_time());
  EXPECT_TRUE(All(*store_, sprout::v1::OUTBOX_MESSAGE_STATE_PENDING).empty());
  EXPECT_EQ(*store_->NextOutboxAttempt(), std::nullopt);  // nothing pending
  // A late attempt on a message no longer pending changes nothing.
  ASSERT_TRUE(
      store_->RecordOutboxAttempt(AttemptOf(m, sprout::v1::OUTBOX_MESSAGE_STATE_DELIVERED, t1))
          .ok());
  EXPECT_EQ(All(*store_, sprout::v1::OUTBOX_MESSAGE_STATE_DEAD_LETTER).size(), 1u);

  const absl::Time t2 = kT0 + absl::Hours(1);
  absl::StatusOr<OutboxMessage> redelivered =
      store_->RedeliverOutboxMessage("r1-2", t2, MakeAudit("RedeliverOutboxMessage", m.name(), t2));
  ASSERT_TRUE(redelivered.ok()) << redelivered.status();
  EXPECT_EQ(redelivered->state(), sprout::v1::OUTBOX_MESSAGE_STATE_PENDING);
  EXPECT_EQ(redelivered->attempts(), 0);
  EXPECT_EQ(redelivered->last_error(), "");
  absl::StatusOr<std::vector<OutboxEntry>> due =
      store_->LeaseDueOutboxMessages(t2, absl::Minutes(2), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  ASSERT_TRUE(
      store_->RecordOutboxAttempt(AttemptOf(m, sprout::v1::OUTBOX_MESSAGE_STATE_DELIVERED, t2))
          .ok());
  std::vector<OutboxMessage> delivered = All(*store_, sprout::v1::OUTBOX_MESSAGE_STATE_DELIVERED);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].deliver_time().seconds(), absl::ToUnixSeconds(t2));
  EXPECT_EQ(delivered[0].last_error(), "");

  EXPECT_EQ(store_
                ->RedeliverOutboxMessage(
                    "nope-1", t2, MakeAudit("RedeliverOutboxMessage", "outboxMessages/nope-1", t2))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store_
                ->RecordOutboxAttempt(
                    AttemptOf(OutboxMessage(), sprout::v1::OUTBOX_MESSAGE_STATE_DELIVERED, t2))
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, TheOutboxListingPagesNewestFirstAndKeepsItsFilter) {
  for (int i = 0; i < 5; ++i) {
    const std::string id = "r" + std::to_string(i);
    MustSubmit(Spec(id).PersonKey("pk-" + id));
    ASSERT_TRUE(Take(id, StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0)).ok());
  }
  std::vector<std::string> names;
  std::string token;
  do {
    absl::StatusOr<Page<OutboxMessage>> page =
        store_->ListOutboxMessages(sprout::v1::OUTBOX_MESSAGE_STATE_PENDING, 2, token);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const OutboxMessage& m : page->items) names.push_back(m.name());
    token = page->next_page_token;
  } while (!token.empty() && names.size() < 10);
  EXPECT_THAT(names, ::testing::ElementsAre("outboxMessages/r4-2", "outboxMessages/r3-2",
                                            "outboxMessages/r2-2", "outboxMessages/r1-2",
                                            "outboxMessages/r0-2"));
  absl::StatusOr<Page<OutboxMessage>> first =
      store_->ListOutboxMessages(sprout::v1::OUTBOX_MESSAGE_STATE_PENDING, 2, "");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(store_
                ->ListOutboxMessages(sprout::v1::OUTBOX_MESSAGE_STATE_DELIVERED, 2,
                                     first->next_page_token)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace sprout::store::testing
