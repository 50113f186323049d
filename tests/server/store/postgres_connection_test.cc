// The PostgreSQL backend's pieces that need no server: SQLSTATE mapping,
// reconnection back-off, and connection strings described without secrets.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/postgres/pg_connection.h"
#include "server/store/postgres/pg_pool.h"

namespace sprout::store::postgres {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(CodeFromSqlStateTest, MapsClassesToCanonicalCodes) {
  EXPECT_EQ(CodeFromSqlState("23505"), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeFromSqlState("22021"), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeFromSqlState("53100"), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(CodeFromSqlState("08006"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeFromSqlState("57P01"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeFromSqlState("40001"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeFromSqlState("40P01"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeFromSqlState("55P03"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeFromSqlState("23503"), absl::StatusCode::kInternal);  // foreign key: a bug
  EXPECT_EQ(CodeFromSqlState("42P01"), absl::StatusCode::kInternal);
}

TEST(BackoffTest, DoublesFromTheFirstDelayUpToTheMaximumAndResets) {
  Backoff backoff(absl::Milliseconds(50), absl::Seconds(2));
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_TRUE(backoff.Ready(t0));
  std::vector<absl::Duration> waits;
  for (int i = 0; i < 8; ++i) {
    backoff.Failed(t0);
    waits.push_back(backoff.next_attempt() - t0);
  }
  EXPECT_THAT(waits, ::testing::ElementsAre(absl::Milliseconds(50), absl::Milliseconds(100),
                                            absl::Milliseconds(200), absl::Milliseconds(400),
                                            absl::Milliseconds(800), absl::Milliseconds(1600),
                                            absl::Seconds(2), absl::Seconds(2)));
  EXPECT_FALSE(backoff.Ready(t0 + absl::Seconds(1)));
  EXPECT_TRUE(backoff.Ready(t0 + absl::Seconds(2)));
  backoff.Succeeded();
  EXPECT_TRUE(backoff.Ready(t0));
  backoff.Failed(t0);
  EXPECT_EQ(backoff.next_attempt() - t0, absl::Milliseconds(50));
}

TEST(DescribeConnInfoTest, NamesTheDatabaseButNeverThePassword) {
  const std::string keywords =
      DescribeConnInfo("host=db.internal port=6432 dbname=sprout user=sprout password=hunter2");
  EXPECT_EQ(keywords, "PostgreSQL database sprout on db.internal:6432");
  const std::string uri = DescribeConnInfo("postgresql://sprout:hunter2@db.internal/sprout");
  EXPECT_EQ(uri, "PostgreSQL database sprout on db.internal");
  EXPECT_THAT(DescribeConnInfo("not a = valid 'string"), Not(HasSubstr("valid")));
}

TEST(ParamsTest, KeepsBinaryBytesIntact) {
  const std::string bytes("a\0b\xff", 4);
  Params p;
  p.Text("x").Int(-42).Bytes(bytes).Null();
  EXPECT_EQ(p.size(), 4);
  EXPECT_EQ(p.lengths()[2], 4);
  EXPECT_EQ(p.formats()[2], 1);  // binary
  EXPECT_EQ(p.formats()[1], 0);  // text
}

}  // namespace
}  // namespace sprout::store::postgres
