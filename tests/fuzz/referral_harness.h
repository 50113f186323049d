// The body of the referral fuzz target, shared with the regression test that
// replays the corpus and past crashes in ordinary builds
// (tests/server/intake/fuzz_regression_test.cc).
//
// RunReferralInput() parses `data` as a serialized sprout.v1.Referral and, as
// text, as its protobuf JSON form; each referral that parses goes through
// ReferralIntake::Process() against the starter release and the demo code
// maps. It aborts if Process() breaks its contract: a result without the
// service code or with a coded reason missing, or an error that is not
// INVALID_ARGUMENT with a non-empty BadRequest and an ErrorInfo.
#ifndef SPROUT_TESTS_FUZZ_REFERRAL_HARNESS_H_
#define SPROUT_TESTS_FUZZ_REFERRAL_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace sprout::intake::fuzz {

// Loads the starter release and demo code maps from `source_dir` (the
// repository root). Returns false with a message in *error on failure. Call
// once before RunReferralInput.
bool InitReferralHarness(const std::string& source_dir, std::string* error);

// REQUIRES: InitReferralHarness() succeeded.
void RunReferralInput(const uint8_t* data, size_t size);

}  // namespace sprout::intake::fuzz

#endif  // SPROUT_TESTS_FUZZ_REFERRAL_HARNESS_H_
