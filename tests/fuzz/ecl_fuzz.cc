// libFuzzer target: arbitrary text through the ECL parser and, when it
// parses, the bounded evaluator over the starter release (set evaluation and
// single-concept matching, which must agree). Request content drives both,
// so no input may crash, recurse without bound or run past its cost limit.
// Built only with -DSPROUT_FUZZ=ON; see tests/fuzz/CMakeLists.txt.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "snomed/ecl.h"
#include "snomed/terminology.h"

namespace {

std::shared_ptr<const sprout::snomed::Terminology>* release = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  const char* root = std::getenv("SPROUT_SOURCE_DIR");
  sprout::snomed::LoadOptions options;
  options.release_dirs = {std::string(root != nullptr ? root : ".") + "/snomed/data/starter"};
  auto t = sprout::snomed::Terminology::Load(options);
  if (!t.ok()) {
    std::fprintf(stderr, "ecl_fuzz: %s\n", std::string(t.status().message()).c_str());
    std::exit(1);
  }
  release = new std::shared_ptr<const sprout::snomed::Terminology>(*t);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  sprout::snomed::EclLimits limits;
  limits.max_cost = 2'000'000;  // keeps each input fast; the limit itself is what is tested
  absl::StatusOr<sprout::snomed::Ecl> ecl = sprout::snomed::Ecl::Parse(text, limits);
  if (!ecl.ok()) return 0;
  const sprout::snomed::Terminology& t = **release;
  absl::StatusOr<std::vector<uint64_t>> ids = ecl->EvaluateBounded(t);
  if (!ids.ok()) return 0;
  // Matching one concept must agree with the expansion (when within budget).
  for (uint32_t i = 0; i < t.concept_count(); i += 7) {
    absl::StatusOr<bool> m = ecl->MatchesBounded(t, t.IdAt(i));
    if (!m.ok()) continue;
    if (*m != std::binary_search(ids->begin(), ids->end(), t.IdAt(i))) __builtin_trap();
  }
  return 0;
}
