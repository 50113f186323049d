// File: server/intake/free_text.h
//
// Finding candidate SNOMED CT concepts for one need written as free text.
// FreeTextMatcher is the seam: the coder (coder.h) asks it for scored
// candidates and decides itself whether one is confident enough to code.
// The default, WordOverlapMatcher, compares normalised words
// (text_normaliser.h) with:
//  - every active description acceptable or preferred in en-GB of the
//    concepts the release's word index finds for the text's words, and
//  - every phrase of the referrer's agency lexicon and the common lexicon.
//
//   WordOverlapMatcher matcher;
//   std::vector<TextCandidate> c =
//       matcher.Match(*t, *lexicons, "housing_provider", Normalise("rent arrears"), binding, 5);
//
// Score of a term against the text: the weighted overlap of their content
// words, sum(weight of shared words) / sum(weight of words in either), where
// a generic head word ("problem", "feeling") weighs 0.25 and any other 1:
// "financial problems" and "Financial problem" score 1, "lonely" and
// "Feeling lonely" 0.8, "lack of exercise" and "Lack of physical exercise"
// 0.67. A term in another context than the text (text_context.h) is never a
// candidate: "lonely" never offers "Not feeling lonely".
#ifndef SPROUT_SERVER_INTAKE_FREE_TEXT_H_
#define SPROUT_SERVER_INTAKE_FREE_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/intake/lexicons.h"
#include "server/intake/text_normaliser.h"
#include "snomed/ecl.h"
#include "snomed/terminology.h"

namespace sprout::intake {

// One candidate concept for a piece of free text: its best-scoring term.
struct TextCandidate {
  uint64_t concept_id = 0;
  // 0 to 1, as above; 1 when the term has the text's words exactly.
  double score = 0;
  // Every content word of the text that must match is a word of the term
  // (Covers).
  bool covers_text = false;
  // The term is named inside the text (Within).
  bool within_text = false;
  // The term is a one-word lexicon phrase that names its need alone
  // (LexiconPhrase.names_need_alone).
  bool names_need_alone = false;
  // The term's content words but "feeling", as stems.
  std::vector<std::string> term_words;
  // The description term or lexicon phrase that scored best.
  std::string term;
  // The lexicon ("police@2026-12") when `term` is a lexicon phrase; empty
  // for a description of the release.
  std::string lexicon;
  // Why, in words fit for a reviewer (no text from the referral).
  std::string why;
};

// Finds candidate concepts for free text. Implementations are immutable and
// thread-safe.
class FreeTextMatcher {
 public:
  virtual ~FreeTextMatcher() = default;

  // Match()
  //
  // Up to `limit` distinct active concepts satisfying `binding` with a term
  // scoring above 0 against `text`, best first: by score, then a text the
  // term covers before one it does not, then a description before a lexicon
  // phrase, then by concept id. `agency` selects the lexicons
  // (PhraseLexicons::For). Empty when nothing matches or `text` has no
  // content words.
  virtual std::vector<TextCandidate> Match(const snomed::Terminology& terminology,
                                           const PhraseLexicons& lexicons, absl::string_view agency,
                                           const NormalisedText& text, const snomed::Ecl& binding,
                                           size_t limit) const = 0;
};

// The default matcher. Candidate concepts come from the release's word index
// (snomed::Search): one search for all the text's words together and one per
// word that must match (the first 6), each by the word's stem as a prefix;
// then every en-GB description of each concept found is scored. Lexicon
// phrases are scored directly.
class WordOverlapMatcher final : public FreeTextMatcher {
 public:
  // FreeTextMatcher
  std::vector<TextCandidate> Match(const snomed::Terminology& terminology,
                                   const PhraseLexicons& lexicons, absl::string_view agency,
                                   const NormalisedText& text, const snomed::Ecl& binding,
                                   size_t limit) const override;
};

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_FREE_TEXT_H_
