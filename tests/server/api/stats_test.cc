// GetStats over a SQLite store holding known submissions: counts by PCN,
// source type and reason with display names, load against capacity per PCN
// and link worker, and the filter.
#include "server/api/stats.h"

#include <cstdlib>
#include <map>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/common/errors.h"
#include "server/routing/directory_loader.h"
#include "server/store/sqlite/sqlite_store.h"
#include "snomed/terminology.h"
#include "tests/repo_path.h"
#include "tests/server/routing/fake_concepts.h"
#include "tests/server/routing/test_directory.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::api {
namespace {

using store::testing::Spec;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using ::sprout::testing::RepoPath;

constexpr uint64_t kLonely = 267076002;
constexpr uint64_t kHousing = 81877007;
const absl::Time kT0 = absl::FromUnixSeconds(1767225600);  // 2026-01-01T00:00:00Z
const absl::Time kNow = kT0 + absl::Hours(24 * 60);

// "key=count" for each row, in order.
std::vector<std::string> Rows(
    const google::protobuf::RepeatedPtrField<sprout::v1::StatsRow>& rows) {
  std::vector<std::string> out;
  for (const sprout::v1::StatsRow& r : rows) out.push_back(absl::StrCat(r.key(), "=", r.count()));
  return out;
}

class StatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto directory = routing::BuildDirectory(routing::testing::SmallSources(), compiler_);
    ASSERT_TRUE(directory.ok()) << directory.status();
    directory_ = *directory;
    snomed::LoadOptions load;
    load.release_dirs = {RepoPath("snomed/data/starter")};
    auto terminology = snomed::Terminology::Load(load);
    ASSERT_TRUE(terminology.ok()) << terminology.status();
    terminology_ = *terminology;
    store::SqliteStoreOptions options;
    options.cipher = ::sprout::store::testing::TestBodyCipher();
    options.path = temp_.File("sprout.db");
    auto store = store::OpenSqliteStore(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);

    // Alpha (U00001): lw-a1 has one accepted and one waiting referral.
    Submit(Spec("a1").Queue("pcns/U00001/linkWorkers/lw-a1").State(3).Reasons({kLonely}),
           "pcns/U00001");
    Submit(Spec("a2")
               .Queue("pcns/U00001/linkWorkers/lw-a1")
               .SourceType(3)
               .Reasons({kLonely, kHousing}),
           "pcns/U00001");
    // Beta (U00002): one waiting for lw-b1.
    Submit(Spec("b1").Queue("pcns/U00002/linkWorkers/lw-b1").SourceType(3).Reasons({kLonely}),
           "pcns/U00002");
    // Triage, two hours later.
    Submit(Spec("t1")
               .Queue("triageQueues/01B")
               .Outcome(3)
               .SourceType(3)
               .Reasons({kHousing})
               .Time(kT0 + absl::Hours(2)),
           "");
  }

  void TearDown() override {
    if (store_ != nullptr) store_->Shutdown();
  }

  void Submit(const store::testing::SubmissionSpec& spec, const std::string& pcn) {
    store::Submission s = store::testing::MakeSubmission(spec);
    s.referral.mutable_route()->set_pcn(pcn);
    s.decision.mutable_route()->set_pcn(pcn);
    absl::StatusOr<store::SubmitOutcome> outcome = store_->Submit(std::move(s));
    ASSERT_TRUE(outcome.ok()) << outcome.status();
  }

  absl::StatusOr<sprout::v1::Stats> Stats(absl::string_view filter) {
    absl::StatusOr<store::RoutingLogQuery> query = ParseStatsFilter(filter);
    if (!query.ok()) return query.status();
    return ComputeStats(*query, *store_, *directory_, *terminology_, kNow,
                        lifecycle::OverduePolicy{});
  }

  routing::testing::FakeConceptCompiler compiler_;
  store::testing::TempDir temp_;
  std::shared_ptr<const routing::Directory> directory_;
  std::shared_ptr<const snomed::Terminology> terminology_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(StatsTest, CountsByPcnSourceAndReasonWithDisplayNames) {
  absl::StatusOr<sprout::v1::Stats> stats = Stats("");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->total(), 4);
  // Largest first, then by PCN code (triage's is empty, so it sorts first).
  EXPECT_THAT(Rows(stats->by_pcn()), ElementsAre("pcns/U00001=2", "triage=1", "pcns/U00002=1"));
  EXPECT_EQ(stats->by_pcn(0).display(), "Alpha PCN");
  EXPECT_EQ(stats->by_pcn(2).display(), "Beta PCN");
  EXPECT_THAT(Rows(stats->by_source_type()),
              ElementsAre("SOURCE_TYPE_POLICE=3", "SOURCE_TYPE_GP_PRACTICE=1"));
  EXPECT_EQ(stats->by_source_type(0).display(), "SOURCE_TYPE_POLICE");
  EXPECT_THAT(Rows(stats->by_reason()), ElementsAre("267076002=3", "81877007=2"));
  EXPECT_EQ(stats->by_reason(0).display(), *terminology_->PreferredTerm(kLonely));
  EXPECT_EQ(stats->by_reason(1).display(), *terminology_->PreferredTerm(kHousing));
  EXPECT_FALSE(stats->by_reason(0).display().empty());
  EXPECT_EQ(stats->directory_version(), directory_->version());
}

TEST_F(StatsTest, LoadAgainstCapacityPerLinkWorkerAndPcn) {
  absl::StatusOr<sprout::v1::Stats> stats = Stats("");
  ASSERT_TRUE(stats.ok()) << stats.status();
  // Every link worker in the directory, by PCN then id.
  std::vector<std::string> names;
  for (const sprout::v1::LinkWorkerLoad& l : stats->link_workers())
    names.push_back(l.link_worker());
  EXPECT_THAT(names, ElementsAre("pcns/U00001/linkWorkers/lw-a1", "pcns/U00001/linkWorkers/lw-a2",
                                 "pcns/U00001/linkWorkers/lw-a3", "pcns/U00002/linkWorkers/lw-b1"));
  const sprout::v1::LinkWorkerLoad& a1 = stats->link_workers(0);
  EXPECT_EQ(a1.accepted_this_year(), 1);
  EXPECT_EQ(a1.annual_cap(), 250);  // 1.0 WTE
  EXPECT_EQ(a1.open_caseload(), 1);
  EXPECT_EQ(a1.open_cap(), 60);
  EXPECT_EQ(a1.waiting(), 2);
  EXPECT_TRUE(a1.available());
  const sprout::v1::LinkWorkerLoad& a2 = stats->link_workers(1);
  EXPECT_EQ(a2.accepted_this_year(), 0);
  EXPECT_EQ(a2.annual_cap(), 125);  // 0.5 WTE
  EXPECT_EQ(a2.waiting(), 0);

  ASSERT_EQ(stats->pcns_size(), 3);
  const sprout::v1::PcnLoad& alpha = stats->pcns(0);
  EXPECT_EQ(alpha.pcn(), "pcns/U00001");
  EXPECT_EQ(alpha.display(), "Alpha PCN");
  EXPECT_EQ(alpha.accepted_this_year(), 1);
  EXPECT_EQ(alpha.annual_cap(), 250 + 125 + 250);
  EXPECT_EQ(alpha.open_caseload(), 1);
  EXPECT_EQ(alpha.open_cap(), 60 + 30 + 60);
  EXPECT_EQ(alpha.waiting(), 2);
  EXPECT_EQ(alpha.link_worker_count(), 3);
  EXPECT_EQ(alpha.available_link_workers(), 3);
  EXPECT_EQ(stats->pcns(1).waiting(), 1);
  EXPECT_EQ(stats->pcns(2).pcn(), "pcns/U00003");  // Gamma: no link workers
  EXPECT_EQ(stats->pcns(2).annual_cap(), 0);
}

TEST_F(StatsTest, PcnFilterNarrowsCountsAndLoad) {
  for (absl::string_view filter : {"pcn = \"U00002\"", "pcn = \"pcns/U00002\""}) {
    absl::StatusOr<sprout::v1::Stats> stats = Stats(filter);
    ASSERT_TRUE(stats.ok()) << stats.status();
    EXPECT_EQ(stats->total(), 1) << filter;
    EXPECT_THAT(Rows(stats->by_pcn()), ElementsAre("pcns/U00002=1"));
    ASSERT_EQ(stats->pcns_size(), 1);
    EXPECT_EQ(stats->pcns(0).pcn(), "pcns/U00002");
    ASSERT_EQ(stats->link_workers_size(), 1);
    EXPECT_EQ(stats->link_workers(0).link_worker(), "pcns/U00002/linkWorkers/lw-b1");
  }
}

TEST_F(StatsTest, DecideTimeFilterNarrowsCounts) {
  absl::StatusOr<sprout::v1::Stats> later = Stats("decide_time >= \"2026-01-01T01:00:00Z\"");
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->total(), 1);
  EXPECT_THAT(Rows(later->by_pcn()), ElementsAre("triage=1"));
  absl::StatusOr<sprout::v1::Stats> earlier =
      Stats("decide_time < \"2026-01-01T01:00:00Z\" AND pcn = \"U00001\"");
  ASSERT_TRUE(earlier.ok()) << earlier.status();
  EXPECT_EQ(earlier->total(), 2);
}

TEST_F(StatsTest, UnsupportedFilterIsInvalidArgumentOnFilter) {
  absl::StatusOr<sprout::v1::Stats> stats = Stats("practice = \"A00001\"");
  ASSERT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<FieldViolation> violations = ViolationsOf(stats.status());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "filter");
  EXPECT_THAT(violations[0].description, HasSubstr("column 1"));
  EXPECT_THAT(violations[0].description, HasSubstr("pcn =, decide_time"));

  stats = Stats("decide_time >= \"yesterday\"");
  ASSERT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ViolationsOf(stats.status())[0].description, HasSubstr("RFC 3339"));
}

}  // namespace
}  // namespace sprout::api

namespace sprout::api {
namespace {

TEST_F(StatsTest, ItemsLeftUnclaimedPastTheirTimeAreCountedOverduePerPcn) {
  // Every item has waited since 1 January, 60 days before kNow.
  absl::StatusOr<sprout::v1::Stats> stats = Stats("");
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->overdue_items(), 4);  // triage's included
  std::map<std::string, int64_t> overdue;
  for (const sprout::v1::PcnLoad& pcn : stats->pcns()) overdue[pcn.pcn()] = pcn.overdue();
  EXPECT_EQ(overdue["pcns/U00001"], 2);
  EXPECT_EQ(overdue["pcns/U00002"], 1);
  absl::StatusOr<sprout::v1::Stats> alpha = Stats(R"(pcn = "U00001")");
  ASSERT_TRUE(alpha.ok()) << alpha.status();
  EXPECT_EQ(alpha->overdue_items(), 2);

  // 1 January 2026 is a Thursday: three working days on is Tuesday 6th.
  absl::StatusOr<store::RoutingLogQuery> all = ParseStatsFilter("");
  ASSERT_TRUE(all.ok());
  absl::StatusOr<sprout::v1::Stats> monday =
      ComputeStats(*all, *store_, *directory_, *terminology_, kT0 + absl::Hours(24 * 4),
                   lifecycle::OverduePolicy{});
  ASSERT_TRUE(monday.ok()) << monday.status();
  EXPECT_EQ(monday->overdue_items(), 0);
  lifecycle::OverduePolicy one_day;
  one_day.routine_working_days = 1;
  absl::StatusOr<sprout::v1::Stats> stricter =
      ComputeStats(*all, *store_, *directory_, *terminology_, kT0 + absl::Hours(24 * 4), one_day);
  ASSERT_TRUE(stricter.ok()) << stricter.status();
  EXPECT_EQ(stricter->overdue_items(), 4);
}

}  // namespace
}  // namespace sprout::api
