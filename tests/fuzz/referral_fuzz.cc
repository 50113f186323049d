// libFuzzer target: arbitrary bytes through parse (binary and JSON) +
// validate + code. Built only with -DSPROUT_FUZZ=ON and clang; see
// tests/fuzz/CMakeLists.txt. The repository root comes from SPROUT_SOURCE_DIR
// (default: the working directory).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "google/protobuf/stubs/logging.h"
#include "tests/fuzz/referral_harness.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // Invalid UTF-8 in string fields makes the parser log one line per input.
  google::protobuf::SetLogHandler(nullptr);
  const char* root = std::getenv("SPROUT_SOURCE_DIR");
  std::string error;
  if (!sprout::intake::fuzz::InitReferralHarness(root != nullptr ? root : ".", &error)) {
    std::fprintf(stderr, "referral_fuzz: %s\n", error.c_str());
    std::exit(1);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sprout::intake::fuzz::RunReferralInput(data, size);
  return 0;
}
