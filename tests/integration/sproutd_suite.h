// A test suite sharing one real sproutd: started once for the suite in a
// fresh folder (the database must not remember earlier runs), checked to exit
// cleanly when the suite ends. Derive with the suite's own type so each suite
// has its own server:
//
//   class QueueWatchTest : public testing::SproutdSuite<QueueWatchTest> {
//    protected:
//     static void SetUpTestSuite() { StartServer("queue_watch"); }
//   };
#ifndef SPROUT_TESTS_INTEGRATION_SPROUTD_SUITE_H_
#define SPROUT_TESTS_INTEGRATION_SPROUTD_SUITE_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/sproutd_process.h"

namespace sprout::testing {

// A client context whose deadline is `seconds` from now.
inline std::unique_ptr<grpc::ClientContext> ContextWithDeadline(int seconds = 30) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return context;
}

template <typename Suite>
class SproutdSuite : public ::testing::Test {
 protected:
  // Starts the suite's server in TempDir()/`folder` (emptied first) with
  // `extra_flags`. Call from the suite's SetUpTestSuite; on failure the
  // suite's tests fail in SetUp.
  static void StartServer(const std::string& folder,
                          const std::vector<std::string>& extra_flags = {}) {
    const std::string dir = ::testing::TempDir() + "/" + folder;
    std::filesystem::remove_all(dir);
    absl::StatusOr<std::unique_ptr<SproutdProcess>> started =
        SproutdProcess::Start(dir, extra_flags);
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = started->release();
  }

  static void TearDownTestSuite() {
    if (server_ != nullptr) {
      EXPECT_EQ(server_->Stop(), 0) << "sproutd did not exit cleanly";
    }
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(server_, nullptr) << "the suite's sproutd did not start"; }

  static std::unique_ptr<grpc::ClientContext> Context() { return ContextWithDeadline(); }

  static inline SproutdProcess* server_ = nullptr;
};

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_INTEGRATION_SPROUTD_SUITE_H_
