// File: tests/repo_path.h
//
// The one way tests find files in the repository (the demo directory, the
// starter release, code maps): relative to $SPROUT_SOURCE_DIR, which CTest
// sets, else to the working directory (tests run from the repository root).
#ifndef SPROUT_TESTS_REPO_PATH_H_
#define SPROUT_TESTS_REPO_PATH_H_

#include <cstdlib>
#include <string>

namespace sprout::testing {

// "deploy/demo/directory" -> "$SPROUT_SOURCE_DIR/deploy/demo/directory".
inline std::string RepoPath(const std::string& relative) {
  const char* root = std::getenv("SPROUT_SOURCE_DIR");
  return root == nullptr ? relative : std::string(root) + "/" + relative;
}

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_REPO_PATH_H_
