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
  kTop,                 // !!>  members with no proper ancestor in the set
  kBottom,              // !!<  members with no proper descendant in the set
};

struct Expr;
struct Refinement;

// effectiveTime op "YYYYMMDD" (or = / != a set of dates).
struct TimeCondition {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  Op op = Op::kEq;
  std::vector<uint32_t> times;  // one, or a set for = / !=
};

// A concept-valued condition: = / != a constraint (or a set of concepts,
// parsed as an OR of them). The value is evaluated once per evaluation.
struct ConceptCondition {
  bool negated = false;
  std::unique_ptr<Expr> value;
};

// A condition on a description's language refset rows: dialect / dialectId,
// preferredIn, acceptableIn, languageRefSetId. Holds if the description has
// an active row in one of the refsets with the acceptability asked for.
enum class Acceptability { kAny, kPreferred, kAcceptable };
struct DialectCondition {
  struct Entry {
    uint64_t refset;  // dialect aliases resolved
    Acceptability acceptability;
  };
  bool negated = false;
  std::vector<Entry> entries;
  std::unique_ptr<Expr> constraint;  // or a constraint naming the refsets
  Acceptability constraint_acceptability = Acceptability::kAny;
};

// A description filter {{ D term = "...", type = syn, dialect = en-gb (prefer) ... }}.
// Every condition must hold for the same description.
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
  int active = 1;                // 1 active only (the default), 0 inactive only, -1 either
  std::vector<DialectCondition> dialects;
  std::vector<ConceptCondition> modules;
  std::vector<TimeCondition> times;
  std::vector<uint64_t> ids;  // id = ...; empty = any
  bool ids_negated = false;
};

// A concept filter {{ C active = true, moduleId = ..., definitionStatus = primitive,
// effectiveTime >= "20200101" }}: all must hold for the concept.
struct ConceptFilter {
  int active = -1;                                  // -1 any, 0 inactive, 1 active
  std::vector<ConceptCondition> definition_status;  // value: 900000000000074008 / ...073002
  std::vector<ConceptCondition> modules;
  std::vector<TimeCondition> times;
};

// Refset member fields ECL can name (member filters, field selection).
enum class MemberField {
  kReferencedComponentId,
  kTargetComponentId,  // association refsets
  kValueId,            // attribute-value refsets
  kModuleId,
  kRefsetId,
};

// A member filter {{ M targetComponentId = << x, active = 1, moduleId = ..., effectiveTime >= ...
// }}.
struct MemberFilter {
  struct FieldCondition {
    MemberField field;
    ConceptCondition condition;
  };
  std::vector<FieldCondition> fields;
  int active = 1;  // as DescriptionFilter::active: active rows unless asked
  std::vector<ConceptCondition> modules;
  std::vector<TimeCondition> times;
};

// {{ +HISTORY-MIN }} ...: which historical association refsets to follow.
struct HistorySupplement {
  enum class Profile { kNone, kMin, kMod, kMax, kExplicit };
  Profile profile = Profile::kNone;
  std::unique_ptr<Expr> refsets;  // kExplicit: {{ +HISTORY (constraint) }}
};

struct Cardinality {
  uint32_t min = 1;
  uint32_t max = UINT32_MAX;  // * = unbounded
  bool given = false;
};

struct Attribute {
  // What the attribute is compared with: a constraint over concepts, or a
  // concrete value (#number, "text") of a concrete relationship.
  enum class ValueKind { kConstraint, kNumber, kText };
  enum class Comparison { kEq, kNe, kLt, kLe, kGt, kGe };
  Cardinality cardinality;
  bool reverse = false;
  bool not_equal = false;  // != rather than =
  std::unique_ptr<Expr> name;
  std::unique_ptr<Expr> value;  // kConstraint
  ValueKind value_kind = ValueKind::kConstraint;
  Comparison comparison = Comparison::kEq;
  double number = 0;  // kNumber
  std::string text;   // kText, exact (case-sensitive)
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
  // kConcept named by an alternate identifier scheme#code (concept_id 0),
  // resolved through the release's identifier file when evaluated.
  bool alternate = false;
  std::string alternate_scheme, alternate_code;
  std::vector<std::unique_ptr<Expr>> children;
  std::unique_ptr<Refinement> refinement;
  std::vector<DescriptionFilter> filters;      // all must hold
  std::vector<ConceptFilter> concept_filters;  // all must hold
  // kMemberOf only: member filters (all must hold for the same row) and the
  // fields selected (empty = referencedComponentId, the plain ^).
  std::vector<MemberFilter> member_filters;
  std::vector<MemberField> fields;
  bool all_fields = false;  // ^ [*]
  HistorySupplement history;
  bool HasFilters() const {
    return !filters.empty() || !concept_filters.empty() ||
           history.profile != HistorySupplement::Profile::kNone;
  }
};

}  // namespace sprout::snomed::ecl

#endif  // SPROUT_SNOMED_ECL_AST_H_
