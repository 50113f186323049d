#include "server/intake/text_context.h"

#include <algorithm>
#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"

namespace sprout::intake {
namespace {

using Cue = std::vector<absl::string_view>;

// Cues, each a sequence of words. Longer cues first where one starts another.
const std::vector<Cue>& HistoryCues() {
  static const auto* cues = new std::vector<Cue>{{"history", "of"},
                                                 {"hx", "of"},
                                                 {"hx"},
                                                 {"h", "o"},
                                                 {"previously"},
                                                 {"previous"},
                                                 {"formerly"},
                                                 {"former"},
                                                 {"used", "to"},
                                                 {"in", "the", "past"},
                                                 {"years", "ago"},
                                                 {"year", "ago"},
                                                 {"months", "ago"},
                                                 {"ago"},
                                                 {"past", "history"},
                                                 {"was"},
                                                 {"were"}};
  return *cues;
}

const std::vector<Cue>& NegationCues() {
  static const auto* cues = new std::vector<Cue>{{"no", "longer"}, {"not", "any", "more"},
                                                 {"any", "more"},  {"anymore"},
                                                 {"not"},          {"no"},
                                                 {"nil"},          {"never"},
                                                 {"without"},      {"none"},
                                                 {"nor"},          {"denies"},
                                                 {"denied"},       {"deny"},
                                                 {"isnt"},         {"arent"},
                                                 {"doesnt"},       {"dont"},
                                                 {"didnt"},        {"wasnt"},
                                                 {"werent"},       {"hasnt"},
                                                 {"havent"},       {"resolved"},
                                                 {"sorted"},       {"negative"}};
  return *cues;
}

constexpr absl::string_view kRelatives[] = {
    "wife", "husband",  "partner",       "son",        "daughter", "mum",      "mother",
    "mom",  "dad",      "father",        "brother",    "sister",   "child",    "children",
    "kids", "grandson", "granddaughter", "grandchild", "friend",   "neighbour"};
constexpr absl::string_view kSubjectVerbs[] = {
    "is",   "has",  "was",   "had",   "are",   "have",     "who",   "does",
    "did",  "do",   "will",  "can",   "cares", "looks",    "helps", "provides",
    "gets", "says", "needs", "lives", "works", "struggles"};

constexpr absl::string_view kCueWords[] = {
    "not",    "no",      "never", "without",    "none",     "nor",      "denies",
    "denied", "deny",    "isnt",  "arent",      "doesnt",   "dont",     "didnt",
    "wasnt",  "werent",  "hasnt", "havent",     "longer",   "anymore",  "resolved",
    "sorted", "history", "hx",    "previously", "previous", "formerly", "former",
    "ago",    "past",    "used",  "was",        "were",     "nil",      "negative"};

constexpr absl::string_view kSplitWords[] = {"and", "but", "also", "plus", "since"};

template <size_t N>
bool In(const absl::string_view (&list)[N], absl::string_view w) {
  return std::find(std::begin(list), std::end(list), w) != std::end(list);
}

// The first occurrence of any cue in `words`: its start, or npos.
size_t FindCue(const std::vector<std::string>& words, const std::vector<Cue>& cues,
               const Cue** found) {
  for (size_t i = 0; i < words.size(); ++i) {
    for (const Cue& cue : cues) {
      if (i + cue.size() > words.size()) continue;
      bool match = true;
      for (size_t k = 0; k < cue.size() && match; ++k) match = words[i + k] == cue[k];
      if (match) {
        *found = &cue;
        return i;
      }
    }
  }
  return std::string::npos;
}

}  // namespace

absl::string_view ContextName(ContextKind kind) {
  switch (kind) {
    case ContextKind::kAffirmed:
      return "";
    case ContextKind::kNegated:
      return "negated";
    case ContextKind::kHistorical:
      return "historical";
    case ContextKind::kSomeoneElse:
      return "someone else";
  }
  return "";
}

TextContext DetectContext(const std::vector<std::string>& words) {
  TextContext out;
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == "family" && words[i + 1] == "history") {
      return TextContext{ContextKind::kSomeoneElse, "family history"};
    }
  }
  const Cue* cue = nullptr;
  if (FindCue(words, HistoryCues(), &cue) != std::string::npos) {
    return TextContext{ContextKind::kHistorical, absl::StrJoin(*cue, " ")};
  }
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    if (In(kRelatives, words[i]) && In(kSubjectVerbs, words[i + 1])) {
      return TextContext{ContextKind::kSomeoneElse, words[i] + " " + words[i + 1]};
    }
  }
  if (FindCue(words, NegationCues(), &cue) != std::string::npos) {
    return TextContext{ContextKind::kNegated, absl::StrJoin(*cue, " ")};
  }
  return out;
}

bool IsCueWord(absl::string_view word) { return In(kCueWords, word); }

std::vector<absl::string_view> SplitNeeds(absl::string_view text) {
  std::vector<absl::string_view> pieces;
  size_t piece_start = 0;
  auto cut = [&](size_t end, size_t next_start) {
    absl::string_view piece =
        absl::StripAsciiWhitespace(text.substr(piece_start, end - piece_start));
    if (!piece.empty()) pieces.push_back(piece);
    piece_start = next_start;
  };
  auto is_word_char = [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '\'' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  auto lower = [](absl::string_view w) { return absl::AsciiStrToLower(w); };
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const bool spaced_dash = (c == '-' || c == ':') &&
                             (i + 1 == text.size() || text[i + 1] == ' ') &&
                             (c == ':' || (i > 0 && text[i - 1] == ' '));
    // "h/o", "c/o": an abbreviation, not two needs.
    const bool abbreviation_slash =
        c == '/' && i > 0 && i + 1 < text.size() &&
        absl::ascii_isalpha(static_cast<unsigned char>(text[i - 1])) &&
        absl::ascii_isalpha(static_cast<unsigned char>(text[i + 1])) &&
        (i < 2 || !absl::ascii_isalpha(static_cast<unsigned char>(text[i - 2]))) &&
        (i + 2 >= text.size() || !absl::ascii_isalpha(static_cast<unsigned char>(text[i + 2])));
    if (abbreviation_slash) {
      ++i;
      continue;
    }
    if (c == ',' || c == ';' || c == '.' || c == '/' || c == '&' || c == '+' || c == '(' ||
        c == ')' || c == '\n' || c == '\r' || spaced_dash) {
      cut(i, i + 1);
      ++i;
      continue;
    }
    if (!is_word_char(c)) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && is_word_char(text[end])) ++end;
    const std::string word = lower(text.substr(i, end - i));
    if (In(kSplitWords, word)) {
      cut(i, end);
    } else if (word == "as") {
      // "as well as"
      size_t j = end;
      std::vector<std::string> next;
      while (next.size() < 2 && j < text.size()) {
        while (j < text.size() && !is_word_char(text[j])) ++j;
        size_t k = j;
        while (k < text.size() && is_word_char(text[k])) ++k;
        if (k == j) break;
        next.push_back(lower(text.substr(j, k - j)));
        j = k;
      }
      if (next.size() == 2 && next[0] == "well" && next[1] == "as") {
        cut(i, j);
        end = j;
      }
    }
    i = end;
  }
  cut(text.size(), text.size());
  return pieces;
}

}  // namespace sprout::intake
