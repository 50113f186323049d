#include "snomed/search.h"

#include <algorithm>
#include <string>

#include "absl/strings/match.h"
#include "snomed/build.h"

namespace sprout::snomed {
namespace {

absl::string_view WordAt(const TerminologyData& d, uint32_t w) {
  return absl::string_view(d.word_text.data() + d.word_offsets[w],
                           d.word_offsets[w + 1] - d.word_offsets[w]);
}

// The range [first, last) of vocabulary words starting with `prefix`.
std::pair<uint32_t, uint32_t> PrefixRange(const TerminologyData& d, absl::string_view prefix) {
  uint32_t n = d.word_offsets.empty() ? 0 : static_cast<uint32_t>(d.word_offsets.size() - 1);
  uint32_t lo = 0, hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (WordAt(d, mid) < prefix)
      lo = mid + 1;
    else
      hi = mid;
  }
  uint32_t first = lo;
  hi = n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (absl::StartsWith(WordAt(d, mid), prefix) || WordAt(d, mid) < prefix)
      lo = mid + 1;
    else
      hi = mid;
  }
  return {first, lo};
}

struct Candidate {
  uint32_t description;
  uint32_t concept;
  uint32_t length;
  bool exact;
  bool preferred;
};

}  // namespace

bool MatchesWordPrefixes(absl::string_view query, absl::string_view text) {
  std::vector<std::string> wanted, words;
  SplitWords(query, &wanted);
  SplitWords(text, &words);
  if (wanted.empty()) return false;
  for (const std::string& w : wanted) {
    const bool found = std::any_of(words.begin(), words.end(), [&](const std::string& word) {
      return absl::StartsWith(word, w);
    });
    if (!found) return false;
  }
  return true;
}

std::vector<SearchHit> Search(const Terminology& t, absl::string_view query,
                              const SearchOptions& options) {
  const TerminologyData& d = t.data();
  std::vector<std::string> words;
  SplitWords(query, &words);
  if (words.empty() || options.limit == 0) return {};
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());

  // Drive from the query word with the fewest postings; verify the others.
  size_t best = 0;
  uint64_t best_count = UINT64_MAX;
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
  for (size_t k = 0; k < words.size(); ++k) {
    auto r = PrefixRange(d, words[k]);
    ranges.push_back(r);
    uint64_t count =
        r.second > r.first ? d.postings.offsets[r.second] - d.postings.offsets[r.first] : 0;
    if (count < best_count) {
      best_count = count;
      best = k;
    }
  }
  if (best_count == 0) return {};
  std::vector<uint32_t> descs;
  descs.reserve(best_count);
  for (uint32_t w = ranges[best].first; w < ranges[best].second; ++w) {
    for (uint32_t x : d.postings.Row(w)) descs.push_back(x);
  }
  if (ranges[best].second - ranges[best].first > 1) {
    std::sort(descs.begin(), descs.end());
    descs.erase(std::unique(descs.begin(), descs.end()), descs.end());
  }

  std::vector<uint32_t> allowed;
  if (options.constraint != nullptr) allowed = options.constraint->EvaluateIndexes(t);
  const std::vector<uint32_t>* given = options.allowed_concepts;

  std::vector<std::string> term_words;
  std::vector<Candidate> cands;
  for (uint32_t i : descs) {
    const DescriptionRecord& r = d.descriptions[i];
    uint32_t c = r.concept;
    if (!options.include_inactive && !t.ActiveAt(c)) continue;
    if (options.constraint != nullptr && !std::binary_search(allowed.begin(), allowed.end(), c)) {
      continue;
    }
    if (given != nullptr && !std::binary_search(given->begin(), given->end(), c)) continue;
    term_words.clear();
    SplitWords(t.TermAt(i), &term_words);
    bool all = true;
    for (size_t k = 0; k < words.size() && all; ++k) {
      if (k == best) continue;
      bool found = false;
      for (const std::string& w : term_words) {
        if (absl::StartsWith(w, words[k])) {
          found = true;
          break;
        }
      }
      all = found;
    }
    if (!all) continue;
    std::vector<std::string> sorted_terms = term_words;
    std::sort(sorted_terms.begin(), sorted_terms.end());
    sorted_terms.erase(std::unique(sorted_terms.begin(), sorted_terms.end()), sorted_terms.end());
    bool exact = sorted_terms == words;
    cands.push_back(Candidate{i, c, r.term_length, exact, d.preferred_term[c] == i});
  }
  auto better = [](const Candidate& a, const Candidate& b) {
    if (a.exact != b.exact) return a.exact;
    if (a.preferred != b.preferred) return a.preferred;
    if (a.length != b.length) return a.length < b.length;
    if (a.concept != b.concept) return a.concept < b.concept;
    return a.description < b.description;
  };
  std::sort(cands.begin(), cands.end(), better);
  std::vector<SearchHit> hits;
  std::vector<uint32_t> seen;
  for (const Candidate& k : cands) {
    if (std::find(seen.begin(), seen.end(), k.concept) != seen.end()) continue;
    seen.push_back(k.concept);
    uint32_t pt = d.preferred_term[k.concept];
    hits.push_back(SearchHit{
        t.IdAt(k.concept), d.descriptions[k.description].id, t.TermAt(k.description),
        pt == kNoIndex ? absl::string_view() : t.TermAt(pt), k.exact, t.ActiveAt(k.concept)});
    if (hits.size() >= options.limit) break;
  }
  return hits;
}

}  // namespace sprout::snomed
