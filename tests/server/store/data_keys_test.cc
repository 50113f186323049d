// DataKeyRing: the key file's syntax, rotation and retirement, and the file's
// privacy. No test prints a key.
#include "server/store/data_keys.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kHexA(64, 'a');
const std::string kHexB(64, 'b');

TEST(DataKeyRingTest, TheLastLineIsTheWriteKeyAndCommentsAreSkipped) {
  absl::StatusOr<DataKeyRing> ring =
      DataKeyRing::Parse(absl::StrCat("# comment\n\nold ", kHexA, "\n  new\t", kHexB, "  \n"));
  ASSERT_TRUE(ring.ok()) << ring.status();
  ASSERT_EQ(ring->keys().size(), 2u);
  EXPECT_EQ(ring->write_key().id, "new");
  EXPECT_EQ(ring->write_key().secret, std::string(32, '\xbb'));
  ASSERT_NE(ring->Find("old"), nullptr);
  EXPECT_EQ(ring->Find("old")->secret, std::string(32, '\xaa'));
  EXPECT_EQ(ring->Find("other"), nullptr);
}

TEST(DataKeyRingTest, MalformedLinesAreNamedWithoutTheirKey) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {"", "holds no key"},
      {"# only a comment\n", "holds no key"},
      {absl::StrCat("k1 ", kHexA, " extra\n"), "line 1: expected"},
      {absl::StrCat("k1 ", kHexA, "\nk 1 ", kHexB, "\n"), "line 2: expected"},
      {absl::StrCat("bad/id ", kHexA, "\n"), "line 1: a key id is 1 to 16"},
      {absl::StrCat(std::string(17, 'k'), " ", kHexA, "\n"), "line 1: a key id is 1 to 16"},
      {absl::StrCat("k1 ", kHexA.substr(2), "\n"), "key 'k1' must be 64 hex digits"},
      {absl::StrCat("k1 ", std::string(64, 'g'), "\n"), "key 'k1' must be 64 hex digits"},
      {absl::StrCat("k1 ", kHexA, "\nk1 ", kHexB, "\n"), "line 2: key id 'k1' appears twice"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<DataKeyRing> ring = DataKeyRing::Parse(c.text);
    ASSERT_FALSE(ring.ok()) << c.expected;
    EXPECT_EQ(ring.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(ring.status().message(), HasSubstr(c.expected));
    EXPECT_THAT(ring.status().message(), Not(HasSubstr(kHexA)));
    EXPECT_THAT(ring.status().message(), Not(HasSubstr(kHexB)));
  }
}

TEST(DataKeyRingTest, RotationAddsANewRandomWriteKeyAndKeepsTheOld) {
  const DataKeyRing first = DataKeyRing::Generate();
  EXPECT_EQ(first.write_key().id, "k1");
  EXPECT_EQ(first.write_key().secret.size(), kDataKeyBytes);
  const DataKeyRing second = first.WithNewWriteKey();
  ASSERT_EQ(second.keys().size(), 2u);
  EXPECT_EQ(second.write_key().id, "k2");
  EXPECT_NE(second.write_key().secret, first.write_key().secret);
  ASSERT_NE(second.Find("k1"), nullptr);
  EXPECT_EQ(second.Find("k1")->secret, first.write_key().secret);
  EXPECT_EQ(second.WithNewWriteKey().write_key().id, "k3");
}

TEST(DataKeyRingTest, RetiringKeepsTheWriteKeyAndRefusesToDropIt) {
  const DataKeyRing ring = DataKeyRing::Generate().WithNewWriteKey();
  absl::StatusOr<DataKeyRing> without_old = ring.Without("k1");
  ASSERT_TRUE(without_old.ok()) << without_old.status();
  ASSERT_EQ(without_old->keys().size(), 1u);
  EXPECT_EQ(without_old->write_key().id, "k2");
  EXPECT_EQ(ring.Without("k2").status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ring.Without("k9").status().code(), absl::StatusCode::kNotFound);
}

TEST(DataKeyRingTest, AWrittenFileIsPrivateAndReadsBackTheSameRing) {
  testing::TempDir dir;
  const std::string path = dir.File("data.keys");
  const DataKeyRing ring = DataKeyRing::Generate().WithNewWriteKey();
  ASSERT_TRUE(ring.WriteFile(path, /*replace=*/false).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  absl::StatusOr<DataKeyRing> read = DataKeyRing::ReadFile("--data_key_file", path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->keys().size(), 2u);
  EXPECT_EQ(read->write_key().id, "k2");
  EXPECT_EQ(read->write_key().secret, ring.write_key().secret);
  EXPECT_EQ(read->Find("k1")->secret, ring.Find("k1")->secret);
  // `new` never overwrites keys that may be all that opens a database.
  EXPECT_EQ(DataKeyRing::Generate().WriteFile(path, /*replace=*/false).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(ring.WithNewWriteKey().WriteFile(path, /*replace=*/true).ok());
  EXPECT_EQ(DataKeyRing::ReadFile("--data_key_file", path)->write_key().id, "k3");
  EXPECT_FALSE(std::filesystem::exists(path + ".new"));
}

TEST(DataKeyRingTest, AFileOthersMayReadIsRefusedInOneLineNamingTheFlag) {
  testing::TempDir dir;
  const std::string path = dir.File("data.keys");
  std::ofstream(path) << "k1 " << kHexA << "\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write |
                                         std::filesystem::perms::group_read);
  absl::StatusOr<DataKeyRing> read = DataKeyRing::ReadFile("--data_key_file", path);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(read.status().message(), HasSubstr("--data_key_file"));
  EXPECT_THAT(read.status().message(), HasSubstr("chmod 600"));
  EXPECT_THAT(read.status().message(), Not(HasSubstr("\n")));
  EXPECT_THAT(read.status().message(), Not(HasSubstr(kHexA)));
}

TEST(DataKeyRingTest, AMalformedFileNamesTheFlagPathAndLine) {
  testing::TempDir dir;
  const std::string path = dir.File("data.keys");
  std::ofstream(path) << "k1 " << kHexA << "\nk2 short\n";
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  absl::StatusOr<DataKeyRing> read = DataKeyRing::ReadFile("--data_key_file", path);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("--data_key_file: " + path + ": line 2"));
  absl::StatusOr<DataKeyRing> missing = DataKeyRing::ReadFile("--data_key_file", dir.File("none"));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("sprout-keys new"));
}

}  // namespace
}  // namespace sprout::store
