// File: tests/server/store/store_conformance.h
//
// The behaviour every Store backend must show. A backend's test binary
// compiles store_conformance.cc and instantiates the suite with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(StoreBackend{"sqlite", OpenInDir}),
//                            StoreBackendName);
#ifndef SPROUT_TESTS_SERVER_STORE_STORE_CONFORMANCE_H_
#define SPROUT_TESTS_SERVER_STORE_STORE_CONFORMANCE_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "server/lifecycle/lifecycle.h"
#include "server/store/store.h"
#include "tests/server/store/store_test_util.h"

namespace sprout::store::testing {

struct StoreBackend {
  using Opener = std::function<absl::StatusOr<std::unique_ptr<Store>>(
      const std::string& dir, std::shared_ptr<BodyCipher> cipher)>;
  StoreBackend(std::string name, Opener open, std::string skip_reason = "")
      : name(std::move(name)), open(std::move(open)), skip_reason(std::move(skip_reason)) {}

  std::string name;
  // Opens a new, empty store keeping its files (if any) under `dir`, sealing
  // bodies with `cipher`.
  Opener open;
  // When not empty, every test is skipped with this message (e.g. the
  // backend's server is not configured).
  std::string skip_reason;
};

// Keeps gtest from printing the factory's bytes.
inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }

inline std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Submits and expects success.
  SubmitOutcome MustSubmit(const SubmissionSpec& spec);

  // Reads the referral and its queue item, plans `step` with the lifecycle
  // component and commits it, as a handler does
  // (store_conformance_transitions.cc).
  absl::StatusOr<UpdateOutcome> Take(const std::string& referral_id, const lifecycle::Step& step,
                                     const std::string& request_id = "");

  TempDir dir_;
  // The store's cipher: tests rotate its keys (store_conformance_encryption.cc).
  std::shared_ptr<BodyCipher> cipher_ = TestBodyCipher();
  std::unique_ptr<Store> store_;
};

// Lifecycle steps the suites take (store_conformance_transitions.cc).
auth::Principal LinkWorker(const std::string& id);  // of PCN U12345
lifecycle::Step StepOf(lifecycle::Transition t, const auth::Principal& actor, absl::Time now);
lifecycle::Step ContactStep(const auth::Principal& actor, absl::Time now);

}  // namespace sprout::store::testing

#endif  // SPROUT_TESTS_SERVER_STORE_STORE_CONFORMANCE_H_
