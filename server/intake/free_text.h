// File: server/intake/free_text.h
//
// Matching a free-text reason for referral against SNOMED CT descriptions.
// FreeTextMatcher is the seam: the coder asks it for ranked candidates and
// decides itself whether one is confident. The default implementation,
// SearchFreeTextMatcher, uses the terminology's word-prefix search
// (snomed/search.h).
//
//   SearchFreeTextMatcher matcher;
//   std::vector<TextCandidate> c = matcher.Match(*t, "social isolation", binding, 5);
//   if (c.size() >= 1 && c[0].exact && (c.size() == 1 || !c[1].exact)) ...  // confident
#ifndef SPROUT_SERVER_INTAKE_FREE_TEXT_H_
#define SPROUT_SERVER_INTAKE_FREE_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "snomed/ecl.h"
#include "snomed/terminology.h"

namespace sprout::intake {

// One candidate concept for a piece of free text.
struct TextCandidate {
  uint64_t concept_id = 0;
  // True when a description of the concept equals the whole text (ignoring
  // case and punctuation).
  bool exact = false;
};

// Finds candidate concepts for free text. Implementations are immutable and
// thread-safe.
class FreeTextMatcher {
 public:
  virtual ~FreeTextMatcher() = default;

  // Match()
  //
  // Up to `limit` distinct active concepts satisfying `binding` whose
  // descriptions match `text`, best first. Exact matches come first. Empty
  // when nothing matches.
  virtual std::vector<TextCandidate> Match(const snomed::Terminology& terminology,
                                           absl::string_view text, const snomed::Ecl& binding,
                                           size_t limit) const = 0;
};

// The default matcher over snomed::Search:
//  1. the whole text as a word-prefix query ("soc iso" finds Social
//     isolation); if it finds anything, those hits in search order;
//  2. otherwise each content word on its own (stop words such as "the",
//     "with", "has" dropped; a common suffix trimmed so "isolated" finds
//     "isolation" and "feels" finds "feeling"), and concepts ranked by how
//     many words they matched, then by their best search rank, then by id
//     (only the first 12 content words are searched).
class SearchFreeTextMatcher final : public FreeTextMatcher {
 public:
  // FreeTextMatcher
  std::vector<TextCandidate> Match(const snomed::Terminology& terminology, absl::string_view text,
                                   const snomed::Ecl& binding, size_t limit) const override;
};

// ContentWords()
//
// The lower-cased words of `text` (ASCII letters and digits; other bytes
// separate words) that are not stop words and have at least 3 characters,
// each stemmed by trimming one common English suffix when at least 4
// characters remain. In order, without duplicates. Exposed for tests.
std::vector<std::string> ContentWords(absl::string_view text);

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_FREE_TEXT_H_
