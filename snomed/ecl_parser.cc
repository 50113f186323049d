// Recursive-descent parser for the ECL subset documented in snomed/ecl.h.
// Every error carries the 1-based column (in characters) where it was found.
#include <cctype>
#include <cstdlib>
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

constexpr uint64_t kPrimitive = 900000000000074008;

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

  std::unique_ptr<Expr> ParseSub() {
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

  // {{ M ... }} (after ^ only, first), {{ D ... }} / {{ C ... }} in any
  // order, then at most one {{ + HISTORY ... }}, last.
  void ParseFilters(Expr* e) {
    // Filters hold constraints (moduleId = << x {{ ... }}), so a block is a
    // level of nesting.
    std::unique_ptr<Nesting> nesting;
    while (!failed_) {
      size_t save = pos_;
      Ws();
      if (!(Peek() == '{' && Peek(1) == '{')) {
        pos_ = save;
        return;
      }
      if (nesting == nullptr) {
        nesting = std::make_unique<Nesting>(this);
        if (failed_) return;
      }
      const size_t open = pos_;
      pos_ += 2;
      Ws();
      if (e->history.profile != ecl::HistorySupplement::Profile::kNone) {
        FailAt(open, "a history supplement ({{ +HISTORY ... }}) must be the last filter");
        return;
      }
      const char k = Peek();
      const bool letter = !IsWordChar(Peek(1));
      if (k == '+') {
        ++pos_;
        Ws();
        ParseHistorySupplement(e);
      } else if ((k == 'M' || k == 'm') && letter) {
        if (e->kind != Expr::Kind::kMemberOf) {
          FailAt(pos_, "a member filter ({{ M ... }}) applies only to '^' (memberOf)");
          return;
        }
        if (!e->filters.empty() || !e->concept_filters.empty()) {
          FailAt(pos_,
                 "member filters ({{ M ... }}) must come before description and concept "
                 "filters");
          return;
        }
        ++pos_;
        e->member_filters.push_back(ParseMemberFilterBlock());
      } else if ((k == 'C' || k == 'c') && letter) {
        ++pos_;
        e->concept_filters.push_back(ParseConceptFilterBlock());
      } else {
        if ((k == 'D' || k == 'd') && letter) ++pos_;
        e->filters.push_back(ParseFilterBlock());
      }
    }
  }

  // ---- shared filter pieces ----

  // '=' or '!='; sets *negated.
  bool ParseEqNe(bool* negated, absl::string_view after) {
    Ws();
    if (Consume("!=")) {
      *negated = true;
    } else if (Consume("=")) {
      *negated = false;
    } else {
      Fail(absl::StrCat("'=' or '!=' after ", after));
      return false;
    }
    Ws();
    return true;
  }

  // true / false / 1 / 0 after '=' or '!='.
  bool ParseActive(int* active) {
    bool negated = false;
    if (!ParseEqNe(&negated, "active")) return false;
    bool value;
    if (PeekKeyword("true")) {
      pos_ += 4;
      value = true;
    } else if (PeekKeyword("false")) {
      pos_ += 5;
      value = false;
    } else if ((Peek() == '1' || Peek() == '0') && !IsWordChar(Peek(1))) {
      value = Peek() == '1';
      ++pos_;
    } else {
      Fail("true, false, 1 or 0");
      return false;
    }
    *active = (value != negated) ? 1 : 0;
    return true;
  }

  // effectiveTime op "YYYYMMDD" | = / != ("YYYYMMDD" ...).
  bool ParseTime(ecl::TimeCondition* t) {
    using Op = ecl::TimeCondition::Op;
    Ws();
    if (Consume("!="))
      t->op = Op::kNe;
    else if (Consume("<="))
      t->op = Op::kLe;
    else if (Consume(">="))
      t->op = Op::kGe;
    else if (Consume("="))
      t->op = Op::kEq;
    else if (Consume("<"))
      t->op = Op::kLt;
    else if (Consume(">"))
      t->op = Op::kGt;
    else
      return Fail("'=', '!=', '<', '<=', '>' or '>=' after effectiveTime"), false;
    Ws();
    const bool set = Peek() == '(';
    if (set) {
      if (t->op != Op::kEq && t->op != Op::kNe) {
        return FailAt(pos_, "a set of dates needs '=' or '!='"), false;
      }
      ++pos_;
      Ws();
    }
    do {
      size_t at = pos_;
      if (!Consume("\"")) return Fail("a date in quotes, e.g. \"20250101\""), false;
      size_t start = pos_;
      while (isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
      if (pos_ - start != 8 || !Consume("\"")) {
        return FailAt(at, "expected a date \"YYYYMMDD\""), false;
      }
      uint32_t v = 0;
      for (size_t i = start; i < start + 8; ++i) v = v * 10 + (s_[i] - '0');
      t->times.push_back(v);
      Ws();
    } while (set && Peek() != ')' && !AtEnd());
    if (set && !Consume(")")) return Fail("')'"), false;
    return true;
  }

  // A concept-valued comparand: a constraint, or a set (a b c) of concepts.
  std::unique_ptr<Expr> ParseConceptValue() {
    if (Peek() == '(') {
      size_t save = pos_;
      ++pos_;
      Ws();
      std::vector<uint64_t> ids;
      std::vector<size_t> at;
      while (isdigit(static_cast<unsigned char>(Peek()))) {
        at.push_back(pos_);
        ids.push_back(ParseConceptReference());
        if (failed_) return nullptr;
        size_t before = pos_;
        Ws();
        if (Peek() != ')' && before == pos_) break;  // not a whitespace-separated set
      }
      if (ids.size() >= 2 && Peek() == ')') {
        ++pos_;
        auto set = NewExpr();
        set->kind = Expr::Kind::kOr;
        set->offset = save;
        for (size_t k = 0; k < ids.size(); ++k) {
          auto c = NewExpr();
          c->kind = Expr::Kind::kConcept;
          c->concept_id = ids[k];
          c->offset = at[k];
          set->children.push_back(std::move(c));
        }
        return set;
      }
      pos_ = save;
    }
    if (!(isdigit(static_cast<unsigned char>(Peek())) || Peek() == '<' || Peek() == '>' ||
          Peek() == '*' || Peek() == '(' || Peek() == '^' || Peek() == '!' ||
          AtAlternateIdentifier())) {
      Fail("a concept id, a constraint or a set (a b ...)");
      return nullptr;
    }
    return ParseSub();
  }

  bool ParseConceptCondition(ecl::ConceptCondition* c, absl::string_view field) {
    if (!ParseEqNe(&c->negated, field)) return false;
    c->value = ParseConceptValue();
    return !failed_;
  }

  // After a filter's condition: ',' for another, or '}}' to end.
  bool NextCondition() {
    Ws();
    if (Consume(",")) return true;
    if (Consume("}}")) return false;
    Fail("',' or '}}'");
    return false;
  }

  // ---- concept filters ----
  ecl::ConceptFilter ParseConceptFilterBlock() {
    ecl::ConceptFilter f;
    while (!failed_) {
      Ws();
      if (PeekKeyword("active")) {
        pos_ += 6;
        if (!ParseActive(&f.active)) return f;
      } else if (PeekKeyword("definitionStatusId")) {
        pos_ += 18;
        f.definition_status.emplace_back();
        if (!ParseConceptCondition(&f.definition_status.back(), "definitionStatusId")) return f;
      } else if (PeekKeyword("definitionStatus")) {
        pos_ += 16;
        ecl::ConceptCondition c;
        if (!ParseEqNe(&c.negated, "definitionStatus")) return f;
        const bool set = Consume("(");
        auto value = NewExpr();
        value->kind = Expr::Kind::kOr;
        do {
          Ws();
          auto id = NewExpr();
          id->kind = Expr::Kind::kConcept;
          if (PeekKeyword("primitive")) {
            pos_ += 9;
            id->concept_id = kPrimitive;
          } else if (PeekKeyword("defined")) {
            pos_ += 7;
            id->concept_id = kFullyDefined;
          } else {
            {
              Fail("primitive or defined");
              return f;
            }
          }
          value->children.push_back(std::move(id));
          Ws();
        } while (set && !failed_ && Peek() != ')' && !AtEnd());
        if (set && !Consume(")")) {
          Fail("')'");
          return f;
        }
        c.value = std::move(value);
        f.definition_status.push_back(std::move(c));
      } else if (PeekKeyword("moduleId")) {
        pos_ += 8;
        f.modules.emplace_back();
        if (!ParseConceptCondition(&f.modules.back(), "moduleId")) return f;
      } else if (PeekKeyword("effectiveTime")) {
        pos_ += 13;
        f.times.emplace_back();
        if (!ParseTime(&f.times.back())) return f;
      } else {
        {
          Fail(
              "'active', 'definitionStatus', 'definitionStatusId', 'moduleId' or "
              "'effectiveTime' in the concept filter");
          return f;
        }
      }
      if (!NextCondition()) return f;
    }
    return f;
  }

  // ---- member filters and field selection ----
  // Returns false (having failed) for a name ECL knows but this engine
  // cannot compare or select, or an unknown name.
  bool ParseMemberFieldName(ecl::MemberField* field, bool selection) {
    static const struct {
      const char* name;
      ecl::MemberField field;
    } kFields[] = {
        {"referencedComponentId", ecl::MemberField::kReferencedComponentId},
        {"targetComponentId", ecl::MemberField::kTargetComponentId},
        {"valueId", ecl::MemberField::kValueId},
        {"moduleId", ecl::MemberField::kModuleId},
        {"refsetId", ecl::MemberField::kRefsetId},
    };
    for (const auto& f : kFields) {
      if (PeekKeyword(f.name)) {
        pos_ += strlen(f.name);
        *field = f.field;
        return true;
      }
    }
    size_t start = pos_;
    while (IsWordChar(Peek())) ++pos_;
    absl::string_view name = s_.substr(start, pos_ - start);
    if (name.empty()) {
      Fail(selection ? "a refset field name or '*'" : "a refset field name");
    } else if (name == "acceptabilityId") {
      FailAt(start,
             "acceptabilityId belongs to language refsets, whose members are descriptions; use a "
             "description filter ({{ D dialect = ... }})");
    } else if (name == "id" || name == "effectiveTime" || name == "active" ||
               absl::StartsWith(name, "map") || name == "correlationId") {
      FailAt(start, absl::StrCat(selection ? "selecting the field '" : "the member field '", name,
                                 selection ? "' is not supported: only concept-valued fields "
                                             "(referencedComponentId, targetComponentId, valueId, "
                                             "moduleId, refsetId) can be selected"
                                           : "' cannot be compared here; member filters support "
                                             "referencedComponentId, targetComponentId, valueId, "
                                             "moduleId, effectiveTime and active"));
    } else {
      FailAt(start, absl::StrCat("unknown refset field '", name,
                                 "'; expected referencedComponentId, targetComponentId, valueId, "
                                 "moduleId or refsetId"));
    }
    return false;
  }

  // At '['.
  void ParseFieldSelection(Expr* e) {
    ++pos_;
    Ws();
    if (Consume("*")) {
      e->all_fields = true;
      Ws();
    } else {
      while (!failed_) {
        ecl::MemberField f;
        if (!ParseMemberFieldName(&f, /*selection=*/true)) return;
        e->fields.push_back(f);
        Ws();
        if (!Consume(",")) break;
        Ws();
      }
    }
    if (!failed_ && !Consume("]")) Fail("',' or ']' after the field names");
  }

  ecl::MemberFilter ParseMemberFilterBlock() {
    ecl::MemberFilter f;
    while (!failed_) {
      Ws();
      if (PeekKeyword("active")) {
        pos_ += 6;
        if (!ParseActive(&f.active)) return f;
      } else if (PeekKeyword("effectiveTime")) {
        pos_ += 13;
        f.times.emplace_back();
        if (!ParseTime(&f.times.back())) return f;
      } else {
        ecl::MemberField field;
        if (!ParseMemberFieldName(&field, /*selection=*/false)) return f;
        Ws();
        if (Peek() == '<' || Peek() == '>' || (Peek() == '=' && Peek(1) == '=')) {
          {
            FailAt(pos_, "only '=' and '!=' compare concept-valued member fields");
            return f;
          }
        }
        ecl::ConceptCondition c;
        if (!ParseConceptCondition(&c, "the member field")) return f;
        if (field == ecl::MemberField::kModuleId) {
          f.modules.push_back(std::move(c));
        } else {
          f.fields.push_back({field, std::move(c)});
        }
      }
      if (!NextCondition()) return f;
    }
    return f;
  }

  // ---- history supplements ----
  // After '+'.
  void ParseHistorySupplement(Expr* e) {
    using Profile = ecl::HistorySupplement::Profile;
    if (!PeekKeyword("history") && !absl::StartsWithIgnoreCase(s_.substr(pos_), "history-")) {
      return Fail("HISTORY after '+'");
    }
    pos_ += 7;
    if (Consume("-")) {
      if (PeekKeyword("min")) {
        e->history.profile = Profile::kMin;
      } else if (PeekKeyword("mod")) {
        e->history.profile = Profile::kMod;
      } else if (PeekKeyword("max")) {
        e->history.profile = Profile::kMax;
      } else {
        return Fail("MIN, MOD or MAX after HISTORY-");
      }
      pos_ += 3;
    } else {
      Ws();
      if (Peek() == '(') {
        ++pos_;
        Ws();
        e->history.profile = Profile::kExplicit;
        e->history.refsets = ParseExpression();
        if (failed_) return;
        Ws();
        if (!Consume(")")) return Fail("')'");
      } else {
        e->history.profile = Profile::kMax;
      }
    }
    Ws();
    if (!Consume("}}")) Fail("'}}' after the history supplement");
  }

  // scheme#code: a word or URI, then '#' and a code.
  bool AtAlternateIdentifier() const {
    if (!isalpha(static_cast<unsigned char>(Peek()))) return false;
    for (size_t k = pos_; k < s_.size(); ++k) {
      char c = s_[k];
      if (c == '#') return k + 1 < s_.size() && !isspace(static_cast<unsigned char>(s_[k + 1]));
      if (!(IsWordChar(c) || c == '.' || c == ':' || c == '/' || c == '-')) return false;
    }
    return false;
  }

  // At http://snomed.info/sct# (or sct#, SNOMED-CT#): the code is an SCTID.
  bool AtSnomedScheme() const {
    size_t hash = s_.find('#', pos_);
    if (hash == absl::string_view::npos) return false;
    absl::string_view scheme = s_.substr(pos_, hash - pos_);
    return scheme == "http://snomed.info/sct" || absl::EqualsIgnoreCase(scheme, "SNOMED-CT") ||
           absl::EqualsIgnoreCase(scheme, "sct");
  }

  // An SCTID, or the alternate identifier http://snomed.info/sct#SCTID.
  // Other schemes stand only where a constraint may (see ParseSub).
  uint64_t ParseConceptReference() {
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

  // ---- description filters ----
  DescriptionFilter ParseFilterBlock() {
    DescriptionFilter f;
    while (!failed_) {
      Ws();
      if (PeekKeyword("dialectId")) {
        pos_ += 9;
        if (!ParseDialect(&f, /*aliases=*/false)) return f;
      } else if (PeekKeyword("dialect")) {
        pos_ += 7;
        if (!ParseDialect(&f, /*aliases=*/true)) return f;
      } else if (PeekKeyword("preferredIn") || PeekKeyword("acceptableIn") ||
                 PeekKeyword("languageRefSetId")) {
        ecl::DialectCondition d;
        d.constraint_acceptability = Peek() == 'p'   ? ecl::Acceptability::kPreferred
                                     : Peek() == 'a' ? ecl::Acceptability::kAcceptable
                                                     : ecl::Acceptability::kAny;
        const char* name = Peek() == 'p'   ? "preferredIn"
                           : Peek() == 'a' ? "acceptableIn"
                                           : "languageRefSetId";
        pos_ += strlen(name);
        if (!ParseEqNe(&d.negated, name)) return f;
        d.constraint = ParseConceptValue();
        if (failed_) return f;
        f.dialects.push_back(std::move(d));
      } else if (PeekKeyword("moduleId")) {
        pos_ += 8;
        f.modules.emplace_back();
        if (!ParseConceptCondition(&f.modules.back(), "moduleId")) return f;
      } else if (PeekKeyword("effectiveTime")) {
        pos_ += 13;
        f.times.emplace_back();
        if (!ParseTime(&f.times.back())) return f;
      } else if (PeekKeyword("active")) {
        pos_ += 6;
        if (!ParseActive(&f.active)) return f;
      } else if (PeekKeyword("id")) {
        pos_ += 2;
        if (!ParseEqNe(&f.ids_negated, "id")) return f;
        const bool set = Consume("(");
        do {
          Ws();
          size_t start = pos_;
          while (isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
          absl::StatusOr<uint64_t> id =
              ParseSctid(s_.substr(start, pos_ - start), kDescriptionPartitions);
          if (!id.ok()) {
            FailAt(start, id.status().message());
            return f;
          }
          f.ids.push_back(*id);
          SkipTerm();
          if (failed_) return f;
          Ws();
        } while (set && Peek() != ')' && !AtEnd());
        if (set && !Consume(")")) {
          Fail("')'");
          return f;
        }
      } else if (PeekKeyword("term")) {
        pos_ += 4;
        Ws();
        if (Consume("!="))
          f.term_negated = true;
        else if (!Consume("=")) {
          Fail("'=' or '!=' after term");
          return f;
        }
        Ws();
        f.has_term = true;
        if (Consume("(")) {
          Ws();
          while (!failed_ && Peek() != ')') {
            ParseTypedString(&f);
            Ws();
            if (AtEnd()) {
              Fail("')'");
              return f;
            }
          }
          ++pos_;
        } else {
          ParseTypedString(&f);
        }
      } else if (PeekKeyword("typeId")) {
        pos_ += 6;
        Ws();
        if (!Consume("=")) {
          Fail("'='");
          return f;
        }
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
          if (t == 255) {
            FailAt(at, "typeId must be an FSN, synonym or definition type");
            return f;
          }
          f.types.push_back(t);
          Ws();
        } while (list && !failed_ && Peek() != ')' && !AtEnd());
        if (list && !Consume(")")) {
          Fail("')'");
          return f;
        }
      } else if (PeekKeyword("type")) {
        pos_ += 4;
        Ws();
        if (!Consume("=")) {
          Fail("'='");
          return f;
        }
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
          } else {
            Fail("syn, fsn or def");
            return f;
          }
          Ws();
        } while (list && !failed_ && Peek() != ')' && !AtEnd());
        if (list && !Consume(")")) {
          Fail("')'");
          return f;
        }
      } else if (PeekKeyword("language")) {
        pos_ += 8;
        Ws();
        if (!Consume("=")) {
          Fail("'='");
          return f;
        }
        Ws();
        size_t start = pos_;
        while (isalpha(static_cast<unsigned char>(Peek()))) ++pos_;
        if (pos_ - start != 2) {
          FailAt(start, "expected a two-letter language code");
          return f;
        }
        f.language = absl::AsciiStrToLower(s_.substr(start, 2));
      } else {
        {
          Fail(
              "'term', 'type', 'typeId', 'language', 'dialect', 'dialectId', 'preferredIn', "
              "'acceptableIn', 'languageRefSetId', 'moduleId', 'effectiveTime', 'active' or "
              "'id' in the description filter");
          return f;
        }
      }
      if (!NextCondition()) return f;
    }
    return f;
  }

  // An optional |term| after an id.
  void SkipTerm() {
    size_t save = pos_;
    Ws();
    if (Peek() != '|') {
      pos_ = save;
      return;
    }
    size_t close = s_.find('|', pos_ + 1);
    if (close == absl::string_view::npos) {
      FailAt(pos_, "the term starting here has no closing '|'");
      return;
    }
    pos_ = close + 1;
  }

  // dialect = en-gb [(prefer)] | (en-gb (prefer) en-us ...); dialectId the
  // same with refset ids. After the keyword.
  bool ParseDialect(DescriptionFilter* f, bool aliases) {
    static const struct {
      const char* alias;
      uint64_t refset;
    } kAliases[] = {
        {"en-gb", kGbLanguageRefset},
        {"en-us", kUsLanguageRefset},
        {"en-nhs-clinical", kNhsRealmLanguageRefset},
        {"en-nhs-pharmacy", kNhsRealmPharmacyLanguageRefset},
        {"en-nhs", kNhsRealmLanguageRefset},
    };
    ecl::DialectCondition d;
    if (!ParseEqNe(&d.negated, aliases ? "dialect" : "dialectId")) return false;
    const bool set = Consume("(");
    do {
      Ws();
      ecl::DialectCondition::Entry entry{0, ecl::Acceptability::kAny};
      if (aliases) {
        size_t start = pos_;
        while (IsWordChar(Peek()) || Peek() == '-') ++pos_;
        std::string alias = absl::AsciiStrToLower(s_.substr(start, pos_ - start));
        if (alias.empty()) return Fail("a dialect alias, e.g. en-gb"), false;
        for (const auto& a : kAliases) {
          if (alias == a.alias) entry.refset = a.refset;
        }
        if (entry.refset == 0) {
          return FailAt(start, absl::StrCat("unknown dialect alias '", alias,
                                            "'; known: en-gb, en-us, en-nhs-clinical, "
                                            "en-nhs-pharmacy (or use dialectId)")),
                 false;
        }
      } else {
        if (!isdigit(static_cast<unsigned char>(Peek()))) {
          return Fail("a language refset id"), false;
        }
        entry.refset = ParseConceptReference();
        if (failed_) return false;
      }
      size_t save = pos_;
      Ws();
      if (Peek() == '(') {
        if (!ParseAcceptabilitySet(&entry.acceptability)) return false;
      } else {
        pos_ = save;
      }
      d.entries.push_back(entry);
      Ws();
    } while (set && Peek() != ')' && !AtEnd());
    if (set && !Consume(")")) return Fail("')'"), false;
    f->dialects.push_back(std::move(d));
    return true;
  }

  // (prefer) / (accept) / (prefer accept) / (900000000000548007 ...). At '('.
  bool ParseAcceptabilitySet(ecl::Acceptability* out) {
    ++pos_;
    bool preferred = false, acceptable = false;
    Ws();
    while (!failed_ && Peek() != ')') {
      if (PeekKeyword("prefer") || PeekKeyword("preferred")) {
        pos_ += PeekKeyword("prefer") ? 6 : 9;
        preferred = true;
      } else if (PeekKeyword("accept") || PeekKeyword("acceptable")) {
        pos_ += PeekKeyword("accept") ? 6 : 10;
        acceptable = true;
      } else if (isdigit(static_cast<unsigned char>(Peek()))) {
        size_t at = pos_;
        uint64_t id = ParseConceptReference();
        if (failed_) return false;
        if (id == kPreferred) {
          preferred = true;
        } else if (id == kAcceptable) {
          acceptable = true;
        } else {
          return FailAt(at,
                        "an acceptability must be 900000000000548007 |Preferred| or "
                        "900000000000549004 |Acceptable|"),
                 false;
        }
      } else {
        return Fail("prefer, accept or an acceptability id"), false;
      }
      Ws();
    }
    if (!Consume(")")) return Fail("')'"), false;
    if (!preferred && !acceptable) return FailAt(pos_ - 1, "an empty acceptability set"), false;
    *out = preferred && acceptable ? ecl::Acceptability::kAny
           : preferred             ? ecl::Acceptability::kPreferred
                                   : ecl::Acceptability::kAcceptable;
    return true;
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
