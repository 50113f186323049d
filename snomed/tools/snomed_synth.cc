// snomed-synth: writes a synthetic RF2 release at UK-Monolith scale.
//
//   snomed-synth --out /tmp/synth --scale 1.0 [--seed N]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "snomed/synthetic_release.h"

int main(int argc, char** argv) {
  sprout::snomed::SyntheticReleaseOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        fprintf(stderr, "snomed-synth: %s needs a value\n", arg.c_str());
        exit(2);
      }
      return argv[++i];
    };
    if (arg == "--out")
      options.out_dir = value();
    else if (arg == "--scale")
      options.scale = atof(value());
    else if (arg == "--seed")
      options.seed = strtoull(value(), nullptr, 10);
    else {
      fprintf(stderr, "usage: snomed-synth --out DIR [--scale 1.0] [--seed N]\n");
      return 2;
    }
  }
  if (options.out_dir.empty() || options.scale <= 0) {
    fprintf(stderr, "usage: snomed-synth --out DIR [--scale 1.0] [--seed N]\n");
    return 2;
  }
  absl::StatusOr<sprout::snomed::SyntheticReleaseStats> stats =
      sprout::snomed::WriteSyntheticRelease(options);
  if (!stats.ok()) {
    fprintf(stderr, "snomed-synth: %s\n", std::string(stats.status().message()).c_str());
    return 1;
  }
  printf(
      "release %s\nconcepts %llu (active %llu)\ndescriptions %llu\nrelationships %llu\n"
      "language rows %llu\nbytes %llu\n",
      stats->release_dir.c_str(), static_cast<unsigned long long>(stats->concepts),
      static_cast<unsigned long long>(stats->active_concepts),
      static_cast<unsigned long long>(stats->descriptions),
      static_cast<unsigned long long>(stats->relationships),
      static_cast<unsigned long long>(stats->language_rows),
      static_cast<unsigned long long>(stats->bytes));
  return 0;
}
