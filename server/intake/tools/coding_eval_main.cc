// sprout-coding-eval: how well the free-text coder codes agency phrases.
//
//   sprout-coding-eval --phrases=tests/coding/phrases.tsv,tests/coding/heldout.tsv
//   sprout-coding-eval --synthetic_scale=0.1     # the same with a large synthetic
//                                                # release loaded beside the starter
//
// Loads the release, bindings, code maps and lexicons as sproutd does, codes
// every phrase as free text from its agency, and prints per file: phrases,
// right (coded to exactly the right concepts), recall, precision, flagged
// share and silent wrong (coded to a concept that is not right, nobody
// asked). Lists every silent wrong phrase, and with --show_missed every
// phrase with a right concept that was not coded to it. Exit status 1 when a
// file has more silent wrong phrases than --max_silent_wrong (default 0) or a
// recall below --min_recall (default 0), 2 for a usage or load error.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/read_file.h"
#include "server/intake/bindings.h"
#include "server/intake/code_maps.h"
#include "server/intake/coder.h"
#include "server/intake/coding_eval.h"
#include "server/intake/intake.h"
#include "server/intake/lexicons.h"
#include "snomed/synthetic_release.h"
#include "snomed/terminology.h"

ABSL_FLAG(std::vector<std::string>, phrases, {"tests/coding/phrases.tsv"},
          "labelled phrase files (agency, text, expected), comma-separated");
ABSL_FLAG(std::vector<std::string>, snomed_release, {"snomed/data/starter"},
          "SNOMED CT release folders, comma-separated");
ABSL_FLAG(double, synthetic_scale, 0,
          "also load a synthetic release of this size (1.0 = UK Monolith) beside the release");
ABSL_FLAG(std::string, bindings, "deploy/demo/bindings.textproto", "coding bindings file");
ABSL_FLAG(std::string, codemaps, "deploy/demo/codemaps", "agency local code maps folder");
ABSL_FLAG(std::string, lexicons, "deploy/demo/lexicons", "agency phrase lexicons folder");
ABSL_FLAG(int, max_silent_wrong, 0, "fail when a file has more silent wrong phrases than this");
ABSL_FLAG(double, min_recall, 0, "fail when a file's recall is below this (0 to 1)");
ABSL_FLAG(bool, show_missed, false, "also list phrases with a right concept not coded to it");

namespace sprout::intake {
namespace {

int Fail(absl::string_view what) {
  std::fprintf(stderr, "sprout-coding-eval: %.*s\n", static_cast<int>(what.size()), what.data());
  return 2;
}

std::string Concepts(const ReasonCoder& coder, const std::vector<uint64_t>& ids) {
  if (ids.empty()) return "nothing";
  std::vector<std::string> out;
  for (uint64_t id : ids) {
    out.push_back(absl::StrCat(id, " |", coder.Concept(id).display(), "|"));
  }
  return absl::StrJoin(out, ", ");
}

int Run() {
  snomed::LoadOptions load;
  load.release_dirs = absl::GetFlag(FLAGS_snomed_release);
  std::string synthetic_dir;
  if (absl::GetFlag(FLAGS_synthetic_scale) > 0) {
    synthetic_dir =
        (std::filesystem::temp_directory_path() / absl::StrCat("sprout-coding-eval-", getpid()))
            .string();
    snomed::SyntheticReleaseOptions synth;
    synth.out_dir = synthetic_dir;
    synth.scale = absl::GetFlag(FLAGS_synthetic_scale);
    absl::StatusOr<snomed::SyntheticReleaseStats> written = snomed::WriteSyntheticRelease(synth);
    if (!written.ok()) return Fail(written.status().ToString());
    load.release_dirs.push_back(written->release_dir);
  }
  const absl::Time t0 = absl::Now();
  absl::StatusOr<std::shared_ptr<const snomed::Terminology>> terminology =
      snomed::Terminology::Load(load);
  if (!synthetic_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(synthetic_dir, ec);
  }
  if (!terminology.ok())
    return Fail(absl::StrCat("SNOMED release: ", terminology.status().message()));
  std::printf("release: %s, %zu concepts, loaded in %.1f s\n", ReleaseLabel(**terminology).c_str(),
              (*terminology)->concept_count(), absl::ToDoubleSeconds(absl::Now() - t0));

  absl::StatusOr<Bindings> bindings = LoadBindings(absl::GetFlag(FLAGS_bindings), **terminology);
  if (!bindings.ok()) return Fail(absl::StrCat("bindings: ", bindings.status().message()));
  absl::StatusOr<std::shared_ptr<const CodeMaps>> maps =
      CodeMaps::LoadDirectory(absl::GetFlag(FLAGS_codemaps), **terminology);
  if (!maps.ok()) return Fail(absl::StrCat("code maps: ", maps.status().message()));
  absl::StatusOr<std::shared_ptr<const PhraseLexicons>> lexicons =
      PhraseLexicons::LoadDirectory(absl::GetFlag(FLAGS_lexicons), **terminology);
  if (!lexicons.ok()) return Fail(absl::StrCat("lexicons: ", lexicons.status().message()));
  IntakeOptions options;
  ApplyBindings(*bindings, &options);
  options.coder.lexicons = *lexicons;
  absl::StatusOr<std::unique_ptr<ReasonCoder>> coder =
      ReasonCoder::Create(*terminology, *maps, options.coder);
  if (!coder.ok()) return Fail(absl::StrCat("coder: ", coder.status().message()));
  std::vector<std::string> lexicon_labels;
  for (const PhraseLexicons::Lexicon* l : (*lexicons)->all()) {
    lexicon_labels.push_back(absl::StrCat(l->label(), " (", l->phrases.size(), ")"));
  }
  std::printf("lexicons: %s\n\n",
              lexicon_labels.empty() ? "none" : absl::StrJoin(lexicon_labels, ", ").c_str());

  bool failed = false;
  std::printf("%-28s %8s %8s %8s %8s %10s %9s %13s %10s\n", "file", "phrases", "with", "right",
              "recall", "precision", "flagged", "silent wrong", "us/phrase");
  std::vector<std::string> details;
  for (const std::string& path : absl::GetFlag(FLAGS_phrases)) {
    absl::StatusOr<std::string> tsv = ReadFileToString(path);
    if (!tsv.ok()) return Fail(tsv.status().ToString());
    absl::StatusOr<std::vector<LabelledPhrase>> phrases = ParseLabelledPhrases(*tsv, path);
    if (!phrases.ok()) return Fail(phrases.status().message());
    for (const LabelledPhrase& p : *phrases) {
      for (uint64_t id : p.expected) {
        if (!(*terminology)->IsActive(id)) {
          return Fail(
              absl::StrCat(p.origin, ": expected concept ", id, " is not active in the release"));
        }
      }
    }
    const absl::Time start = absl::Now();
    CodingEvaluation e = EvaluateCoding(**coder, *phrases);
    const double us =
        absl::ToDoubleMicroseconds(absl::Now() - start) / std::max<size_t>(1, e.phrases());
    std::printf("%-28s %8zu %8zu %8zu %7.1f%% %9.1f%% %8.1f%% %13zu %10.0f\n",
                std::filesystem::path(path).filename().c_str(), e.phrases(), e.with_concepts(),
                e.right(), 100 * e.recall(), 100 * e.precision(), 100 * e.flagged_share(),
                e.silent_wrong(), us);
    for (const PhraseResult& r : e.results) {
      if (r.silent_wrong) {
        details.push_back(absl::StrCat("SILENT WRONG ", r.phrase->origin, " \"", r.phrase->text,
                                       "\": coded ", Concepts(**coder, r.coded),
                                       "; right: ", Concepts(**coder, r.phrase->expected)));
      } else if (absl::GetFlag(FLAGS_show_missed) && !r.phrase->expected.empty() && !r.right) {
        details.push_back(absl::StrCat("missed ", r.phrase->origin, " \"", r.phrase->text,
                                       "\": coded ", Concepts(**coder, r.coded),
                                       "; right: ", Concepts(**coder, r.phrase->expected)));
      }
    }
    if (static_cast<int>(e.silent_wrong()) > absl::GetFlag(FLAGS_max_silent_wrong) ||
        e.recall() < absl::GetFlag(FLAGS_min_recall)) {
      failed = true;
    }
  }
  if (!details.empty()) std::printf("\n%s\n", absl::StrJoin(details, "\n").c_str());
  if (failed) {
    std::printf("\nFAILED: more than %d silent wrong, or recall below %.1f%%\n",
                absl::GetFlag(FLAGS_max_silent_wrong), 100 * absl::GetFlag(FLAGS_min_recall));
  }
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace sprout::intake

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "how well the free-text coder codes labelled agency phrases\n"
      "  sprout-coding-eval --phrases=tests/coding/phrases.tsv --min_recall=0.95");
  absl::ParseCommandLine(argc, argv);
  return sprout::intake::Run();
}
