#include "server/common/filter.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/common/errors.h"

namespace sprout {
namespace {

class FilterLexer {
 public:
  explicit FilterLexer(absl::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && absl::ascii_isspace(text_[pos_])) ++pos_;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= text_.size();
  }
  int column() const { return static_cast<int>(pos_) + 1; }

  // A bare word: letters, digits, '_', '-', '.', ':'.
  std::string Word() {
    SkipSpace();
    const size_t start = pos_;
    while (pos_ < text_.size() && IsWordChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string Operator() {
    SkipSpace();
    static constexpr absl::string_view kOps[] = {"<<", "<=", ">=", "!=", "=", "<", ">"};
    for (absl::string_view op : kOps) {
      if (text_.substr(pos_, op.size()) == op) {
        pos_ += op.size();
        return std::string(op);
      }
    }
    return "";
  }

  // A quoted string (backslash escapes \" and \\) or a bare word.
  absl::StatusOr<std::string> Value() {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const int open_column = column();
      ++pos_;
      std::string out;
      while (pos_ < text_.size() && text_[pos_] != '"') {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        out.push_back(text_[pos_++]);
      }
      if (pos_ >= text_.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("column ", open_column, ": unterminated string; close it with \""));
      }
      ++pos_;
      return out;
    }
    std::string word = Word();
    if (word.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("column ", column(), ": expected a value (a word or a \"quoted string\")"));
    }
    return word;
  }

 private:
  static bool IsWordChar(char c) {
    return absl::ascii_isalnum(c) || c == '_' || c == '-' || c == '.' || c == ':';
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

absl::Status FilterError(absl::string_view message) {
  return InvalidArgumentWithViolations({{"filter", std::string(message)}}, "INVALID_FILTER");
}

}  // namespace

absl::StatusOr<std::vector<FilterTerm>> ParseFilter(absl::string_view filter) {
  std::vector<FilterTerm> terms;
  if (filter.size() > kMaxFilterLength) {
    return FilterError(absl::StrCat("column ", kMaxFilterLength + 1, ": the filter is longer than ",
                                    kMaxFilterLength, " characters; no method needs more"));
  }
  FilterLexer lex(filter);
  if (lex.AtEnd()) return terms;
  while (true) {
    FilterTerm term;
    term.column = (lex.SkipSpace(), lex.column());
    if (terms.size() == kMaxFilterTerms) {
      return FilterError(absl::StrCat("column ", term.column, ": more than ", kMaxFilterTerms,
                                      " terms; no method needs more"));
    }
    term.field = lex.Word();
    if (term.field.empty()) {
      return FilterError(absl::StrCat("column ", lex.column(), ": expected a field name"));
    }
    term.op = lex.Operator();
    if (term.op.empty()) {
      return FilterError(absl::StrCat("column ", lex.column(),
                                      ": expected an operator (=, !=, <, <=, >, >=, <<) after \"",
                                      term.field, "\""));
    }
    absl::StatusOr<std::string> value = lex.Value();
    if (!value.ok()) return FilterError(value.status().message());
    term.value = *std::move(value);
    terms.push_back(std::move(term));
    if (lex.AtEnd()) break;
    const int and_column = lex.column();
    if (lex.Word() != "AND") {
      return FilterError(absl::StrCat("column ", and_column,
                                      ": expected AND between terms (OR is not supported)"));
    }
  }
  return terms;
}

absl::Status UnsupportedFilterTerm(const FilterTerm& term, absl::string_view accepted) {
  return FilterError(absl::StrCat("column ", term.column, ": \"", term.field, " ", term.op,
                                  "\" is not supported; this method accepts ", accepted));
}

}  // namespace sprout
