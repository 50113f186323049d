// Recursive-descent parser for the ECL subset documented in snomed/ecl.h.
// Every error carries the 1-based column (in characters) where it was found.
#include <cctype>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "snomed/ecl.h"
#include "snomed/ecl_ast.h"
#include "snomed/sctid.h"
#include "snomed/terminology_data.h"

namespace sprout::snomed {
namespace {

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

  std::unique_ptr<Expr> ParseExpression() {
    Nesting nesting(this);
    if (failed_) return nullptr;
    const size_t start = pos_;
    std::unique_ptr<Expr> first = ParseDotted();
    if (failed_) return nullptr;
    Ws();
    if (Peek() == ':') {
      ++pos_;
      Ws();
      auto e = std::make_unique<Expr>();
      e->offset = start;
      e->kind = Expr::Kind::kRefined;
      e->children.push_back(std::move(first));
      e->refinement = ParseRefinement();
      return e;
    }
    Joiner j = PeekJoiner();
    if (j == Joiner::kNone) return first;
    auto e = std::make_unique<Expr>();
    e->offset = start;
    e->kind = j == Joiner::kAnd  ? Expr::Kind::kAnd
              : j == Joiner::kOr ? Expr::Kind::kOr
                                 : Expr::Kind::kMinus;
    e->children.push_back(std::move(first));
    bool first_joiner = true;
    while (!failed_) {
      Ws();
      Joiner next = PeekJoiner();
      if (next == Joiner::kNone) break;
      if (!first_joiner && (next != j || j == Joiner::kMinus)) {
        FailAt(pos_, absl::StrCat("cannot combine ", JoinerName(j), " with ", JoinerName(next),
                                  " without parentheses"));
        return nullptr;
      }
      first_joiner = false;
      ConsumeJoiner(next);
      Ws();
      e->children.push_back(ParseDotted());
      if (failed_) return nullptr;
      Ws();
      if (Peek() == ':') {
        Fail("AND, OR, MINUS or the end (put a refined operand in parentheses)");
        return nullptr;
      }
    }
    return e;
  }

  std::unique_ptr<Expr> ParseDotted() {
    const size_t start = pos_;
    std::unique_ptr<Expr> e = ParseSub();
    // Each dot wraps the chain so far in one more node: a chain is as deep
    // as it is long, so every dot is a level of nesting.
    std::vector<std::unique_ptr<Nesting>> levels;
    while (!failed_) {
      size_t save = pos_;
      Ws();
      if (Peek() != '.') {
        pos_ = save;
        break;
      }
      ++pos_;
      Ws();
      levels.push_back(std::make_unique<Nesting>(this));
      if (failed_) return nullptr;
      auto d = std::make_unique<Expr>();
      d->offset = start;
      d->kind = Expr::Kind::kDotted;
      d->children.push_back(std::move(e));
      d->children.push_back(ParseSub());
      e = std::move(d);
    }
    return e;
  }

  bool ParseOperator(Operator* op) {
    static const struct {
      const char* token;
      Operator op;
      bool word;
    } kOps[] = {
        {"<<!", Operator::kChildOrSelfOf, false},
        {"<<", Operator::kDescendantOrSelfOf, false},
        {"<!", Operator::kChildOf, false},
        {"<", Operator::kDescendantOf, false},
        {">>!", Operator::kParentOrSelfOf, false},
        {">>", Operator::kAncestorOrSelfOf, false},
        {">!", Operator::kParentOf, false},
        {">", Operator::kAncestorOf, false},
        {"descendantOrSelfOf", Operator::kDescendantOrSelfOf, true},
        {"descendantOf", Operator::kDescendantOf, true},
        {"childOrSelfOf", Operator::kChildOrSelfOf, true},
        {"childOf", Operator::kChildOf, true},
        {"ancestorOrSelfOf", Operator::kAncestorOrSelfOf, true},
        {"ancestorOf", Operator::kAncestorOf, true},
        {"parentOrSelfOf", Operator::kParentOrSelfOf, true},
        {"parentOf", Operator::kParentOf, true},
    };
    for (const auto& o : kOps) {
      if (o.word ? PeekKeyword(o.token) : s_.substr(pos_, strlen(o.token)) == o.token) {
        pos_ += strlen(o.token);
        *op = o.op;
        return true;
      }
    }
    return false;
  }

  std::unique_ptr<Expr> ParseSub() {
    std::unique_ptr<Expr> e = NewExpr();
    if (failed_) return nullptr;
    ParseOperator(&e->op);
    Ws();
    if (Peek() == '^' || PeekKeyword("memberOf")) {
      pos_ += Peek() == '^' ? 1 : 8;
      Ws();
      e->kind = Expr::Kind::kMemberOf;
      if (Peek() == '(') {
        ++pos_;
        Ws();
        e->children.push_back(ParseExpression());
        Ws();
        if (!failed_ && !Consume(")")) Fail("')'");
      } else if (Peek() == '*') {
        auto any = NewExpr();
        ++pos_;
        any->kind = Expr::Kind::kAny;
        e->children.push_back(std::move(any));
      } else if (isdigit(static_cast<unsigned char>(Peek()))) {
        e->concept_id = ParseConceptReference();
      } else {
        Fail("a refset concept id, '*' or '(' after '^'");
      }
    } else if (Peek() == '*') {
      ++pos_;
      e->kind = Expr::Kind::kAny;
    } else if (Peek() == '(') {
      ++pos_;
      Ws();
      e->kind = Expr::Kind::kNested;
      e->children.push_back(ParseExpression());
      Ws();
      if (!failed_ && !Consume(")")) Fail("')'");
    } else if (isdigit(static_cast<unsigned char>(Peek()))) {
      e->kind = Expr::Kind::kConcept;
      e->concept_id = ParseConceptReference();
    } else {
      Fail("a concept id, '*', '^' or '('");
      return nullptr;
    }
    while (!failed_) {
      size_t save = pos_;
      Ws();
      if (Peek() == '{' && Peek(1) == '{') {
        pos_ += 2;
        e->filters.push_back(ParseFilterBlock());
      } else {
        pos_ = save;
        break;
      }
    }
    return e;
  }

  uint64_t ParseConceptReference() {
    size_t start = pos_;
    while (isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
    absl::StatusOr<uint64_t> id = ParseSctid(s_.substr(start, pos_ - start), kConceptPartitions);
    if (!id.ok()) {
      FailAt(start, id.status().message());
      return 0;
    }
    size_t save = pos_;
    Ws();
    if (Peek() == '|') {
      size_t open = pos_;
      size_t close = s_.find('|', pos_ + 1);
      if (close == absl::string_view::npos) {
        FailAt(open, "the term starting here has no closing '|'");
        return 0;
      }
      pos_ = close + 1;
    } else {
      pos_ = save;
    }
    return *id;
  }

  // ---- refinements ----
  std::unique_ptr<Refinement> ParseRefinement() {
    Nesting nesting(this);
    if (failed_) return nullptr;
    std::unique_ptr<Refinement> first = ParseSubRefinement();
    if (failed_) return nullptr;
    size_t save = pos_;
    Ws();
    Joiner j = PeekJoiner();
    if (j == Joiner::kNone || j == Joiner::kMinus) {
      pos_ = save;
      return first;
    }
    auto r = std::make_unique<Refinement>();
    r->kind = j == Joiner::kAnd ? Refinement::Kind::kAnd : Refinement::Kind::kOr;
    r->children.push_back(std::move(first));
    while (!failed_) {
      save = pos_;
      Ws();
      Joiner next = PeekJoiner();
      if (next == Joiner::kNone || next == Joiner::kMinus) {
        pos_ = save;
        break;
      }
      if (next != j) {
        FailAt(pos_, absl::StrCat("cannot combine ", JoinerName(j), " with ", JoinerName(next),
                                  " without parentheses"));
        return nullptr;
      }
      ConsumeJoiner(next);
      Ws();
      r->children.push_back(ParseSubRefinement());
      if (failed_) return nullptr;
    }
    return r;
  }

  bool ParseCardinality(Cardinality* c) {
    // At '['.
    ++pos_;
    Ws();
    uint32_t min = 0;
    if (!ParseUint(&min)) {
      Fail("a minimum cardinality");
      return false;
    }
    Ws();
    if (!Consume("..")) {
      Fail("'..'");
      return false;
    }
    Ws();
    uint32_t max = UINT32_MAX;
    if (Peek() == '*') {
      ++pos_;
    } else if (!ParseUint(&max)) {
      Fail("a maximum cardinality or '*'");
      return false;
    }
    Ws();
    if (!Consume("]")) {
      Fail("']'");
      return false;
    }
    if (max < min) {
      FailAt(pos_ - 1, "cardinality maximum is below its minimum");
      return false;
    }
    *c = Cardinality{min, max, true};
    return true;
  }

  bool ParseUint(uint32_t* out) {
    size_t start = pos_;
    uint64_t v = 0;
    while (isdigit(static_cast<unsigned char>(Peek())) && pos_ - start < 9)
      v = v * 10 + (s_[pos_++] - '0');
    *out = static_cast<uint32_t>(v);
    return pos_ > start;
  }

  std::unique_ptr<Refinement> ParseSubRefinement() {
    Cardinality card;
    if (Peek() == '[') {
      if (!ParseCardinality(&card)) return nullptr;
      Ws();
    }
    if (Peek() == '{' && Peek(1) != '{') {
      ++pos_;
      Ws();
      auto g = std::make_unique<Refinement>();
      g->kind = Refinement::Kind::kGroup;
      g->group_cardinality = card;
      g->children.push_back(ParseRefinement());
      Ws();
      if (!failed_ && !Consume("}")) Fail("'}' to close the attribute group");
      return g;
    }
    if (Peek() == '(' && !card.given) {
      ++pos_;
      Ws();
      std::unique_ptr<Refinement> r = ParseRefinement();
      Ws();
      if (!failed_ && !Consume(")")) Fail("')'");
      return r;
    }
    auto r = std::make_unique<Refinement>();
    r->kind = Refinement::Kind::kAttribute;
    Attribute& a = r->attribute;
    a.cardinality = card;
    if (Peek() == 'R' && (isspace(static_cast<unsigned char>(Peek(1))) ||
                          isdigit(static_cast<unsigned char>(Peek(1))) || Peek(1) == '<' ||
                          Peek(1) == '*' || Peek(1) == '(')) {
      ++pos_;
      a.reverse = true;
      Ws();
    }
    if (!(isdigit(static_cast<unsigned char>(Peek())) || Peek() == '<' || Peek() == '>' ||
          Peek() == '*' || Peek() == '(' || Peek() == '^')) {
      Fail("an attribute (a concept id, '*', '<<' ...), '{', '[' or '('");
      return nullptr;
    }
    a.name = ParseSub();
    if (failed_) return nullptr;
    Ws();
    if (Consume("!=")) {
      a.not_equal = true;
    } else if (!Consume("=")) {
      if (Peek() == '<' || Peek() == '>') {
        FailAt(pos_, "numeric comparisons (<, >, <=, >=) on concrete values are not supported");
      } else {
        Fail("'=' or '!=' after the attribute name");
      }
      return nullptr;
    }
    Ws();
    if (Peek() == '#' || Peek() == '"' || PeekKeyword("true") || PeekKeyword("false")) {
      FailAt(pos_, "concrete values (#n, \"text\", true/false) are not supported");
      return nullptr;
    }
    a.value = ParseSub();
    return r;
  }

  // ---- description filters ----
  DescriptionFilter ParseFilterBlock() {
    DescriptionFilter f;
    Ws();
    if ((Peek() == 'D' || Peek() == 'd') && !IsWordChar(Peek(1))) {
      ++pos_;
      Ws();
    } else if ((Peek() == 'C' || Peek() == 'c' || Peek() == 'M' || Peek() == 'm') &&
               !IsWordChar(Peek(1))) {
      FailAt(pos_, "only description filters ({{ term = ... }}) are supported");
      return f;
    }
    while (!failed_) {
      Ws();
      if (PeekKeyword("term")) {
        pos_ += 4;
        Ws();
        if (Consume("!="))
          f.term_negated = true;
        else if (!Consume("="))
          return Fail("'=' or '!=' after term"), f;
        Ws();
        f.has_term = true;
        if (Consume("(")) {
          Ws();
          while (!failed_ && Peek() != ')') {
            ParseTypedString(&f);
            Ws();
            if (AtEnd()) return Fail("')'"), f;
          }
          ++pos_;
        } else {
          ParseTypedString(&f);
        }
      } else if (PeekKeyword("typeId")) {
        pos_ += 6;
        Ws();
        if (!Consume("=")) return Fail("'='"), f;
        Ws();
        bool list = Consume("(");
        do {
          Ws();
          size_t at = pos_;
          uint64_t id = ParseConceptReference();
          if (failed_) return f;
          uint8_t t = id == kFsnType          ? kFsn
                      : id == kSynonymType    ? kSynonym
                      : id == kDefinitionType ? kDefinition
                                              : 255;
          if (t == 255) return FailAt(at, "typeId must be an FSN, synonym or definition type"), f;
          f.types.push_back(t);
          Ws();
        } while (list && !failed_ && Peek() != ')' && !AtEnd());
        if (list && !Consume(")")) return Fail("')'"), f;
      } else if (PeekKeyword("type")) {
        pos_ += 4;
        Ws();
        if (!Consume("=")) return Fail("'='"), f;
        Ws();
        bool list = Consume("(");
        do {
          Ws();
          if (PeekKeyword("syn")) {
            f.types.push_back(kSynonym);
            pos_ += 3;
          } else if (PeekKeyword("fsn")) {
            f.types.push_back(kFsn);
            pos_ += 3;
          } else if (PeekKeyword("def")) {
            f.types.push_back(kDefinition);
            pos_ += 3;
          } else
            return Fail("syn, fsn or def"), f;
          Ws();
        } while (list && !failed_ && Peek() != ')' && !AtEnd());
        if (list && !Consume(")")) return Fail("')'"), f;
      } else if (PeekKeyword("language")) {
        pos_ += 8;
        Ws();
        if (!Consume("=")) return Fail("'='"), f;
        Ws();
        size_t start = pos_;
        while (isalpha(static_cast<unsigned char>(Peek()))) ++pos_;
        if (pos_ - start != 2) return FailAt(start, "expected a two-letter language code"), f;
        f.language = absl::AsciiStrToLower(s_.substr(start, 2));
      } else {
        return Fail("'term', 'type', 'typeId' or 'language' in the filter"), f;
      }
      Ws();
      if (Consume(",")) continue;
      if (Consume("}}")) return f;
      return Fail("',' or '}}'"), f;
    }
    return f;
  }

  void ParseTypedString(DescriptionFilter* f) {
    DescriptionFilter::TermMatch how = DescriptionFilter::TermMatch::kMatch;
    if (Consume("match:")) {
      Ws();
    } else if (Consume("wild:")) {
      how = DescriptionFilter::TermMatch::kWild;
      Ws();
    }
    if (Peek() != '"') return Fail("a quoted string");
    size_t open = pos_++;
    std::string text;
    while (!AtEnd() && Peek() != '"') {
      if (Peek() == '\\' && pos_ + 1 < s_.size()) ++pos_;
      text.push_back(s_[pos_++]);
    }
    if (AtEnd()) return FailAt(open, "the string starting here has no closing '\"'");
    ++pos_;
    f->terms.push_back({how, absl::AsciiStrToLower(text)});
  }

  absl::string_view s_;
  const EclLimits limits_;
  size_t pos_ = 0;
  int depth_ = 0;     // current nesting, see Nesting
  int operands_ = 0;  // constraints so far, see NewExpr
  bool failed_ = false;
  std::string error_;
};

}  // namespace

absl::StatusOr<Ecl> Ecl::Parse(absl::string_view text, const EclLimits& limits) {
  Parser p(text, limits);
  absl::StatusOr<std::unique_ptr<Expr>> root = p.ParseAll();
  if (!root.ok()) return root.status();
  return Ecl(std::string(text), std::shared_ptr<const Expr>(std::move(*root)), limits.max_cost);
}

}  // namespace sprout::snomed
