// The Store conformance suite, part five (see store_conformance.h): bodies
// sealed at rest and re-encrypted after a data key rotation. What each
// backend must guarantee: every body it reads opens with any key of the
// ring; after a full RewrapBodies walk nothing needs an older key, even with
// writes between batches; the walk reports progress and is resumable.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "server/lifecycle/lifecycle.h"
#include "server/store/body_rewrap.h"
#include "server/store/data_keys.h"
#include "tests/server/store/store_conformance.h"

namespace sprout::store::testing {
namespace {

using lifecycle::Transition;

const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
const std::string kKey1 = "k1 " + std::string(64, '1') + "\n";
const std::string kKey2 = "k2 " + std::string(64, '2') + "\n";

DataKeyRing Ring(const std::string& text) { return *DataKeyRing::Parse(text); }

// Every body a referral has: the referral, its queue item, its routing
// decision and its contacts. OK only when all of them open.
absl::Status ReadEverything(Store& store, const std::string& referral_id) {
  absl::StatusOr<sprout::v1::Referral> referral = store.GetReferral(referral_id);
  if (!referral.ok()) return referral.status();
  absl::StatusOr<std::optional<sprout::v1::QueueItem>> item =
      store.GetQueueItemOfReferral(referral_id);
  if (!item.ok()) return item.status();
  absl::StatusOr<sprout::v1::RoutingDecision> decision =
      store.GetRoutingDecision("d-" + referral_id);
  if (!decision.ok()) return decision.status();
  absl::StatusOr<std::vector<sprout::v1::Contact>> contacts = store.ListContacts(referral_id);
  return contacts.status();
}

// Walks every table, `batch_size` rows at a time, calling `between` after
// each batch. Returns the steps taken.
std::vector<RewrapStep> WalkAll(
    Store& store, int batch_size, const std::function<void()>& between = [] {}) {
  std::vector<RewrapStep> steps;
  RewrapCursor cursor;
  for (int guard = 0; guard < 1000; ++guard) {
    absl::StatusOr<RewrapStep> step = store.RewrapBodies(cursor, batch_size);
    EXPECT_TRUE(step.ok()) << step.status();
    if (!step.ok()) break;
    steps.push_back(*step);
    between();
    if (!step->next.has_value()) break;
    cursor = *step->next;
  }
  return steps;
}

int64_t Resealed(const std::vector<RewrapStep>& steps) {
  int64_t n = 0;
  for (const RewrapStep& step : steps) n += step.resealed;
  return n;
}

}  // namespace

TEST_P(StoreConformanceTest, AfterRotationOldBodiesOpenAndTheWalkMovesThemAllToTheNewKey) {
  cipher_->ReplaceKeys(Ring(kKey1));
  for (const char* id : {"r1", "r2", "r3"}) MustSubmit(Spec(id).PersonKey(std::string("pk-") + id));
  ASSERT_TRUE(Take("r1", StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0)).ok());
  ASSERT_TRUE(Take("r1", ContactStep(LinkWorker("lw-1"), kT0 + absl::Hours(1))).ok());

  // Rotate: k2 writes, k1 still reads.
  cipher_->ReplaceKeys(Ring(kKey1 + kKey2));
  MustSubmit(Spec("r4").PersonKey("pk-r4"));
  for (const char* id : {"r1", "r2", "r3", "r4"}) EXPECT_TRUE(ReadEverything(*store_, id).ok());

  // Without k1 the old bodies cannot be read, and say which key they need.
  cipher_->ReplaceKeys(Ring(kKey2));
  absl::Status without_k1 = ReadEverything(*store_, "r1");
  EXPECT_EQ(without_k1.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(without_k1.message(), ::testing::HasSubstr("'k1'"));
  EXPECT_TRUE(ReadEverything(*store_, "r4").ok());
  // Nor can a batch reseal them: it changes nothing and says why.
  EXPECT_EQ(store_->RewrapBodies(RewrapCursor(), 100).status().code(),
            absl::StatusCode::kFailedPrecondition);

  cipher_->ReplaceKeys(Ring(kKey1 + kKey2));
  std::vector<RewrapStep> steps = WalkAll(*store_, 2);
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.back().write_key_id, "k2");
  // Three referrals, three items, three decisions, one contact and the
  // acceptance's outcome message were on k1.
  EXPECT_EQ(Resealed(steps), 11);
  std::vector<std::string> tables;
  for (const RewrapStep& step : steps) {
    if (tables.empty() || tables.back() != step.table) tables.push_back(step.table);
    EXPECT_LE(step.scanned, 2);
    EXPECT_LE(step.rows_done, step.table_rows);
  }
  EXPECT_THAT(tables, ::testing::ElementsAre("referrals", "queue_items", "routing_decisions",
                                             "contacts", "outbox_messages", "coding_choices"));

  // Now k1 can go.
  cipher_->ReplaceKeys(Ring(kKey2));
  for (const char* id : {"r1", "r2", "r3", "r4"}) {
    EXPECT_TRUE(ReadEverything(*store_, id).ok()) << id << ": " << ReadEverything(*store_, id);
  }
  EXPECT_EQ(store_->ListContacts("r1")->size(), 1u);
  // The outcome message opens with k2 alone too.
  absl::StatusOr<std::vector<OutboxEntry>> owed =
      store_->LeaseDueOutboxMessages(absl::Now() + absl::Hours(24 * 365), absl::Minutes(1), 10);
  ASSERT_TRUE(owed.ok()) << owed.status();
  ASSERT_EQ(owed->size(), 1u);
  EXPECT_EQ((*owed)[0].referral.name(), "referrals/r1");
  // A second walk finds nothing to do.
  EXPECT_EQ(Resealed(WalkAll(*store_, 100)), 0);
}

TEST_P(StoreConformanceTest, WritesBetweenBatchesAreNeitherLostNorLeftOnTheOldKey) {
  cipher_->ReplaceKeys(Ring(kKey1));
  for (int i = 0; i < 6; ++i) {
    MustSubmit(Spec("old" + std::to_string(i)).PersonKey("pk-old" + std::to_string(i)));
  }
  cipher_->ReplaceKeys(Ring(kKey1 + kKey2));
  int added = 0;
  int accepted = 0;
  std::vector<RewrapStep> steps = WalkAll(*store_, 1, [&] {
    // Between batches: a new referral, and a change to one the walk may
    // already have passed (its new body must be on k2 and must survive).
    // (A bounded number: at one row a batch, a new referral every batch
    // would keep the walk in the first table for ever.)
    if (added < 8) {
      MustSubmit(Spec("new" + std::to_string(added)).PersonKey("pk-new" + std::to_string(added)));
      ++added;
    }
    if (accepted < 6) {
      const std::string id = "old" + std::to_string(accepted++);
      EXPECT_TRUE(Take(id, StepOf(Transition::kAccept, LinkWorker("lw-1"), kT0)).ok()) << id;
    }
  });
  ASSERT_FALSE(steps.empty());
  ASSERT_FALSE(steps.back().next.has_value()) << "the walk did not finish";
  cipher_->ReplaceKeys(Ring(kKey2));
  for (int i = 0; i < 6; ++i) {
    const std::string id = "old" + std::to_string(i);
    ASSERT_TRUE(ReadEverything(*store_, id).ok()) << id << ": " << ReadEverything(*store_, id);
    EXPECT_EQ(store_->GetReferral(id)->state(), sprout::v1::REFERRAL_STATE_ACCEPTED) << id;
  }
  for (int i = 0; i < added; ++i) {
    EXPECT_TRUE(ReadEverything(*store_, "new" + std::to_string(i)).ok()) << i;
  }
}

TEST_P(StoreConformanceTest, AWalkResumesFromItsCursorAndRejectsNoTable) {
  cipher_->ReplaceKeys(Ring(kKey1));
  for (int i = 0; i < 5; ++i) MustSubmit(Spec("r" + std::to_string(i)).PersonKey("pk"));
  cipher_->ReplaceKeys(Ring(kKey1 + kKey2));
  absl::StatusOr<RewrapStep> first = store_->RewrapBodies(RewrapCursor(), 2);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->table, "referrals");
  EXPECT_EQ(first->scanned, 2);
  EXPECT_EQ(first->resealed, 2);
  EXPECT_EQ(first->table_rows, 5);
  EXPECT_EQ(first->rows_done, 2);
  ASSERT_TRUE(first->next.has_value());
  // The cursor survives as a token (as sproutctl passes it back).
  absl::StatusOr<RewrapCursor> resumed = ParseRewrapCursor(FormatRewrapCursor(*first->next));
  ASSERT_TRUE(resumed.ok());
  absl::StatusOr<RewrapStep> second = store_->RewrapBodies(*resumed, 100);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->table, "referrals");
  EXPECT_EQ(second->scanned, 3);
  EXPECT_EQ(second->rows_done, 5);
  RewrapCursor beyond;
  beyond.table = kSealedTableCount;
  EXPECT_EQ(store_->RewrapBodies(beyond, 10).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace sprout::store::testing
