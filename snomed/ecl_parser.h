// File: snomed/ecl_parser.h
//
// The recursive-descent ECL parser behind Ecl::Parse (snomed/ecl.h), shared by
// the files that define it: ecl_parser.cc (expressions, refinements, concept
// references) and ecl_filter_parser.cc (concept, description and member
// filters, history supplements). Internal to snomed/: use Ecl::Parse.
// Every error carries the 1-based column (in characters) where it was found.
#ifndef SPROUT_SNOMED_ECL_PARSER_H_
#define SPROUT_SNOMED_ECL_PARSER_H_

#include <cctype>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "snomed/ecl.h"
#include "snomed/ecl_ast.h"
#include "snomed/sctid.h"
#include "snomed/terminology_data.h"

namespace sprout::snomed::ecl_parser {

inline constexpr uint64_t kPrimitive = 900000000000074008;

using ecl::Attribute;
using ecl::Cardinality;
using ecl::DescriptionFilter;
using ecl::Expr;
using ecl::Operator;
using ecl::Refinement;

class Parser {
 public:
  Parser(absl::string_view text, const EclLimits& limits) : s_(text), limits_(limits) {}

  absl::StatusOr<std::unique_ptr<Expr>> ParseAll() {
    if (s_.size() > limits_.max_length) {
      return absl::InvalidArgumentError(
          absl::StrCat("ECL limit exceeded at column ", Column(limits_.max_length),
                       ": the expression is longer than ", limits_.max_length,
                       " bytes (max_length); use a reference set for long value sets"));
    }
    Ws();
    std::unique_ptr<Expr> e = ParseExpression();
    if (!failed_) {
      Ws();
      if (pos_ < s_.size()) {
        Fail(Peek() == ')' ? "an operator (AND, OR, MINUS, ':') or the end; unbalanced ')'"
                           : "AND, OR, MINUS, ':' or the end of the expression");
      }
    }
    if (failed_) return absl::InvalidArgumentError(error_);
    return e;
  }

 private:
  // ---- lexical helpers ----
  char Peek(size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }
  bool AtEnd() const { return pos_ >= s_.size(); }
  void Ws() {
    while (true) {
      while (pos_ < s_.size() && isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      // ECL comments: /* ... */
      if (Peek() == '/' && Peek(1) == '*') {
        size_t end = s_.find("*/", pos_ + 2);
        pos_ = end == absl::string_view::npos ? s_.size() : end + 2;
        continue;
      }
      return;
    }
  }
  bool Consume(absl::string_view tok) {
    if (s_.substr(pos_, tok.size()) == tok) {
      pos_ += tok.size();
      return true;
    }
    return false;
  }
  static bool IsWordChar(char c) { return isalnum(static_cast<unsigned char>(c)) || c == '_'; }
  // A case-insensitive keyword that is not the start of a longer word.
  bool PeekKeyword(absl::string_view kw) const {
    if (pos_ + kw.size() > s_.size()) return false;
    if (!absl::EqualsIgnoreCase(s_.substr(pos_, kw.size()), kw)) return false;
    return !IsWordChar(Peek(kw.size()));
  }
  size_t Column(size_t pos) const {
    size_t col = 1;
    for (size_t i = 0; i < pos && i < s_.size(); ++i) {
      if ((static_cast<unsigned char>(s_[i]) & 0xC0) != 0x80) ++col;
    }
    return col;
  }
  std::string Found() const {
    if (AtEnd()) return "the end of the expression";
    size_t end = pos_;
    while (end < s_.size() && end - pos_ < 12 && !isspace(static_cast<unsigned char>(s_[end]))) {
      ++end;
    }
    if (end == pos_) end = pos_ + 1;
    return absl::StrCat("'", s_.substr(pos_, end - pos_), "'");
  }
  void Fail(absl::string_view expected) {
    FailAt(pos_, absl::StrCat("expected ", expected, ", found ", Found()));
  }
  void FailAt(size_t pos, absl::string_view what) {
    if (failed_) return;
    failed_ = true;
    error_ = absl::StrCat("ECL syntax error at column ", Column(pos), ": ", what);
  }
  void FailLimit(absl::string_view what) {
    if (failed_) return;
    failed_ = true;
    error_ = absl::StrCat("ECL limit exceeded at column ", Column(pos_), ": ", what);
  }

  // One level of nesting for as long as it lives. The recursive-descent
  // functions that can recurse (ParseExpression, ParseRefinement) hold one,
  // so the recursion, and the tree the evaluator later walks, are at most
  // max_depth deep.
  class Nesting {
   public:
    explicit Nesting(Parser* p, int levels = 1) : p_(p), levels_(levels) {
      p_->depth_ += levels_;
      if (p_->depth_ > p_->limits_.max_depth) {
        p_->FailLimit(absl::StrCat("nesting deeper than ", p_->limits_.max_depth,
                                   " levels (max_depth); flatten the expression"));
      }
    }
    ~Nesting() { p_->depth_ -= levels_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser* const p_;
    const int levels_;
  };
  std::unique_ptr<Expr> NewExpr() {
    if (++operands_ > limits_.max_operands) {
      FailLimit(absl::StrCat("more than ", limits_.max_operands,
                             " operands (max_operands); use a reference set for long value sets"));
    }
    auto e = std::make_unique<Expr>();
    e->offset = pos_;
    return e;
  }

  // ---- expressions ----
  enum class Joiner { kNone, kAnd, kOr, kMinus };
  Joiner PeekJoiner() {
    if (Peek() == ',') return Joiner::kAnd;
    if (PeekKeyword("and")) return Joiner::kAnd;
    if (PeekKeyword("or")) return Joiner::kOr;
    if (PeekKeyword("minus")) return Joiner::kMinus;
    return Joiner::kNone;
  }
  void ConsumeJoiner(Joiner j) {
    if (Peek() == ',')
      ++pos_;
    else
      pos_ += j == Joiner::kAnd ? 3 : j == Joiner::kOr ? 2 : 5;
  }
  static absl::string_view JoinerName(Joiner j) {
    return j == Joiner::kAnd ? "AND" : j == Joiner::kOr ? "OR" : "MINUS";
  }

  std::unique_ptr<Expr> ParseExpression();

  std::unique_ptr<Expr> ParseDotted();

  bool ParseOperator(Operator* op);

  std::unique_ptr<Expr> ParseSub();

  // {{ M ... }} (after ^ only, first), {{ D ... }} / {{ C ... }} in any
  // order, then at most one {{ + HISTORY ... }}, last.
  void ParseFilters(Expr* e);

  // ---- shared filter pieces ----

  // '=' or '!='; sets *negated.
  bool ParseEqNe(bool* negated, absl::string_view after);

  // true / false / 1 / 0 after '=' or '!='.
  bool ParseActive(int* active);

  // effectiveTime op "YYYYMMDD" | = / != ("YYYYMMDD" ...).
  bool ParseTime(ecl::TimeCondition* t);

  // A concept-valued comparand: a constraint, or a set (a b c) of concepts.
  std::unique_ptr<Expr> ParseConceptValue();

  bool ParseConceptCondition(ecl::ConceptCondition* c, absl::string_view field);

  // After a filter's condition: ',' for another, or '}}' to end.
  bool NextCondition();

  // ---- concept filters ----
  ecl::ConceptFilter ParseConceptFilterBlock();

  // ---- member filters and field selection ----
  // Returns false (having failed) for a name ECL knows but this engine
  // cannot compare or select, or an unknown name.
  bool ParseMemberFieldName(ecl::MemberField* field, bool selection);

  // At '['.
  void ParseFieldSelection(Expr* e);

  ecl::MemberFilter ParseMemberFilterBlock();

  // ---- history supplements ----
  // After '+'.
  void ParseHistorySupplement(Expr* e);

  // scheme#code: a word or URI, then '#' and a code.
  bool AtAlternateIdentifier() const;

  // At http://snomed.info/sct# (or sct#, SNOMED-CT#): the code is an SCTID.
  bool AtSnomedScheme() const;

  // An SCTID, or the alternate identifier http://snomed.info/sct#SCTID.
  // Other schemes stand only where a constraint may (see ParseSub).
  uint64_t ParseConceptReference();

  // ---- refinements ----
  std::unique_ptr<Refinement> ParseRefinement();

  bool ParseCardinality(Cardinality* c);

  bool ParseUint(uint32_t* out);

  std::unique_ptr<Refinement> ParseSubRefinement();

  // ---- description filters ----
  DescriptionFilter ParseFilterBlock();

  // An optional |term| after an id.
  void SkipTerm();

  // dialect = en-gb [(prefer)] | (en-gb (prefer) en-us ...); dialectId the
  // same with refset ids. After the keyword.
  bool ParseDialect(DescriptionFilter* f, bool aliases);

  // (prefer) / (accept) / (prefer accept) / (900000000000548007 ...). At '('.
  bool ParseAcceptabilitySet(ecl::Acceptability* out);

  void ParseTypedString(DescriptionFilter* f);
  absl::string_view s_;
  const EclLimits limits_;
  size_t pos_ = 0;
  int depth_ = 0;     // current nesting, see Nesting
  int operands_ = 0;  // constraints so far, see NewExpr
  bool failed_ = false;
  std::string error_;
};

}  // namespace sprout::snomed::ecl_parser

#endif  // SPROUT_SNOMED_ECL_PARSER_H_
