// File: snomed/synthetic_release.h
//
// A synthetic RF2 Snapshot release at UK-Monolith scale, for the scale test
// and the benchmark (the licensed release cannot be shipped). At scale 1.0:
// about 830k concepts (4% inactive), 1.66M descriptions, 3M inferred
// relationship rows (IS-A with multiple parents, attribute groups, 10%
// inactive rows), 1.66M GB language refset rows, history for the inactive
// concepts and a few simple refsets. The top-level hierarchy concepts use
// their real ids (DOMAIN.md §2.7); every other id is generated in the
// unallocated namespace 9999999 and passes Verhoeff. Deterministic per seed.
#ifndef SPROUT_SNOMED_SYNTHETIC_RELEASE_H_
#define SPROUT_SNOMED_SYNTHETIC_RELEASE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace sprout::snomed {

struct SyntheticReleaseOptions {
  // Folder to create; the release folder is written inside it. Required.
  std::string out_dir;
  // 1.0 = UK-Monolith size; 0.05 for a quick test. Default 1.0.
  double scale = 1.0;
  // Seed of the deterministic generator. Default 20260101.
  uint64_t seed = 20260101;
};

struct SyntheticReleaseStats {
  std::string release_dir;  // the folder to pass to Terminology::Load
  uint64_t concepts = 0;
  uint64_t active_concepts = 0;
  uint64_t descriptions = 0;
  uint64_t relationships = 0;  // rows written (active and inactive)
  uint64_t language_rows = 0;
  uint64_t bytes = 0;
};

// WriteSyntheticRelease()
//
// Writes the release; returns what was written, or an error if a file
// cannot be written.
absl::StatusOr<SyntheticReleaseStats> WriteSyntheticRelease(const SyntheticReleaseOptions& options);

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_SYNTHETIC_RELEASE_H_
