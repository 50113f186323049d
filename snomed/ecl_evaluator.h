// File: snomed/ecl_evaluator.h
//
// The ECL evaluator behind Ecl::Evaluate and Ecl::Matches (snomed/ecl.h),
// shared by the files that define it: ecl_eval.cc (set evaluation, hierarchy
// operators, refinements, matching) and ecl_filter_eval.cc (concept,
// description and member filters, history supplements). Internal to snomed/.
#ifndef SPROUT_SNOMED_ECL_EVALUATOR_H_
#define SPROUT_SNOMED_ECL_EVALUATOR_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "snomed/build.h"
#include "snomed/ecl.h"
#include "snomed/ecl_ast.h"

namespace sprout::snomed::ecl_eval {

using ecl::ConceptCondition;
using ecl::ConceptFilter;
using ecl::DescriptionFilter;
using ecl::DialectCondition;
using ecl::Expr;
using ecl::HistorySupplement;
using ecl::MemberField;
using ecl::MemberFilter;
using ecl::Operator;
using ecl::Refinement;
using ecl::TimeCondition;
using Set = std::vector<uint32_t>;

inline Set Intersect(const Set& a, const Set& b) {
  Set out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
inline Set Union(const Set& a, const Set& b) {
  Set out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
inline Set Difference(const Set& a, const Set& b) {
  Set out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
inline bool Contains(absl::Span<const uint32_t> sorted, uint32_t x) {
  return std::binary_search(sorted.begin(), sorted.end(), x);
}

constexpr uint64_t kPrimitive = 900000000000074008;
constexpr uint64_t kPartiallyEquivalentToRefset = 1186921001;

inline bool TimeMatches(const TimeCondition& t, uint32_t time) {
  using Op = TimeCondition::Op;
  switch (t.op) {
    case Op::kEq:
      return std::find(t.times.begin(), t.times.end(), time) != t.times.end();
    case Op::kNe:
      return std::find(t.times.begin(), t.times.end(), time) == t.times.end();
    case Op::kLt:
      return time < t.times[0];
    case Op::kLe:
      return time <= t.times[0];
    case Op::kGt:
      return time > t.times[0];
    case Op::kGe:
      return time >= t.times[0];
  }
  return false;
}

inline bool TimesMatch(const std::vector<TimeCondition>& ts, uint32_t time) {
  for (const TimeCondition& t : ts) {
    if (!TimeMatches(t, time)) return false;
  }
  return true;
}

inline bool ActiveMatches(int wanted, bool active) { return wanted < 0 || (wanted == 1) == active; }

// A plain concept id with no operator or filters (a comparand named, not
// constrained), or 0.
inline uint64_t PlainId(const Expr& e) {
  return e.kind == Expr::Kind::kConcept && !e.alternate && e.op == Operator::kSelf &&
                 !e.HasFilters()
             ? e.concept_id
             : 0;
}

// '*' glob over the whole (lower-cased) term.
inline bool WildMatch(absl::string_view pattern, absl::string_view text) {
  size_t p = 0, t = 0, star = absl::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// Evaluates one expression against one Terminology. With a budget, every
// step (a concept visited, a relationship or description tested, an element
// of a set operation) is charged; once the budget is spent the evaluator stops
// and remembers the constraint it was in. The results after exhaustion are
// meaningless and must be discarded (see exhausted()).
class Evaluator {
 public:
  explicit Evaluator(const Terminology& t, uint64_t budget = UINT64_MAX)
      : t_(t), d_(t.data()), n_(static_cast<uint32_t>(d_.concept_ids.size())), budget_(budget) {}

  Set Eval(const Expr& e);

  bool Match(const Expr& e, uint32_t c);

  // Does an alternate identifier node name any concept of the release?
  bool Resolves(const Expr& e) { return !Resolve(e).empty(); }

  // True once the budget has been spent; exhausted_at() is the constraint
  // being evaluated at that moment.
  bool exhausted() const { return exhausted_; }
  const Expr* exhausted_at() const { return exhausted_at_; }

 private:
  bool MatchCore(const Expr& e, uint32_t c) {
    return MatchNoFilter(e, c) &&
           ((e.filters.empty() && e.concept_filters.empty()) || PassesFilters(e, c));
  }

  // ---- history supplements ----
  using HistoryIt = std::vector<HistoryRecord>::const_iterator;
  std::pair<HistoryIt, HistoryIt> HistoryOf(uint32_t c) {
    Charge(1);
    return std::equal_range(
        d_.history.begin(), d_.history.end(), HistoryRecord{c, 0, 0, 0},
        [](const HistoryRecord& a, const HistoryRecord& b) { return a.source < b.source; });
  }

  // Is `refset_id` one of the association refsets of e's history profile?
  bool InProfile(const Expr& e, uint64_t refset_id);

  // `members` plus the inactive concepts with an association (of e's
  // profile) to one of them.
  Set WithHistory(const Expr& e, const Set& members);

  // ---- alternate identifiers ----
  // The concepts scheme#code names: the scheme alias is matched (ignoring
  // case) against the terms of each identifier scheme concept in the
  // release (an FSN without its semantic tag), or its SCTID.
  const Set& Resolve(const Expr& e);

  std::vector<uint64_t> SchemesNamed(absl::string_view alias);

  // ---- comparands ----
  // The set a filter's constraint denotes, evaluated once per evaluation.
  const Set& Cached(const Expr& e) {
    auto it = cache_.find(&e);
    if (it != cache_.end()) return it->second;
    Set s = Eval(e);
    return cache_.emplace(&e, std::move(s)).first->second;
  }

  // Does concept `id` (which need not be in the release: a module or
  // metadata concept) satisfy a comparand? Plain ids and sets of them are
  // compared as ids; a constraint is evaluated.
  bool InValue(const Expr& value, uint64_t id);
  bool Holds(const ConceptCondition& c, uint64_t id) { return InValue(*c.value, id) != c.negated; }
  bool AllHold(const std::vector<ConceptCondition>& cs, uint64_t id) {
    for (const ConceptCondition& c : cs) {
      if (!Holds(c, id)) return false;
    }
    return true;
  }

  // Spends `steps`; false, from then on, once the budget is gone.
  bool Charge(uint64_t steps) {
    if (exhausted_) return false;
    spent_ += steps;
    if (spent_ <= budget_) return true;
    exhausted_ = true;
    exhausted_at_ = current_;
    return false;
  }

  Set EvalNoFilter(const Expr& e);

  // Concepts in the refsets named by a memberOf node.
  Set Members(const Expr& e);

  std::vector<uint64_t> RefsetIdsOf(const Expr& e);

  // The concept-valued additional field of a row (targetComponentId for an
  // association, valueId for an attribute value), 0 if the row has none.
  static uint64_t FieldValue(const MemberRecord& m, MemberField f) {
    if (f == MemberField::kTargetComponentId && m.kind == MemberRow::kAssociation) return m.value;
    if (f == MemberField::kValueId && m.kind == MemberRow::kAttributeValue) return m.value;
    return 0;
  }

  bool PassesMemberFilter(const MemberFilter& f, const MemberRecord& m, uint64_t refset_id);

  // The rows of the refsets that pass every member filter (active rows only
  // when no filter says otherwise), projected on the fields selected.
  Set MemberRows(const Expr& e);

  // Top (no proper ancestor in base) and bottom (no proper descendant in base).
  Set TopOrBottom(Operator op, const Set& base);

  // Union of rows of `csr` for each concept in `base` (plus base for "self").
  Set UnionRows(const Csr<uint32_t>& csr, const Set& base, bool self);

  Set ApplyOp(Operator op, const Set& base);

  // Does `c` relate by `op` to some concept satisfying `base`?
  template <typename Pred>
  bool MatchOp(Operator op, uint32_t c, Pred base, const Expr& focus_for_upward) {
    switch (op) {
      case Operator::kSelf:
        return base(c);
      case Operator::kDescendantOrSelfOf:
        if (base(c)) return true;
        [[fallthrough]];
      case Operator::kDescendantOf:
        for (uint32_t a : d_.ancestors.Row(c)) {
          if (exhausted_) return false;
          if (base(a)) return true;
        }
        return false;
      case Operator::kChildOrSelfOf:
        if (base(c)) return true;
        [[fallthrough]];
      case Operator::kChildOf:
        for (uint32_t p : d_.parents.Row(c)) {
          if (exhausted_) return false;
          if (base(p)) return true;
        }
        return false;
      case Operator::kTop:
      case Operator::kBottom: {
        // Whether c is a top or bottom member depends on the whole set.
        Set focus = BaseSet(focus_for_upward);
        return !exhausted_ && Contains(ApplyOp(op, focus), c);
      }
      default: {
        // Upward operators: c is an ancestor/parent of some focus concept.
        // Walking c's descendants could be huge; test the focus set instead.
        Set focus = BaseSet(focus_for_upward);
        bool self = op == Operator::kAncestorOrSelfOf || op == Operator::kParentOrSelfOf;
        bool direct = op == Operator::kParentOf || op == Operator::kParentOrSelfOf;
        if (exhausted_) return false;
        if (self && Contains(focus, c)) return true;
        if (direct) {
          if (!Charge(d_.children.Row(c).size())) return false;
          for (uint32_t k : d_.children.Row(c)) {
            if (Contains(focus, k)) return true;
          }
          return false;
        }
        absl::Span<const uint32_t> desc = d_.descendants.Row(c);
        if (!Charge(std::min(desc.size(), focus.size()))) return false;
        if (desc.size() < focus.size()) {
          for (uint32_t x : desc) {
            if (Contains(focus, x)) return true;
          }
          return false;
        }
        for (uint32_t f : focus) {
          if (f != c && t_.SubsumesAt(c, f)) return true;
        }
        return false;
      }
    }
  }

  // The focus of a constraint node without its operator applied.
  Set BaseSet(const Expr& e);

  // Does c relate to concept i by `op`?
  bool MatchConcept(Operator op, uint32_t i, uint32_t c);

  bool MatchNoFilter(const Expr& e, uint32_t c);

  std::vector<uint32_t> RefsetSlots(const Expr& e);

  // `group` < 0: any group; otherwise only relationships in that group. When
  // `only` is set, only that one relationship is considered (a group-0
  // relationship stands in a group of its own).
  static bool CompareConcrete(const ecl::Attribute& a, const ConcreteValue& v,
                              absl::string_view text) {
    using Comparison = ecl::Attribute::Comparison;
    if (a.value_kind == ecl::Attribute::ValueKind::kText) {
      if (!v.is_text) return false;
      return (text == a.text) == (a.comparison == Comparison::kEq);
    }
    if (v.is_text) return false;
    switch (a.comparison) {
      case Comparison::kEq:
        return v.number == a.number;
      case Comparison::kNe:
        return v.number != a.number;
      case Comparison::kLt:
        return v.number < a.number;
      case Comparison::kLe:
        return v.number <= a.number;
      case Comparison::kGt:
        return v.number > a.number;
      case Comparison::kGe:
        return v.number >= a.number;
    }
    return false;
  }

  // `only` is a RelEdge or a ConcreteValue of c standing in a group of its own.
  bool MatchRefinement(const Refinement& r, uint32_t c, int64_t group, const void* only = nullptr);

  const Set& CachedMembers(const Expr& e) {
    auto it = members_cache_.find(&e);
    if (it != members_cache_.end()) return it->second;
    Set s = MemberRows(e);
    return members_cache_.emplace(&e, std::move(s)).first->second;
  }

  bool PassesFilters(const Expr& e, uint32_t c);

  bool PassesConceptFilter(const ConceptFilter& f, uint32_t c);

  bool DialectHolds(const DialectCondition& dc, uint32_t description);

  bool HasDescription(const DescriptionFilter& f, uint32_t c);

  bool TermMatches(const DescriptionFilter::TermValue& v, absl::string_view term);
  const Terminology& t_;
  const TerminologyData& d_;
  // Looked up only when an attribute group needs it.
  uint32_t IsAIndex() {
    if (isa_ == kUnresolved) isa_ = t_.IndexOf(kIsA);
    return isa_;
  }
  static constexpr uint32_t kUnresolved = kNoIndex - 1;

  const uint32_t n_;
  const uint64_t budget_;
  uint64_t spent_ = 0;
  bool exhausted_ = false;
  const Expr* current_ = nullptr;       // the constraint being evaluated
  const Expr* exhausted_at_ = nullptr;  // current_ when the budget ran out
  uint32_t isa_ = kUnresolved;
  absl::flat_hash_map<const Expr*, Set> cache_;            // see Cached
  absl::flat_hash_map<const Expr*, Set> members_cache_;    // see CachedMembers
  absl::flat_hash_map<const Expr*, Set> alternate_cache_;  // see Resolve
  std::string lower_;
  std::vector<std::string> words_, query_;
};

}  // namespace sprout::snomed::ecl_eval

#endif  // SPROUT_SNOMED_ECL_EVALUATOR_H_
