#include "server/intake/text_normaliser.h"

#include <libstemmer.h>

#include <algorithm>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sprout::intake {
namespace {

// American spellings seen in referrals and in the release's US-flavoured
// terms, with their British forms. The -ize family is handled by rule.
const absl::flat_hash_map<absl::string_view, absl::string_view>& BritishSpellings() {
  static const auto* map = new absl::flat_hash_map<absl::string_view, absl::string_view>{
      {"behavior", "behaviour"},     {"behaviors", "behaviours"}, {"behavioral", "behavioural"},
      {"neighbor", "neighbour"},     {"neighbors", "neighbours"}, {"labor", "labour"},
      {"program", "programme"},      {"programs", "programmes"},  {"center", "centre"},
      {"centers", "centres"},        {"mold", "mould"},           {"moldy", "mouldy"},
      {"counseling", "counselling"}, {"counselor", "counsellor"}, {"anemia", "anaemia"},
      {"favor", "favour"},           {"color", "colour"},         {"gray", "grey"},
      {"pediatric", "paediatric"},   {"fiber", "fibre"},          {"aging", "ageing"},
      {"caregiver", "carer"},        {"caregivers", "carers"},    {"mom", "mum"},
      {"apartment", "flat"},         {"traveling", "travelling"},
  };
  return *map;
}

// Word forms Snowball leaves apart, by stem: the stem on the left is read as
// the one on the right.
const absl::flat_hash_map<absl::string_view, absl::string_view>& JoinedForms() {
  static const auto* map = new absl::flat_hash_map<absl::string_view, absl::string_view>{
      {"loneli", "lone"},
      {"financ", "financi"},
      {"anxious", "anxieti"},
      {"inact", "inactiv"},
      {"griev", "grief"},
      {"bereft", "bereav"},
      {"depressiv", "depress"},
      {"isolat", "isol"},
      {"homelessness", "homeless"},
      {"widower", "widow"},
      {"jobless", "unemploy"},
      {"carer", "care"},
      {"caring", "care"},
      {"stressful", "stress"},
      {"mouldi", "mould"},
      {"die", "death"},
      {"dead", "death"},
      // Generic head nouns are one word: "financial difficulties" reads as
      // "Financial problem", "housing issues" as "Housing problems".
      {"issu", "problem"},
      {"difficulti", "problem"},
      {"troubl", "problem"},
      {"concern", "problem"},
      // Relatives: a spouse is one word and any other relative another, so
      // "carer for mum" reads as "Cares for a relative" and "husband died" as
      // "Death of spouse".
      {"wife", "spous"},
      {"husband", "spous"},
      {"partner", "spous"},
      {"mum", "relat"},
      {"mother", "relat"},
      {"dad", "relat"},
      {"father", "relat"},
      {"son", "relat"},
      {"daughter", "relat"},
      {"brother", "relat"},
      {"sister", "relat"},
      {"parent", "relat"},
      {"grandson", "relat"},
      {"granddaught", "relat"},
      {"grandchild", "relat"},
      {"grandmoth", "relat"},
      {"grandfath", "relat"},
      {"nan", "relat"},
  };
  return *map;
}

const absl::flat_hash_set<absl::string_view>& StopWords() {
  static const auto* set = new absl::flat_hash_set<absl::string_view>{
      "a",        "an",       "the",        "and",        "or",        "but",       "of",
      "to",       "in",       "on",         "at",         "for",       "from",      "by",
      "with",     "into",     "onto",       "over",       "under",     "about",     "after",
      "before",   "as",       "is",         "are",        "be",        "been",      "being",
      "am",       "has",      "have",       "had",        "having",    "do",        "does",
      "did",      "can",      "could",      "would",      "should",    "will",      "may",
      "might",    "must",     "shall",      "he",         "she",       "they",      "it",
      "me",       "my",       "mine",       "we",         "our",       "you",       "your",
      "him",      "her",      "his",        "hers",       "them",      "their",     "theirs",
      "its",      "this",     "that",       "these",      "those",     "who",       "whom",
      "which",    "what",     "when",       "where",      "there",     "here",      "than",
      "then",     "so",       "very",       "really",     "quite",     "lot",       "lots",
      "much",     "many",     "bit",        "some",       "any",       "more",      "most",
      "also",     "just",     "still",      "now",        "currently", "recently",  "recent",
      "since",    "due",      "because",    "patient",    "pt",        "person",    "client",
      "customer", "service",  "user",       "resident",   "tenant",    "gentleman", "lady",
      "man",      "woman",    "male",       "female",     "elderly",   "older",     "year",
      "years",    "old",      "yo",         "needs",      "need",      "needing",   "help",
      "helping",  "support",  "supporting", "requires",   "require",   "requests",  "request",
      "referred", "referral", "refer",      "please",     "re",        "query",     "possible",
      "possibly", "likely",   "reports",    "reported",   "says",      "said",      "states",
      "stated",   "appears",  "seems",      "seem",       "get",       "gets",      "got",
      "getting",  "going",    "go",         "like",       "well",      "too",       "self",
      "etc",      "himself",  "herself",    "themselves", "myself",    "main",      "presenting",
      "presents", "ongoing",  "general",    "im",         "ive",       "id",        "ill",
      "youre",    "hes",      "shes",       "theyre",     "weve",      "all",       "time",
      "times",    "always",   "constantly", "often",      "sometimes", "every",     "day",
      "days",     "week",     "weeks",      "month",      "months",    "night",     "nights",
      "today",
  };
  return *set;
}

const absl::flat_hash_set<absl::string_view>& FillerStems() {
  static const auto* set = new absl::flat_hash_set<absl::string_view>{
      "feel",   "struggl", "cant", "cannot",   "unabl", "worri",   "find",  "state",
      "suffer", "home",    "flat", "properti", "room",  "bedroom", "victim"};
  return *set;
}

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

// Snowball stemmers keep state between calls: one per thread.
sb_stemmer* ThreadStemmer() {
  thread_local std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("english", "UTF_8"));
  return stemmer.get();
}

std::string BritishSpelling(std::string w) {
  auto it = BritishSpellings().find(w);
  if (it != BritishSpellings().end()) return std::string(it->second);
  if (w.size() > 5) {
    for (auto [us, gb] : {std::pair<absl::string_view, absl::string_view>{"ization", "isation"},
                          {"izations", "isations"},
                          {"izing", "ising"},
                          {"ized", "ised"},
                          {"izes", "ises"},
                          {"ize", "ise"}}) {
      if (absl::EndsWith(w, us)) {
        w.replace(w.size() - us.size(), us.size(), gb.data(), gb.size());
        break;
      }
    }
  }
  return w;
}

// Two words that name one thing unlike either ("care home" is a place, not
// caring), joined into one word.
constexpr std::pair<absl::string_view, absl::string_view> kCompounds[] = {
    {"care", "home"}, {"nursing", "home"}, {"residential", "home"}, {"food", "bank"}};

void JoinCompounds(std::vector<std::string>* words) {
  std::vector<std::string> out;
  for (size_t i = 0; i < words->size(); ++i) {
    if (i + 1 < words->size()) {
      bool joined = false;
      for (const auto& [first, second] : kCompounds) {
        if ((*words)[i] == first &&
            ((*words)[i + 1] == second || (*words)[i + 1] == std::string(second) + "s")) {
          out.push_back(absl::StrCat(first, second));
          ++i;
          joined = true;
          break;
        }
      }
      if (joined) continue;
    }
    out.push_back(std::move((*words)[i]));
  }
  *words = std::move(out);
}

}  // namespace

bool NormalisedText::Has(absl::string_view stem) const {
  return std::any_of(content.begin(), content.end(),
                     [&](const ContentWord& c) { return c.stem == stem; });
}

std::vector<std::string> Words(absl::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (absl::ascii_isalnum(c) || c >= 0x80) {
      current.push_back(absl::ascii_tolower(c));
    } else if (c == '\'' && !current.empty() && i + 1 < text.size() &&
               absl::ascii_isalpha(static_cast<unsigned char>(text[i + 1]))) {
      // inside a word: "isn't" -> "isnt", "mum's" -> "mums"
    } else if (!current.empty()) {
      words.push_back(BritishSpelling(std::move(current)));
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(BritishSpelling(std::move(current)));
  JoinCompounds(&words);
  return words;
}

std::string Stem(absl::string_view word) {
  sb_stemmer* stemmer = ThreadStemmer();
  std::string stem(word);
  if (stemmer != nullptr) {
    const sb_symbol* out = sb_stemmer_stem(stemmer, reinterpret_cast<const sb_symbol*>(word.data()),
                                           static_cast<int>(word.size()));
    if (out != nullptr) {
      stem.assign(reinterpret_cast<const char*>(out), sb_stemmer_length(stemmer));
    }
  }
  auto it = JoinedForms().find(stem);
  if (it != JoinedForms().end()) stem = std::string(it->second);
  return stem;
}

bool IsStopWord(absl::string_view word) { return StopWords().contains(word); }

NormalisedText Normalise(absl::string_view text) {
  NormalisedText out;
  out.words = Words(text);
  out.context = DetectContext(out.words);
  bool qualifying = false;
  for (const std::string& w : out.words) {
    if (w == "with") qualifying = true;
    if (w.size() < 2 || IsStopWord(w) || IsCueWord(w)) continue;
    std::string stem = Stem(w);
    if (stem.empty() || out.Has(stem)) continue;
    const WordKind kind = stem == "problem" || stem == "relat" ? WordKind::kHead
                          : FillerStems().contains(stem)       ? WordKind::kFiller
                                                               : WordKind::kNormal;
    if (qualifying && kind == WordKind::kNormal) out.qualifiers.push_back(stem);
    out.content.push_back(ContentWord{std::move(stem), kind});
  }
  return out;
}

double WordOverlap(const NormalisedText& text, const NormalisedText& term) {
  if (!(text.context == term.context)) return 0;
  double shared = 0;
  double either = 0;
  for (const ContentWord& w : text.content) {
    if (term.Has(w.stem)) {
      shared += w.term_weight();
    } else {
      either += w.text_weight();
    }
  }
  if (shared == 0) return 0;
  for (const ContentWord& w : term.content) either += w.term_weight();
  return shared / either;
}

bool Covers(const NormalisedText& text, const NormalisedText& term) {
  return std::all_of(text.content.begin(), text.content.end(),
                     [&](const ContentWord& w) { return !w.must_match() || term.Has(w.stem); });
}

bool Within(const NormalisedText& term, const NormalisedText& text) {
  if (!(term.context == text.context)) return false;
  // "feeling" adds nothing to what the words beside it say ("Feeling lonely"
  // is named in "lonely at weekends"); any other word of the term must be
  // there.
  return std::all_of(term.content.begin(), term.content.end(),
                     [&](const ContentWord& w) { return w.stem == "feel" || text.Has(w.stem); });
}

}  // namespace sprout::intake
