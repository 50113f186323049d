// File: server/intake/text_context.h
//
// What a piece of text says about the need it names, and where one need
// ends and the next begins. A finding named in a negated ("not lonely any
// more", "no longer homeless"), historical ("history of low mood") or
// someone-else ("son is unemployed") context must never be coded as the
// person's current finding; the matcher compares only texts in the same
// context (a description such as "Not feeling lonely" is itself negated).
//
//   TextContext c = DetectContext(Words("no longer homeless"));  // kNegated, "no longer"
//   std::vector<absl::string_view> needs = SplitNeeds("rent arrears and worried about money");
//   // {"rent arrears", "worried about money"}
//
// The cue lists are deliberately small and documented below: a cue missed
// makes a text look affirmed, so the coder also requires every word of the
// text to be matched before it codes (coder.h), and a cue word left over
// ("resolved") then blocks the code.
#ifndef SPROUT_SERVER_INTAKE_TEXT_CONTEXT_H_
#define SPROUT_SERVER_INTAKE_TEXT_CONTEXT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace sprout::intake {

enum class ContextKind {
  kAffirmed,     // the person has it now (no cue found)
  kNegated,      // not, no, nil, never, without, denies, no longer, any more, resolved, ...
  kHistorical,   // history of, hx, previously, used to, formerly, was, were, years ago, ...
  kSomeoneElse,  // a relative as the subject: "wife is", "son has", "family history"
};

struct TextContext {
  ContextKind kind = ContextKind::kAffirmed;
  // The cue found, as written ("no longer"); empty when affirmed.
  std::string cue;

  bool operator==(const TextContext& o) const { return kind == o.kind; }
};

// ContextName()
//
// "" for kAffirmed, else "negated", "historical" or "someone else".
absl::string_view ContextName(ContextKind kind);

// DetectContext()
//
// The context of `words` (lower-cased, as Words() gives them). A history
// cue wins over a someone-else cue, which wins over a negation ("no history
// of" is historical: it is not coded either way); `cue` is the first cue of
// the winning kind. Someone-else: a relative ("wife", "son", "mum", ...)
// followed directly by "is", "has", "was", "had" or "are", or "family
// history" (which is historical too, and reported as someone else).
TextContext DetectContext(const std::vector<std::string>& words);

// IsCueWord()
//
// Whether `word` is part of a cue (so not a content word): "not", "no",
// "never", "longer", "history", "previously", ...
bool IsCueWord(absl::string_view word);

// SplitNeeds()
//
// `text` cut where one need ends and another begins: at , ; . & + ( ), at /
// but not inside a two-letter abbreviation ("h/o", "c/o"),
// line breaks, a colon followed by a space and a dash between spaces, and at the words "and",
// "but", "also", "plus", "as well as" and "since". Pieces are trimmed; empty pieces are dropped. A
// text with no separator gives one piece, the whole text trimmed.
std::vector<absl::string_view> SplitNeeds(absl::string_view text);

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_TEXT_CONTEXT_H_
