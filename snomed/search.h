// File: snomed/search.h
//
// Ranked word-prefix search over the active descriptions of a Terminology:
// every word of the query must be the prefix of some word of a description
// ("soc iso" finds "Social isolation"). Case-insensitive for ASCII letters.
//
//   SearchOptions options;
//   options.limit = 10;
//   options.constraint = &reason_binding;   // an Ecl, e.g. << 404684003
//   std::vector<SearchHit> hits = Search(*terminology, "lonel", options);
//
// Ranking, best first: an exact match of the whole term before a prefix
// match; the concept's preferred term (en-GB) before other synonyms and FSNs;
// shorter terms before longer; then ascending concept id. Each concept appears
// once, with its best-ranked description. Thread-safe.
#ifndef SPROUT_SNOMED_SEARCH_H_
#define SPROUT_SNOMED_SEARCH_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "snomed/ecl.h"
#include "snomed/terminology.h"

namespace sprout::snomed {

struct SearchOptions {
  // Maximum number of concepts returned. Default 20.
  size_t limit = 20;
  // Only concepts matching this expression (not owned; may be null),
  // evaluated without limits: for expressions the deployment configured.
  // Default: none.
  const Ecl* constraint = nullptr;
  // Only these concepts: sorted concept indexes (not owned; may be null), e.g.
  // a request's expression evaluated with Ecl::EvaluateIndexesBounded.
  // Default: none.
  const std::vector<uint32_t>* allowed_concepts = nullptr;
  // Also return inactive concepts (by their active descriptions). Default false.
  bool include_inactive = false;
};

struct SearchHit {
  uint64_t concept_id;
  uint64_t description_id;
  absl::string_view term;            // the matching description; valid while the Terminology lives
  absl::string_view preferred_term;  // en-GB; empty if none
  bool exact;   // the term has exactly the query's words (ignoring case, punctuation, order)
  bool active;  // the concept is active
};

// MatchesWordPrefixes()
//
// Whether every word of `query` is the prefix of some word of `text`, by the
// same rules as Search() (so other term lists, such as an agency's local
// code displays, match as the release's descriptions do). False for a query
// with no words.
bool MatchesWordPrefixes(absl::string_view query, absl::string_view text);

// Search()
//
// Returns up to options.limit hits, ranked as above. An empty or
// punctuation-only query returns no hits.
std::vector<SearchHit> Search(const Terminology& t, absl::string_view query,
                              const SearchOptions& options = {});

}  // namespace sprout::snomed

#endif  // SPROUT_SNOMED_SEARCH_H_
