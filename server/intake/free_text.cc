#include "server/intake/free_text.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "snomed/search.h"

namespace sprout::intake {
namespace {

// Bounds the searches one text causes.
constexpr size_t kMaxWordSearches = 6;
constexpr size_t kJointSearchLimit = 24;
constexpr size_t kWordSearchLimit = 16;

// The prefix to search the word index with for a stem: Snowball turns a
// final "y" into "i" ("anxieti"), which no description word starts with.
std::string SearchPrefix(absl::string_view stem) {
  if (stem.size() > 3 && stem.back() == 'i') stem.remove_suffix(1);
  return std::string(stem);
}

std::string Why(const NormalisedText& text, const NormalisedText& term, absl::string_view term_text,
                absl::string_view lexicon, double score) {
  std::string source = lexicon.empty()
                           ? absl::StrCat("the description '", term_text, "'")
                           : absl::StrCat("the lexicon phrase '", term_text, "' (", lexicon, ")");
  if (score >= 1.0) return absl::StrCat(source, " has the same words");
  size_t shared = 0;
  for (const ContentWord& w : text.content) shared += term.Has(w.stem) ? 1 : 0;
  return absl::StrCat(source, " has ", shared, " of the text's ", text.content.size(),
                      text.content.size() == 1 ? " word" : " words", " and ",
                      term.content.size() - shared, " other",
                      term.content.size() - shared == 1 ? "" : "s");
}

// Whether `a` ranks before `b` (see FreeTextMatcher::Match).
bool Before(const TextCandidate& a, const TextCandidate& b) {
  return std::make_tuple(-a.score, !a.covers_text, !a.within_text, !a.lexicon.empty(),
                         a.concept_id) < std::make_tuple(-b.score, !b.covers_text, !b.within_text,
                                                         !b.lexicon.empty(), b.concept_id);
}

}  // namespace

std::vector<TextCandidate> WordOverlapMatcher::Match(const snomed::Terminology& terminology,
                                                     const PhraseLexicons& lexicons,
                                                     absl::string_view agency,
                                                     const NormalisedText& text,
                                                     const snomed::Ecl& binding,
                                                     size_t limit) const {
  std::vector<TextCandidate> out;
  if (limit == 0 || text.content.empty()) return out;
  absl::flat_hash_map<uint64_t, TextCandidate> best;
  absl::flat_hash_map<uint64_t, bool> in_binding;
  auto allowed = [&](uint64_t id) {
    auto [it, inserted] = in_binding.try_emplace(id, false);
    if (inserted) it->second = terminology.IsActive(id) && binding.Matches(terminology, id);
    return it->second;
  };
  auto consider = [&](uint64_t id, const NormalisedText& term, absl::string_view term_text,
                      absl::string_view lexicon, bool names_need_alone) {
    const double score = WordOverlap(text, term);
    if (score <= 0 || !allowed(id)) return;
    TextCandidate c;
    c.concept_id = id;
    c.score = score;
    c.covers_text = Covers(text, term);
    c.within_text = Within(term, text);
    for (const ContentWord& w : term.content) {
      if (w.stem != "feel") c.term_words.push_back(w.stem);  // as Within() reads it
    }
    c.term = std::string(term_text);
    c.lexicon = std::string(lexicon);
    c.names_need_alone = names_need_alone;
    c.why = Why(text, term, term_text, lexicon, score);
    auto [it, inserted] = best.try_emplace(id, c);
    // A word that names its need alone, found in the text, is the concept's
    // reading unless a term the text covers, or another named inside it,
    // reads it better.
    const bool names_it = c.names_need_alone && c.within_text;
    const TextCandidate& kept = it->second;
    if (!inserted && (Before(c, kept) || (names_it && !kept.covers_text && !kept.within_text))) {
      it->second = std::move(c);
    }
  };

  for (const PhraseLexicons::Lexicon* lexicon : lexicons.For(agency)) {
    for (const PhraseLexicons::Phrase& phrase : lexicon->phrases) {
      consider(phrase.concept_id, phrase.normalised, phrase.text, lexicon->label(),
               phrase.names_need_alone);
    }
  }

  // Concepts with a description sharing a word with the text.
  absl::flat_hash_set<uint64_t> concepts;
  std::vector<std::string> prefixes;
  for (const ContentWord& w : text.content) prefixes.push_back(SearchPrefix(w.stem));
  snomed::SearchOptions options;
  options.limit = kJointSearchLimit;
  for (const snomed::SearchHit& hit :
       snomed::Search(terminology, absl::StrJoin(prefixes, " "), options)) {
    concepts.insert(hit.concept_id);
  }
  if (text.content.size() > 1) {
    options.limit = kWordSearchLimit;
    size_t searched = 0;
    for (size_t i = 0; i < text.content.size() && searched < kMaxWordSearches; ++i) {
      if (!text.content[i].must_match()) continue;
      ++searched;
      for (const snomed::SearchHit& hit : snomed::Search(terminology, prefixes[i], options)) {
        concepts.insert(hit.concept_id);
      }
    }
  }
  for (uint64_t id : concepts) {
    if (!allowed(id)) continue;
    for (absl::string_view term : terminology.Synonyms(id)) {
      consider(id, Normalise(term), term, "", false);
    }
  }

  out.reserve(best.size());
  for (auto& [id, c] : best) out.push_back(std::move(c));
  std::sort(out.begin(), out.end(), Before);
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace sprout::intake
