// The bundled starter SNOMED CT release and the demo code maps, loaded once
// per test binary (tests run with the repository root as working directory).
#ifndef SPROUT_TESTS_SERVER_INTAKE_STARTER_H_
#define SPROUT_TESTS_SERVER_INTAKE_STARTER_H_

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/intake/bindings.h"
#include "server/intake/code_maps.h"
#include "server/intake/intake.h"
#include "server/intake/lexicons.h"
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

// Loads `T` from `dir` (under the repository root) against the starter
// release once per test binary; null (with the error in *error) on failure.
template <typename T>
std::shared_ptr<const T> DemoConfig(const char* dir, std::string* error) {
  std::shared_ptr<const snomed::Terminology> t = StarterRelease(error);
  if (t == nullptr) return nullptr;
  static const auto* loaded =
      new absl::StatusOr<std::shared_ptr<const T>>(T::LoadDirectory(RepoPath(dir), *t));
  if (!loaded->ok()) {
    if (error != nullptr) *error = std::string(loaded->status().message());
    return nullptr;
  }
  return **loaded;
}

// The demo code maps in deploy/demo/codemaps, validated against the starter.
inline std::shared_ptr<const CodeMaps> DemoCodeMaps(std::string* error = nullptr) {
  return DemoConfig<CodeMaps>("deploy/demo/codemaps", error);
}

// The demo phrase lexicons in deploy/demo/lexicons, validated against the
// starter.
inline std::shared_ptr<const PhraseLexicons> DemoLexicons(std::string* error = nullptr) {
  return DemoConfig<PhraseLexicons>("deploy/demo/lexicons", error);
}

// Coder options as sproutd builds them from the demo configuration: the
// bindings of deploy/demo/bindings.textproto and the demo lexicons. Empty
// `*error` on success.
inline CoderOptions DemoCoderOptions(std::string* error) {
  IntakeOptions options;
  std::shared_ptr<const snomed::Terminology> t = StarterRelease(error);
  if (t == nullptr) return options.coder;
  absl::StatusOr<Bindings> bindings = LoadBindings(RepoPath("deploy/demo/bindings.textproto"), *t);
  if (!bindings.ok()) {
    *error = std::string(bindings.status().message());
    return options.coder;
  }
  ApplyBindings(*bindings, &options);
  options.coder.lexicons = DemoLexicons(error);
  return options.coder;
}

}  // namespace sprout::intake::testing

#endif  // SPROUT_TESTS_SERVER_INTAKE_STARTER_H_
