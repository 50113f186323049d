// The bundled starter SNOMED CT release and the demo code maps, loaded once
// per test binary (tests run with the repository root as working directory).
#ifndef SPROUT_TESTS_SERVER_INTAKE_STARTER_H_
#define SPROUT_TESTS_SERVER_INTAKE_STARTER_H_

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/intake/code_maps.h"
#include "snomed/terminology.h"
#include "tests/repo_path.h"

namespace sprout::intake::testing {

using ::sprout::testing::RepoPath;

// The starter release, or null (with the load error in *error) if it fails.
inline std::shared_ptr<const snomed::Terminology> StarterRelease(std::string* error = nullptr) {
  static const auto* loaded = [] {
    snomed::LoadOptions options;
    options.release_dirs = {RepoPath("snomed/data/starter")};
    return new absl::StatusOr<std::shared_ptr<const snomed::Terminology>>(
        snomed::Terminology::Load(options));
  }();
  if (!loaded->ok()) {
    if (error != nullptr) *error = std::string(loaded->status().message());
    return nullptr;
  }
  return **loaded;
}

// The demo code maps in deploy/demo/codemaps, validated against the starter.
inline std::shared_ptr<const CodeMaps> DemoCodeMaps(std::string* error = nullptr) {
  std::shared_ptr<const snomed::Terminology> t = StarterRelease(error);
  if (t == nullptr) return nullptr;
  static const auto* loaded = new absl::StatusOr<std::shared_ptr<const CodeMaps>>(
      CodeMaps::LoadDirectory(RepoPath("deploy/demo/codemaps"), *t));
  if (!loaded->ok()) {
    if (error != nullptr) *error = std::string(loaded->status().message());
    return nullptr;
  }
  return **loaded;
}

}  // namespace sprout::intake::testing

#endif  // SPROUT_TESTS_SERVER_INTAKE_STARTER_H_
