// PostgresStore behaviour beyond the shared suite: group commit with a
// SAVEPOINT per job (a job failing mid-write inside a batch stores nothing
// and costs the others nothing), and the bounded write queue.
#include "server/store/postgres/postgres_store.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/server/store/pg_test_util.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store::testing {
namespace {

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (TestPgDsn().empty()) GTEST_SKIP() << kNoPgMessage;
    absl::StatusOr<std::unique_ptr<PgTestSchema>> schema = PgTestSchema::Create();
    ASSERT_TRUE(schema.ok()) << schema.status();
    schema_ = *std::move(schema);
  }

  std::unique_ptr<PostgresStore> Open(int max_queue_depth = 4096) {
    PostgresStoreOptions options;
    options.cipher = ::sprout::store::testing::TestBodyCipher();
    options.conninfo = schema_->conninfo();
    options.pool_size = 2;
    options.max_queue_depth = max_queue_depth;
    absl::StatusOr<std::unique_ptr<PostgresStore>> store = PostgresStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::unique_ptr<PgTestSchema> schema_;
};

// Submits everything at once (so the writer batches it) and waits.
std::vector<absl::StatusOr<SubmitOutcome>> SubmitAll(Store& store,
                                                     std::vector<Submission> submissions) {
  const size_t n = submissions.size();
  std::vector<absl::StatusOr<SubmitOutcome>> results(n, absl::UnknownError("pending"));
  absl::Mutex mu;
  size_t answered = 0;
  for (size_t i = 0; i < n; ++i) {
    store.SubmitAsync(std::move(submissions[i]), [&, i](absl::StatusOr<SubmitOutcome> r) {
      absl::MutexLock lock(&mu);
      results[i] = std::move(r);
      ++answered;
    });
  }
  struct AllAnswered {
    const size_t* answered;
    size_t n;
  } all{&answered, n};
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](AllAnswered* a) { return *a->answered == a->n; }, &all));
  return results;
}

TEST_F(PostgresStoreTest, AJobFailingMidWriteCostsItsBatchNothing) {
  std::unique_ptr<PostgresStore> store = Open();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Submit(MakeSubmission(Spec("taken"))).ok());
  // Every third submission reuses the referral id "taken" with a new request:
  // its referral insert fails after its episode insert.
  std::vector<Submission> batch;
  for (int i = 0; i < 60; ++i) {
    Submission s = MakeSubmission(Spec(absl::StrCat("b", i)));
    if (i % 3 == 0) s.referral.set_name("referrals/taken");
    batch.push_back(std::move(s));
  }
  std::vector<absl::StatusOr<SubmitOutcome>> results = SubmitAll(*store, std::move(batch));
  std::vector<int64_t> sequences;
  for (int i = 0; i < 60; ++i) {
    if (i % 3 == 0) {
      EXPECT_EQ(results[i].status().code(), absl::StatusCode::kAlreadyExists) << i;
      EXPECT_EQ(store->GetRoutingDecision(absl::StrCat("d-b", i)).status().code(),
                absl::StatusCode::kNotFound);
    } else {
      ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status();
      sequences.push_back(results[i]->queue_sequence);
    }
  }
  EXPECT_GT(store->stats().largest_batch, 1) << "the submissions were not batched";
  // The failed jobs took no sequence and no audit record: no gaps.
  std::sort(sequences.begin(), sequences.end());
  ASSERT_EQ(sequences.size(), 40u);
  for (size_t i = 0; i < sequences.size(); ++i) {
    EXPECT_EQ(sequences[i], static_cast<int64_t>(i + 2));
  }
  absl::StatusOr<AuditVerification> v = store->VerifyAuditChain();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(v->intact()) << v->message;
  EXPECT_EQ(v->records_checked, 41);
  absl::StatusOr<std::vector<sprout::v1::QueueItem>> items =
      store->QueueItemsAfter("pcns/U12345", 0, 1000);
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(items->size(), 41u);
  // Nor did their episodes (written before the failing insert) stay.
  absl::StatusOr<std::unique_ptr<postgres::Connection>> db = schema_->Connect();
  ASSERT_TRUE(db.ok()) << db.status();
  absl::StatusOr<postgres::Result> episodes = (*db)->Run("SELECT COUNT(*) FROM episodes");
  ASSERT_TRUE(episodes.ok()) << episodes.status();
  EXPECT_EQ(episodes->Int(0, 0), 41);
  store->Shutdown();
}

TEST_F(PostgresStoreTest, AFullWriteQueueRefusesAtOnceAndStoresTheRest) {
  std::unique_ptr<PostgresStore> store = Open(/*max_queue_depth=*/2);
  ASSERT_NE(store, nullptr);
  std::vector<Submission> burst;
  for (int i = 0; i < 200; ++i) burst.push_back(MakeSubmission(Spec(absl::StrCat("f", i))));
  std::vector<absl::StatusOr<SubmitOutcome>> results = SubmitAll(*store, std::move(burst));
  int refused = 0;
  int stored = 0;
  for (int i = 0; i < 200; ++i) {
    if (results[i].ok()) {
      ++stored;
      EXPECT_TRUE(store->GetReferral(absl::StrCat("f", i)).ok());
    } else {
      EXPECT_EQ(results[i].status().code(), absl::StatusCode::kResourceExhausted)
          << results[i].status();
      EXPECT_EQ(store->GetReferral(absl::StrCat("f", i)).status().code(),
                absl::StatusCode::kNotFound);
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(stored, 0);
  EXPECT_EQ(store->stats().rejected_queue_full, refused);
  store->Shutdown();
}

}  // namespace
}  // namespace sprout::store::testing
