// File: server/intake/text_normaliser.h
//
// How the free-text coder reads words: the same normalisation is applied to
// a referrer's text, to the release's descriptions and to lexicon phrases, so
// they compare word for word.
//
//   NormalisedText t = Normalise("Financial problems - not coping");
//   // t.words   = {"financial", "problems", "not", "coping"}
//   // t.content = {"financi", "problem" (light), "cope"}
//   // t.context = {kNegated, "not"}
//
// Steps, in order:
//  1. words: ASCII letters and digits, lower-cased; an apostrophe inside a
//     word is dropped ("isn't" -> "isnt"); every other byte separates words
//     (bytes >= 0x80 are kept as letters, so UTF-8 text is not split);
//  2. spelling: American spellings become British ("behavior" -> "behaviour",
//     "-ize"/"-ization" -> "-ise"/"-isation" for words over five letters);
//  3. context: negation, history and someone-else cues (text_context.h);
//  4. content words: stop words and cue words dropped, the rest stemmed with
//     the Snowball English stemmer (libstemmer), then the few word forms
//     Snowball does not join mapped together ("loneliness" and "lonely",
//     "finances" and "financial", "anxious" and "anxiety"); duplicates dropped.
// Pure functions of their input; thread-safe (one stemmer per thread).
#ifndef SPROUT_SERVER_INTAKE_TEXT_NORMALISER_H_
#define SPROUT_SERVER_INTAKE_TEXT_NORMALISER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "server/intake/text_context.h"

namespace sprout::intake {

// How much a content word tells about the need.
enum class WordKind {
  kNormal,
  // A word that tells little beside the others ("feeling", "struggling",
  // "worried", "can't", "at home", "victim"): weighs 0.25 wherever it is,
  // and a term need not have it to cover a text.
  kFiller,
  // A generic head noun: "problem" ("issue", "difficulty", "trouble" and
  // "concern" are read as it) and "relative" (any relative but a spouse). In
  // a text it weighs 0.25 and need not be matched ("money problems" is
  // covered by the phrase "money"); in a term it weighs 1, because there it
  // carries meaning ("now housed" is not "Housing problems", "carer" alone
  // is not "Cares for a relative").
  kHead,
};

// One content word after normalisation.
struct ContentWord {
  std::string stem;
  WordKind kind = WordKind::kNormal;

  // Its weight in the text being coded, and in a term compared with it.
  double text_weight() const { return kind == WordKind::kNormal ? 1.0 : 0.25; }
  double term_weight() const { return kind == WordKind::kFiller ? 0.25 : 1.0; }
  // Whether a term must have it to cover a text.
  bool must_match() const { return kind == WordKind::kNormal; }
  bool operator==(const ContentWord& o) const { return stem == o.stem; }
};

// A text as the matcher compares it.
struct NormalisedText {
  std::vector<std::string> words;    // steps 1-2, in order
  std::vector<ContentWord> content;  // step 4, in order of first appearance
  // The content words after "with" that are not fillers: they qualify what
  // comes before ("carer for wife with dementia"), so a term named inside
  // the text must have them.
  std::vector<std::string> qualifiers;
  TextContext context;  // step 3

  // Whether `stem` is one of the content words.
  bool Has(absl::string_view stem) const;
};

// Words()
//
// Steps 1 and 2: the lower-cased words of `text` in British spelling.
std::vector<std::string> Words(absl::string_view text);

// Stem()
//
// Step 4 for one word already through steps 1-2: its canonical stem
// ("problems" -> "problem", "loneliness" -> "lone").
std::string Stem(absl::string_view word);

// IsStopWord()
//
// Function words and fillers that never identify a need ("the", "has",
// "patient", "needs", "help", "support", ...).
bool IsStopWord(absl::string_view word);

// Normalise()
//
// All four steps.
NormalisedText Normalise(absl::string_view text);

// WordOverlap()
//
// The score of `term` against `text` (both normalised): the weight of the
// words they share over the weight of the words in either, a shared or
// term-only word weighing its term_weight() and a text-only word its
// text_weight(). 1 when they have the same words; 0 when their contexts
// differ or they share no word. (The matcher's score, free_text.h.)
double WordOverlap(const NormalisedText& text, const NormalisedText& term);

// Covers()
//
// Whether every content word of `text` that must match (kNormal) is a
// content word of `term`.
bool Covers(const NormalisedText& text, const NormalisedText& term);

// Within()
//
// Whether `term` is named inside `text`: the same context, and every content
// word of `term` (but "feeling") is a content word of `text`.
bool Within(const NormalisedText& term, const NormalisedText& text);

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_TEXT_NORMALISER_H_
