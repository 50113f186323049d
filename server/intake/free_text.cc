#include "server/intake/free_text.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "snomed/search.h"

namespace sprout::intake {
namespace {

constexpr absl::string_view kStopWords[] = {
    "and",  "are",   "been", "but",    "can",   "does",  "for",   "from",    "had",    "has",
    "have", "her",   "him",  "his",    "into",  "not",   "now",   "off",     "out",    "over",
    "she",  "since", "some", "than",   "that",  "the",   "their", "them",    "they",   "this",
    "very", "was",   "who",  "with",   "would", "you",   "your",  "patient", "person", "also",
    "lot",  "lots",  "much", "really", "quite", "about", "after", "because", "being",  "feels"};

// Suffixes trimmed by the stemmer, longest first.
constexpr absl::string_view kSuffixes[] = {"ation", "ness", "ing", "ous", "ity",
                                           "ed",    "es",   "ly",  "s"};

constexpr size_t kMaxWordSearches = 12;

bool IsStopWord(absl::string_view w) {
  for (absl::string_view s : kStopWords) {
    if (w == s) return true;
  }
  return false;
}

std::string Stem(std::string w) {
  for (absl::string_view suffix : kSuffixes) {
    if (w.size() >= suffix.size() + 4 && absl::EndsWith(w, suffix)) {
      w.resize(w.size() - suffix.size());
      break;
    }
  }
  return w;
}

}  // namespace

std::vector<std::string> ContentWords(absl::string_view text) {
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (current.size() >= 3 && !IsStopWord(current)) {
      std::string stem = Stem(current);
      if (std::find(words.begin(), words.end(), stem) == words.end()) words.push_back(stem);
    }
    current.clear();
  };
  for (char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      current.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  return words;
}

std::vector<TextCandidate> SearchFreeTextMatcher::Match(const snomed::Terminology& terminology,
                                                        absl::string_view text,
                                                        const snomed::Ecl& binding,
                                                        size_t limit) const {
  std::vector<TextCandidate> out;
  if (limit == 0) return out;
  // The binding is tested per hit (a few subsumption checks) rather than
  // passed to Search as a constraint, which would expand the whole binding
  // (most of a real release) on every call. Over-fetch to leave room for the
  // hits it removes.
  snomed::SearchOptions options;
  options.limit = std::max<size_t>(limit * 4, 20);
  std::vector<snomed::SearchHit> hits;
  for (const snomed::SearchHit& h : snomed::Search(terminology, text, options)) {
    if (binding.Matches(terminology, h.concept_id)) hits.push_back(h);
  }
  if (hits.size() > limit) hits.resize(limit);
  if (!hits.empty()) {
    for (const snomed::SearchHit& h : hits) out.push_back(TextCandidate{h.concept_id, h.exact});
    // Search ranks exact matches first already; keep that order stable.
    std::stable_sort(out.begin(), out.end(), [](const TextCandidate& a, const TextCandidate& b) {
      return a.exact && !b.exact;
    });
    return out;
  }
  // No description has every word: score concepts by how many content words they match.
  struct Score {
    int words = 0;
    size_t best_rank = SIZE_MAX;
  };
  absl::flat_hash_map<uint64_t, Score> scores;
  options.limit = 50;
  std::vector<std::string> words = ContentWords(text);
  // Bounds the work a long text can cause: one search per word.
  if (words.size() > kMaxWordSearches) words.resize(kMaxWordSearches);
  for (const std::string& word : words) {
    std::vector<snomed::SearchHit> word_hits = snomed::Search(terminology, word, options);
    size_t rank = 0;
    for (const snomed::SearchHit& hit : word_hits) {
      if (!binding.Matches(terminology, hit.concept_id)) continue;
      Score& s = scores[hit.concept_id];
      ++s.words;
      s.best_rank = std::min(s.best_rank, rank++);
    }
  }
  std::vector<std::pair<uint64_t, Score>> ranked(scores.begin(), scores.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return std::tie(b.second.words, a.second.best_rank, a.first) <
           std::tie(a.second.words, b.second.best_rank, b.first);
  });
  for (size_t i = 0; i < ranked.size() && i < limit; ++i) {
    out.push_back(TextCandidate{ranked[i].first, false});
  }
  return out;
}

}  // namespace sprout::intake
