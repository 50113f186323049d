// Ecl::Parse and the parser's expressions, refinements and concept references
// (the filters are in ecl_filter_parser.cc; the class is in ecl_parser.h).
#include "snomed/ecl_parser.h"

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace sprout::snomed {
namespace ecl_parser {

std::unique_ptr<Expr> Parser::ParseExpression() {
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

std::unique_ptr<Expr> Parser::ParseDotted() {
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

bool Parser::ParseOperator(Operator* op) {
  static const struct {
    const char* token;
    Operator op;
    bool word;
  } kOps[] = {
      {"!!>", Operator::kTop, false},
      {"!!<", Operator::kBottom, false},
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

std::unique_ptr<Expr> Parser::ParseSub() {
  std::unique_ptr<Expr> e = NewExpr();
  if (failed_) return nullptr;
  ParseOperator(&e->op);
  Ws();
  if (Peek() == '^' || PeekKeyword("memberOf")) {
    pos_ += Peek() == '^' ? 1 : 8;
    Ws();
    e->kind = Expr::Kind::kMemberOf;
    if (Peek() == '[') {
      ParseFieldSelection(e.get());
      if (failed_) return nullptr;
      Ws();
    }
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
  } else if (AtAlternateIdentifier() && !AtSnomedScheme()) {
    e->kind = Expr::Kind::kConcept;
    e->alternate = true;
    size_t hash = s_.find('#', pos_);
    e->alternate_scheme = std::string(s_.substr(pos_, hash - pos_));
    pos_ = hash + 1;
    size_t start = pos_;
    while (!AtEnd() && !isspace(static_cast<unsigned char>(Peek())) &&
           !strchr("|(){}[],:=^!<>\"", Peek())) {
      ++pos_;
    }
    if (pos_ == start) return Fail("a code after '#'"), nullptr;
    e->alternate_code = std::string(s_.substr(start, pos_ - start));
    SkipTerm();
  } else if (isdigit(static_cast<unsigned char>(Peek())) || AtAlternateIdentifier()) {
    e->kind = Expr::Kind::kConcept;
    e->concept_id = ParseConceptReference();
  } else {
    Fail("a concept id, '*', '^' or '('");
    return nullptr;
  }
  ParseFilters(e.get());
  if (failed_) return nullptr;
  return e;
}

bool Parser::AtAlternateIdentifier() const {
  if (!isalpha(static_cast<unsigned char>(Peek()))) return false;
  for (size_t k = pos_; k < s_.size(); ++k) {
    char c = s_[k];
    if (c == '#') return k + 1 < s_.size() && !isspace(static_cast<unsigned char>(s_[k + 1]));
    if (!(IsWordChar(c) || c == '.' || c == ':' || c == '/' || c == '-')) return false;
  }
  return false;
}

bool Parser::AtSnomedScheme() const {
  size_t hash = s_.find('#', pos_);
  if (hash == absl::string_view::npos) return false;
  absl::string_view scheme = s_.substr(pos_, hash - pos_);
  return scheme == "http://snomed.info/sct" || absl::EqualsIgnoreCase(scheme, "SNOMED-CT") ||
         absl::EqualsIgnoreCase(scheme, "sct");
}

uint64_t Parser::ParseConceptReference() {
  if (AtAlternateIdentifier()) {
    size_t start = pos_;
    size_t hash = s_.find('#', pos_);
    if (!AtSnomedScheme()) {
      FailAt(start, absl::StrCat("the alternate identifier '", s_.substr(start, hash - start),
                                 "#...' cannot stand here: only a concept id or "
                                 "http://snomed.info/sct#SCTID can"));
      return 0;
    }
    pos_ = hash + 1;
    if (!isdigit(static_cast<unsigned char>(Peek()))) {
      Fail("an SCTID after '#'");
      return 0;
    }
  }
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

std::unique_ptr<Refinement> Parser::ParseRefinement() {
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

bool Parser::ParseCardinality(Cardinality* c) {
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

bool Parser::ParseUint(uint32_t* out) {
  size_t start = pos_;
  uint64_t v = 0;
  while (isdigit(static_cast<unsigned char>(Peek())) && pos_ - start < 9)
    v = v * 10 + (s_[pos_++] - '0');
  *out = static_cast<uint32_t>(v);
  return pos_ > start;
}

std::unique_ptr<Refinement> Parser::ParseSubRefinement() {
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
        Peek() == '*' || Peek() == '(' || Peek() == '^' || Peek() == '!' ||
        AtAlternateIdentifier())) {
    Fail("an attribute (a concept id, '*', '<<' ...), '{', '[' or '('");
    return nullptr;
  }
  a.name = ParseSub();
  if (failed_) return nullptr;
  Ws();
  using Comparison = Attribute::Comparison;
  const size_t op_at = pos_;
  if (Consume("!="))
    a.comparison = Comparison::kNe;
  else if (Consume("<="))
    a.comparison = Comparison::kLe;
  else if (Consume(">="))
    a.comparison = Comparison::kGe;
  else if (Consume("="))
    a.comparison = Comparison::kEq;
  else if (Consume("<"))
    a.comparison = Comparison::kLt;
  else if (Consume(">"))
    a.comparison = Comparison::kGt;
  else
    return Fail("'=' or '!=' after the attribute name"), nullptr;
  a.not_equal = a.comparison == Comparison::kNe;
  const bool ordering = a.comparison != Comparison::kEq && a.comparison != Comparison::kNe;
  Ws();
  if (Peek() == '#') {
    ++pos_;
    size_t start = pos_;
    if (Peek() == '-' || Peek() == '+') ++pos_;
    size_t digits = 0;
    while (isdigit(static_cast<unsigned char>(Peek()))) ++pos_, ++digits;
    if (Peek() == '.') {
      ++pos_;
      while (isdigit(static_cast<unsigned char>(Peek()))) ++pos_, ++digits;
    }
    if (digits == 0 || digits > 30) return Fail("a number after '#', e.g. #500 or #0.5"), nullptr;
    a.value_kind = Attribute::ValueKind::kNumber;
    a.number = std::strtod(std::string(s_.substr(start, pos_ - start)).c_str(), nullptr);
  } else if (Peek() == '"') {
    if (ordering) {
      return FailAt(op_at, "a string value compares only with '=' or '!='"), nullptr;
    }
    size_t open = pos_++;
    while (!AtEnd() && Peek() != '"') {
      if (Peek() == '\\' && pos_ + 1 < s_.size()) ++pos_;
      a.text.push_back(s_[pos_++]);
    }
    if (AtEnd()) return FailAt(open, "the string starting here has no closing '\"'"), nullptr;
    ++pos_;
    a.value_kind = Attribute::ValueKind::kText;
  } else if (PeekKeyword("true") || PeekKeyword("false")) {
    return FailAt(pos_,
                  "boolean concrete values are not supported: RF2 concrete values are "
                  "numbers (#n) and strings (\"text\")"),
           nullptr;
  } else if (ordering) {
    return FailAt(op_at,
                  "'<', '<=', '>' and '>=' compare concrete numbers: expected '#' and a "
                  "number after them"),
           nullptr;
  }
  if (a.value_kind != Attribute::ValueKind::kConstraint) {
    if (a.reverse) {
      return FailAt(op_at, "a reverse attribute (R) cannot have a concrete value"), nullptr;
    }
    return r;
  }
  a.value = ParseSub();
  return r;
}

}  // namespace ecl_parser

absl::StatusOr<Ecl> Ecl::Parse(absl::string_view text, const EclLimits& limits) {
  ecl_parser::Parser p(text, limits);
  absl::StatusOr<std::unique_ptr<ecl::Expr>> root = p.ParseAll();
  if (!root.ok()) return root.status();
  return Ecl(std::string(text), std::shared_ptr<const ecl::Expr>(std::move(*root)),
             limits.max_cost);
}

}  // namespace sprout::snomed
