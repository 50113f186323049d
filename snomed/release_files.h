// File: snomed/release_files.h
//
// How the loader reads a release: each file's bytes, memory-mapped (and
// dropped again once parsed, so resident memory stays about one chunk per
// thread) or given in memory, and the parallel loop that parses chunks.
// Internal to snomed/.
#ifndef SPROUT_SNOMED_RELEASE_FILES_H_
#define SPROUT_SNOMED_RELEASE_FILES_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout::snomed {

// The bytes of one file; unmapped/freed when destroyed.
class Content {
 public:
  virtual ~Content() = default;
  virtual absl::string_view data() const = 0;
  // Hints that [begin, end) is about to be read / is no longer needed.
  virtual void Prefetch(size_t begin, size_t end) const {}
  virtual void Drop(size_t begin, size_t end) const {}
};

// Bytes held elsewhere (LoadFromFiles), which must outlive the Content.
class ViewContent final : public Content {
 public:
  explicit ViewContent(absl::string_view v) : v_(v) {}
  absl::string_view data() const override { return v_; }

 private:
  absl::string_view v_;
};

// `path` mapped read-only. NOT_FOUND if it cannot be opened.
absl::StatusOr<std::unique_ptr<Content>> MapFile(const std::string& path);

// Runs fn(i) for i in [0, n) on up to `threads` threads, in index order of
// claim; returns the first error (by index) or OK.
absl::Status ParallelFor(size_t n, int threads, const std::function<absl::Status(size_t)>& fn);

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_RELEASE_FILES_H_
