// Private files and folders are created 0600 and 0700 whatever the umask,
// existing ones are left alone, and a key file others may read is refused
// in one line naming the flag and the fix.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "base/private_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sprout {
namespace {

using ::testing::HasSubstr;

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class PrivateFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/private_files_unit";
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    old_umask_ = ::umask(022);  // the usual, which would make 0644 files
  }
  void TearDown() override { ::umask(old_umask_); }

  std::string dir_;
  mode_t old_umask_ = 0;
};

TEST_F(PrivateFilesTest, FoldersAreCreated0700WithTheirParents) {
  ASSERT_TRUE(CreatePrivateFolders(dir_ + "/a/b").ok());
  EXPECT_EQ(ModeOf(dir_ + "/a"), 0700u);
  EXPECT_EQ(ModeOf(dir_ + "/a/b"), 0700u);
  // An existing folder is left as it is.
  ::chmod(dir_.c_str(), 0750);
  ASSERT_TRUE(CreatePrivateFolders(dir_).ok());
  EXPECT_EQ(ModeOf(dir_), 0750u);
  EXPECT_TRUE(CreatePrivateFolders("").ok());
}

TEST_F(PrivateFilesTest, FilesAreCreated0600AndExistingOnesLeftAlone) {
  const std::string file = dir_ + "/db";
  ASSERT_TRUE(CreatePrivateFile(file).ok());
  EXPECT_EQ(ModeOf(file), 0600u);
  EXPECT_FALSE(OpenToOthers(file));

  std::ofstream(dir_ + "/kept") << "content";
  ::chmod((dir_ + "/kept").c_str(), 0640);
  ASSERT_TRUE(CreatePrivateFile(dir_ + "/kept").ok());
  EXPECT_EQ(ModeOf(dir_ + "/kept"), 0640u);
  std::string mode;
  EXPECT_TRUE(OpenToOthers(dir_ + "/kept", &mode));
  EXPECT_EQ(mode, "0640");

  EXPECT_FALSE(CreatePrivateFile(dir_ + "/no/such/folder/file").ok());
  EXPECT_FALSE(OpenToOthers(dir_ + "/missing"));
}

TEST_F(PrivateFilesTest, AKeyFileOthersMayReadIsRefusedNamingTheFix) {
  const std::string key = dir_ + "/key";
  std::ofstream(key) << "secret";
  ::chmod(key.c_str(), 0600);
  EXPECT_TRUE(CheckKeyFilePrivate("--key_file", key).ok());
  ::chmod(key.c_str(), 0644);
  const absl::Status refused = CheckKeyFilePrivate("--key_file", key);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("--key_file"));
  EXPECT_THAT(refused.message(), HasSubstr("0644"));
  EXPECT_THAT(refused.message(), HasSubstr("chmod 600 " + key));
  EXPECT_EQ(std::string(refused.message()).find('\n'), std::string::npos) << "one line";
  // A missing key file is for the reader to report.
  EXPECT_TRUE(CheckKeyFilePrivate("--key_file", dir_ + "/missing").ok());
}

}  // namespace
}  // namespace sprout
