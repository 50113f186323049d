#include "server/routing/directory.h"

#include <memory>
#include <thread>

#include "gtest/gtest.h"
#include "server/routing/directory_holder.h"
#include "server/routing/directory_loader.h"
#include "tests/server/routing/fake_concepts.h"
#include "tests/server/routing/test_directory.h"

namespace sprout::routing {
namespace {

using ::sprout::routing::testing::FakeConceptCompiler;
using ::sprout::routing::testing::SmallSources;

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = BuildDirectory(SmallSources(), compiler_);
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *std::move(dir);
  }
  std::string PcnOn(absl::string_view practice, absl::CivilDay day) {
    const Pcn* pcn = dir_->PcnForPractice(practice, day);
    return pcn == nullptr ? "none" : pcn->code;
  }
  FakeConceptCompiler compiler_;
  std::shared_ptr<const Directory> dir_;
};

// A00002 was in Alpha until 2024-09-30 (inclusive) and in Beta from 2024-10-01.
TEST_F(DirectoryTest, PracticeThatMovesResolvesAsAtTheReferralDate) {
  struct Case {
    absl::CivilDay day;
    std::string pcn;
  };
  for (const Case& c :
       {Case{absl::CivilDay(2019, 6, 30), "none"}, Case{absl::CivilDay(2019, 7, 1), "U00001"},
        Case{absl::CivilDay(2024, 9, 29), "U00001"},
        Case{absl::CivilDay(2024, 9, 30), "U00001"},  // End date inclusive.
        Case{absl::CivilDay(2024, 10, 1), "U00002"}, Case{absl::CivilDay(2030, 1, 1), "U00002"}}) {
    EXPECT_EQ(PcnOn("A00002", c.day), c.pcn) << c.day;
  }
}

TEST_F(DirectoryTest, HistoryIsKeptInStartOrder) {
  const Practice* p = dir_->FindPractice("A00002");
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->history.size(), 2u);
  EXPECT_EQ(p->history[0].pcn_code, "U00001");
  EXPECT_EQ(*p->history[0].end, absl::CivilDay(2024, 9, 30));
  EXPECT_EQ(p->history[1].pcn_code, "U00002");
  EXPECT_FALSE(p->history[1].end.has_value());
  EXPECT_EQ(p->history[1].source, "partners.csv:3");
}

TEST_F(DirectoryTest, EndedRelationshipAndUnknownPracticeHaveNoPcn) {
  EXPECT_EQ(PcnOn("C00004", absl::CivilDay(2023, 12, 31)), "U00003");
  EXPECT_EQ(PcnOn("C00004", absl::CivilDay(2024, 1, 1)), "none");
  EXPECT_EQ(PcnOn("Y12345", absl::CivilDay(2024, 1, 1)), "none");
}

TEST_F(DirectoryTest, PostcodeSectorWinsThenDistrictFallsBack) {
  struct Case {
    std::string postcode;
    std::string pcn;
    std::string key;
  };
  for (const Case& c : {Case{"AB1 2XY", "U00002", "AB1 2"}, Case{"AB1 3XY", "U00001", "AB1"},
                        Case{"AB2 9ZZ", "U00002", "AB2"}, Case{"AB3 1AA", "none", ""},
                        Case{"ZZ99 3VZ", "none", ""}, Case{"AB12XY", "none", ""}}) {
    const PostcodeMatch m = dir_->PcnForPostcode(c.postcode);
    EXPECT_EQ(m.pcn == nullptr ? "none" : m.pcn->code, c.pcn) << c.postcode;
    EXPECT_EQ(m.matched_key, c.key) << c.postcode;
  }
}

TEST_F(DirectoryTest, LinkWorkersInPcnAreSortedById) {
  const auto& workers = dir_->LinkWorkersInPcn("U00001");
  ASSERT_EQ(workers.size(), 3u);
  EXPECT_EQ(workers[0]->id, "lw-a1");
  EXPECT_EQ(workers[2]->id, "lw-a3");
  EXPECT_TRUE(dir_->LinkWorkersInPcn("U00003").empty());
  EXPECT_TRUE(dir_->LinkWorkersInPcn("U99999").empty());
}

TEST_F(DirectoryTest, CreateRejectsNonPositiveCapsBuiltInCode) {
  DirectoryContents contents;
  contents.icbs.push_back({"QA1", "ICB", ""});
  contents.sub_icb_locations.push_back({"01A", "S", "QA1", ""});
  contents.pcns.push_back({"U00001", "P", "01A", std::nullopt, std::nullopt, ""});
  LinkWorker w;
  w.id = "lw-1";
  w.pcn_code = "U00001";
  w.annual_cap = 0;
  w.open_cap = 10;
  contents.link_workers.push_back(w);
  auto dir = Directory::Create(contents);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().message(),
            "link worker 'lw-1' caseload caps must be positive (annual 0, open 10)");
}

TEST_F(DirectoryTest, HolderSwapsDirectoriesAndKeepsSnapshotsAlive) {
  DirectoryHolder holder(dir_);
  std::shared_ptr<const Directory> in_flight = holder.Get();
  EXPECT_EQ(holder.Replace(nullptr).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(holder.Get(), dir_);

  DirectorySources bigger = SmallSources();
  bigger.link_workers.content += "lw-b2,U00002,Beta 2,1.0,,,,en,,,\n";
  auto accepted = BuildDirectory(bigger, compiler_);
  ASSERT_TRUE(accepted.ok());
  ASSERT_TRUE(holder.Replace(*accepted).ok());
  EXPECT_EQ(holder.Get()->version(), (*accepted)->version());
  // The snapshot taken before the swap is unchanged and still usable.
  EXPECT_EQ(in_flight->version(), dir_->version());
  EXPECT_EQ(in_flight->FindLinkWorker("lw-b2"), nullptr);
}

TEST_F(DirectoryTest, ConcurrentReadersSeeWholeSnapshots) {
  DirectorySources bigger = SmallSources();
  bigger.link_workers.content += "lw-b2,U00002,Beta 2,1.0,,,,en,,,\n";
  auto next = BuildDirectory(bigger, compiler_);
  ASSERT_TRUE(next.ok());
  DirectoryHolder holder(dir_);
  std::thread reader([&] {
    for (int i = 0; i < 20000; ++i) {
      std::shared_ptr<const Directory> d = holder.Get();
      const size_t workers = d->LinkWorkersInPcn("U00002").size();
      ASSERT_EQ(workers, d->version() == dir_->version() ? 1u : 2u);
    }
  });
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(holder.Replace(i % 2 == 0 ? *next : dir_).ok());
  }
  reader.join();
}

}  // namespace
}  // namespace sprout::routing
