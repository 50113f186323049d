// File: snomed/ecl_ast.h
//
// The syntax tree of a parsed ECL expression. Internal to the snomed library:
// built by the parser (ecl_parser.cc), walked by the evaluator (ecl_eval.cc).
#ifndef SPROUT_SNOMED_ECL_AST_H_
#define SPROUT_SNOMED_ECL_AST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sprout::snomed::ecl {

enum class Operator {
  kSelf,
  kDescendantOf,        // <
  kDescendantOrSelfOf,  // <<
  kChildOf,             // <!
  kChildOrSelfOf,       // <<!
  kAncestorOf,          // >
  kAncestorOrSelfOf,    // >>
  kParentOf,            // >!
  kParentOrSelfOf,      // >>!
};

struct Expr;
struct Refinement;

// A description filter {{ term = "...", type = syn, language = en }}.
struct DescriptionFilter {
  enum class TermMatch { kMatch, kWild };
  struct TermValue {
    TermMatch how;
    std::string text;  // lower-cased
  };
  bool has_term = false;
  bool term_negated = false;     // term != ...
  std::vector<TermValue> terms;  // any of
  std::vector<uint8_t> types;    // DescriptionType values; empty = any
  std::string language;          // "" = any
};

struct Cardinality {
  uint32_t min = 1;
  uint32_t max = UINT32_MAX;  // * = unbounded
  bool given = false;
};

struct Attribute {
  Cardinality cardinality;
  bool reverse = false;
  bool not_equal = false;  // != rather than =
  std::unique_ptr<Expr> name;
  std::unique_ptr<Expr> value;
};

struct Refinement {
  enum class Kind { kAttribute, kGroup, kAnd, kOr };
  Kind kind = Kind::kAttribute;
  Attribute attribute;                                // kAttribute
  Cardinality group_cardinality;                      // kGroup
  std::vector<std::unique_ptr<Refinement>> children;  // kGroup (one), kAnd, kOr
};

struct Expr {
  enum class Kind {
    kConcept,   // op + concept id
    kAny,       // op + *
    kNested,    // op + ( expr )
    kMemberOf,  // op + ^ focus (focus in children[0] or concept_id)
    kAnd,
    kOr,
    kMinus,
    kRefined,  // children[0] : refinement
    kDotted,   // children[0] . children[1] (attribute name)
  };
  Kind kind = Kind::kConcept;
  size_t offset = 0;  // byte offset in the text where the constraint starts, for errors
  Operator op = Operator::kSelf;
  uint64_t concept_id = 0;
  std::vector<std::unique_ptr<Expr>> children;
  std::unique_ptr<Refinement> refinement;
  std::vector<DescriptionFilter> filters;  // all must hold
};

}  // namespace sprout::snomed::ecl

#endif  // SPROUT_SNOMED_ECL_AST_H_
