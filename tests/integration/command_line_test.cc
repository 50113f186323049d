// sproutd's command line through the real binary: --help lists every flag
// sproutd defines, and a log level it does not know stops start-up with one
// line instead of silently turning logging off; a port file it cannot
// write stops it too.
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/sproutd_process.h"

namespace sprout {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// The flag names defined in a source file by ABSL_FLAG(type, name, ...).
std::set<std::string> FlagsDefinedIn(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string source = text.str();
  std::set<std::string> names;
  const std::regex flag(R"(ABSL_FLAG\([^,]+,\s*([a-z_0-9]+),)");
  for (std::sregex_iterator it(source.begin(), source.end(), flag), end; it != end; ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

TEST(CommandLineTest, HelpListsEveryFlag) {
  const std::set<std::string> defined = FlagsDefinedIn(testing::SourceDir() + "/server/main.cc");
  ASSERT_GE(defined.size(), 20u);
  absl::StatusOr<testing::StartupFailure> run =
      testing::RunSproutdExpectingFailure(::testing::TempDir() + "/command_line_help", {"--help"});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_THAT(run->stdout_text, HasSubstr("the Sprout social prescribing referral service"));
  std::set<std::string> missing;
  for (const std::string& name : defined) {
    if (run->stdout_text.find("--" + name + " (") == std::string::npos) missing.insert(name);
  }
  EXPECT_THAT(missing, IsEmpty()) << run->stdout_text;
  EXPECT_THAT(run->stdout_text, Not(HasSubstr("No flags matched")));
}

TEST(CommandLineTest, AnUnknownLogLevelStopsStartUpWithOneLine) {
  absl::StatusOr<testing::StartupFailure> run = testing::RunSproutdExpectingFailure(
      ::testing::TempDir() + "/command_line_log_level", {"--log_level=verbose"});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->exit_code, 2);
  EXPECT_EQ(run->stderr_text,
            "sproutd: --log_level=verbose is not a level; use trace, debug, info, warn, error or "
            "off\n");
}

TEST(CommandLineTest, APortFileThatCannotBeWrittenStopsStartUp) {
  const std::string dir = ::testing::TempDir() + "/command_line_port_file";
  std::filesystem::remove_all(dir);  // nothing left from an earlier run
  absl::StatusOr<testing::StartupFailure> run =
      testing::RunSproutdExpectingFailure(dir, {"--port_file=" + dir + "/no/such/folder/port"});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->exit_code, 1);
  EXPECT_THAT(run->stderr_text, HasSubstr("sproutd: cannot write --port_file=" + dir +
                                          "/no/such/folder/port: No such file or directory\n"));
}

TEST(CommandLineTest, ABadMessageBackEndpointStopsStartUpNamingTheLine) {
  const std::string dir = ::testing::TempDir() + "/command_line_endpoints";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/endpoints.csv") << "# demo\nY99001,http://gp.example/in\n";
  absl::StatusOr<testing::StartupFailure> run = testing::RunSproutdExpectingFailure(
      dir, {"--message_back_endpoints=" + dir + "/endpoints.csv"});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->exit_code, 1);
  EXPECT_THAT(run->stderr_text,
              HasSubstr("sproutd: cannot start: --message_back_endpoints: " + dir +
                        "/endpoints.csv:2: \"http://gp.example/in\" is not an https:// URL "
                        "(outcome messages carry patient data)\n"));
}

}  // namespace
}  // namespace sprout
