// Replays the fuzz seed corpus and every input that once crashed the referral
// fuzz target (tests/fuzz), in ordinary builds: each must go through parse +
// validate + code without breaking Process()'s contract (the harness aborts
// if it does). Add a crashing input found by the fuzzer to
// tests/server/intake/testdata/fuzz_regressions/ under a descriptive name.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fuzz/referral_harness.h"
#include "tests/server/intake/starter.h"

namespace sprout::intake {
namespace {

std::vector<std::filesystem::path> FilesIn(const std::string& relative) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(testing::RepoPath(relative), ec)) {
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') {
      out.push_back(entry.path());
    }
  }
  return out;
}

void Replay(const std::vector<std::filesystem::path>& files) {
  std::string error;
  ASSERT_TRUE(fuzz::InitReferralHarness(testing::RepoPath("."), &error)) << error;
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    std::ifstream in(path, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string data = bytes.str();
    fuzz::RunReferralInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
}

TEST(FuzzRegressionTest, SeedCorpusRunsCleanly) {
  std::vector<std::filesystem::path> files = FilesIn("tests/fuzz/corpus/referral");
  EXPECT_GE(files.size(), 6u);
  Replay(files);
}

TEST(FuzzRegressionTest, PastCrashesRunCleanly) {
  // The folder must exist (it holds a .gitkeep while empty): a renamed or
  // mistyped path would otherwise make this test pass without replaying anything.
  const std::string dir = "tests/server/intake/testdata/fuzz_regressions";
  ASSERT_TRUE(std::filesystem::is_directory(testing::RepoPath(dir))) << dir;
  Replay(FilesIn(dir));
}

TEST(FuzzRegressionTest, EdgeInputsRunCleanly) {
  std::string error;
  ASSERT_TRUE(fuzz::InitReferralHarness(testing::RepoPath("."), &error)) << error;
  for (const std::string& input :
       {std::string(), std::string("{}"), std::string("null"), std::string("\x42\x00", 2),
        std::string("{\"reasons\":[{}]}"), std::string(100000, '\xff'),
        std::string("{\"patient\":{\"birthDate\":{\"year\":-2147483648,\"month\":2147483647}}}"),
        std::string("{\"authoredTime\":\"9999-12-31T23:59:59Z\",\"priority\":7}")}) {
    fuzz::RunReferralInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  }
}

}  // namespace
}  // namespace sprout::intake
