// File: server/intake/coding_eval.h
//
// Measuring the free-text coder against a labelled set of agency phrases
// (tests/coding/*.tsv): which phrases it codes right, which it flags for
// review, and — the figure that must stay zero — which it codes wrongly
// without asking anyone. Used by the sprout-coding-eval tool and its test.
//
//   SPROUT_ASSIGN_OR_RETURN(std::vector<LabelledPhrase> phrases,
//                           ParseLabelledPhrases(tsv, "tests/coding/phrases.tsv"));
//   CodingEvaluation e = EvaluateCoding(coder, phrases);
//   if (e.silent_wrong() > 0) ...
//
// The file: one phrase per line, three tab-separated columns
//   agency <TAB> text <TAB> expected
// where agency is a referrer kind (gp, pharmacy, police, fire, housing,
// job_centre, local_authority, hospital_discharge, mental_health,
// community_health, vcse, self, or any AgencyName), and expected is the
// SCTIDs a careful link worker would code the text to, one per need and
// separated by spaces, or "flag" when nothing may be coded automatically.
// Lines starting with '#' and blank lines are skipped.
#ifndef SPROUT_SERVER_INTAKE_CODING_EVAL_H_
#define SPROUT_SERVER_INTAKE_CODING_EVAL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/intake/coder.h"
#include "sprout/v1/common.pb.h"

namespace sprout::intake {

struct LabelledPhrase {
  std::string origin;  // "<file>:<line>"
  sprout::v1::SourceType agency = sprout::v1::SOURCE_TYPE_UNSPECIFIED;
  std::string text;
  std::vector<uint64_t> expected;  // sorted; empty: must be flagged
};

// ParseLabelledPhrases()
//
// INVALID_ARGUMENT "<origin>:<line>: <what>" for a line without three
// columns, an unknown agency, an empty text, or an expected value that is
// neither "flag" nor valid concept SCTIDs.
absl::StatusOr<std::vector<LabelledPhrase>> ParseLabelledPhrases(absl::string_view tsv,
                                                                 absl::string_view origin);

// How one phrase was coded.
struct PhraseResult {
  const LabelledPhrase* phrase = nullptr;
  std::vector<uint64_t> coded;  // sorted, distinct
  bool flagged = false;         // some reason went to review
  // Some coded concept is not expected (for a "flag" phrase: any).
  bool silent_wrong = false;
  // Exactly the expected concepts were coded (phrases with concepts only).
  bool right = false;
};

struct CodingEvaluation {
  std::vector<PhraseResult> results;

  size_t phrases() const { return results.size(); }
  // Phrases with a right concept, and with "flag".
  size_t with_concepts() const;
  size_t flag_phrases() const { return phrases() - with_concepts(); }
  // Phrases with a right concept coded to exactly those concepts.
  size_t right() const;
  // Phrases where some concept was coded that is not right.
  size_t silent_wrong() const;
  // Phrases where some reason went to review.
  size_t flagged() const;
  // right() / with_concepts(): the share of phrases with a right concept
  // coded to it.
  double recall() const;
  // Coded concepts that were right / all coded concepts (1 when none).
  double precision() const;
  // flagged() / phrases().
  double flagged_share() const;
};

// EvaluateCoding()
//
// Codes every phrase as free text from its agency and compares.
CodingEvaluation EvaluateCoding(const ReasonCoder& coder,
                                const std::vector<LabelledPhrase>& phrases);

// AgencyFromName()
//
// The referrer kind a phrase file names ("housing" or "housing_provider");
// SOURCE_TYPE_UNSPECIFIED if none.
sprout::v1::SourceType AgencyFromName(absl::string_view name);

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_CODING_EVAL_H_
