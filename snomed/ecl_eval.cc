// Evaluation of parsed ECL against a Terminology: set evaluation over sorted
// concept-index vectors, and single-concept matching without expansion.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "snomed/build.h"
#include "snomed/ecl.h"
#include "snomed/ecl_ast.h"

namespace sprout::snomed {
namespace {

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

Set Intersect(const Set& a, const Set& b) {
  Set out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
Set Union(const Set& a, const Set& b) {
  Set out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
Set Difference(const Set& a, const Set& b) {
  Set out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}
bool Contains(absl::Span<const uint32_t> sorted, uint32_t x) {
  return std::binary_search(sorted.begin(), sorted.end(), x);
}

constexpr uint64_t kPrimitive = 900000000000074008;
constexpr uint64_t kPartiallyEquivalentToRefset = 1186921001;

bool TimeMatches(const TimeCondition& t, uint32_t time) {
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

bool TimesMatch(const std::vector<TimeCondition>& ts, uint32_t time) {
  for (const TimeCondition& t : ts) {
    if (!TimeMatches(t, time)) return false;
  }
  return true;
}

bool ActiveMatches(int wanted, bool active) { return wanted < 0 || (wanted == 1) == active; }

// A plain concept id with no operator or filters (a comparand named, not
// constrained), or 0.
uint64_t PlainId(const Expr& e) {
  return e.kind == Expr::Kind::kConcept && !e.alternate && e.op == Operator::kSelf &&
                 !e.HasFilters()
             ? e.concept_id
             : 0;
}

// '*' glob over the whole (lower-cased) term.
bool WildMatch(absl::string_view pattern, absl::string_view text) {
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

  Set Eval(const Expr& e) {
    const Expr* outer = current_;
    current_ = &e;
    Set out;
    if (Charge(1)) out = EvalNoFilter(e);
    if ((!e.filters.empty() || !e.concept_filters.empty()) && !exhausted_) {
      Set kept;
      for (uint32_t c : out) {
        if (exhausted_) break;
        if (PassesFilters(e, c)) kept.push_back(c);
      }
      out = std::move(kept);
    }
    if (e.history.profile != HistorySupplement::Profile::kNone && !exhausted_) {
      out = WithHistory(e, out);
    }
    current_ = outer;
    return exhausted_ ? Set{} : out;
  }

  bool Match(const Expr& e, uint32_t c) {
    const Expr* outer = current_;
    current_ = &e;
    bool matched = Charge(1) && MatchCore(e, c);
    if (!matched && !exhausted_ && e.history.profile != HistorySupplement::Profile::kNone &&
        !t_.ActiveAt(c)) {
      // c joins through its own associations: to a target the constraint holds for.
      auto [first, last] = HistoryOf(c);
      for (auto it = first; it != last && !matched && !exhausted_; ++it) {
        if (!InProfile(e, it->refset_id)) continue;
        uint32_t target = t_.IndexOf(it->target_id);
        matched = target != kNoIndex && MatchCore(e, target);
      }
    }
    current_ = outer;
    return matched && !exhausted_;
  }

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
  bool InProfile(const Expr& e, uint64_t refset_id) {
    switch (e.history.profile) {
      case HistorySupplement::Profile::kNone:
        return false;
      case HistorySupplement::Profile::kMin:
        return refset_id == kSameAsRefset;
      case HistorySupplement::Profile::kMod:
        return refset_id == kSameAsRefset || refset_id == kReplacedByRefset ||
               refset_id == kWasARefset || refset_id == kPartiallyEquivalentToRefset;
      case HistorySupplement::Profile::kMax:
        return true;
      case HistorySupplement::Profile::kExplicit:
        return InValue(*e.history.refsets, refset_id);
    }
    return false;
  }

  // `members` plus the inactive concepts with an association (of e's
  // profile) to one of them.
  Set WithHistory(const Expr& e, const Set& members) {
    if (!Charge(d_.history.size())) return {};
    Set added;
    for (const HistoryRecord& h : d_.history) {
      if (t_.ActiveAt(h.source) || !InProfile(e, h.refset_id)) continue;
      uint32_t target = t_.IndexOf(h.target_id);
      if (target != kNoIndex && Contains(members, target)) added.push_back(h.source);
    }
    added.erase(std::unique(added.begin(), added.end()), added.end());  // history is by source
    if (!Charge(added.size() + members.size())) return {};
    return Union(members, added);
  }

  // ---- alternate identifiers ----
  // The concepts scheme#code names: the scheme alias is matched (ignoring
  // case) against the terms of each identifier scheme concept in the
  // release (an FSN without its semantic tag), or its SCTID.
  const Set& Resolve(const Expr& e) {
    auto it = alternate_cache_.find(&e);
    if (it != alternate_cache_.end()) return it->second;
    Set out;
    const std::vector<AlternateIdentifier>& ids = d_.alternate_ids;
    Charge(1 + ids.size() / 64);
    auto key = [&](const AlternateIdentifier& a) {
      return std::make_pair(
          a.scheme_id,
          absl::string_view(d_.alternate_id_text.data() + a.code_offset, a.code_length));
    };
    for (uint64_t scheme : SchemesNamed(e.alternate_scheme)) {
      auto want = std::make_pair(scheme, absl::string_view(e.alternate_code));
      auto first =
          std::lower_bound(ids.begin(), ids.end(), want,
                           [&](const AlternateIdentifier& a, const auto& w) { return key(a) < w; });
      for (; first != ids.end() && key(*first) == want; ++first) out.push_back(first->concept);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return alternate_cache_.emplace(&e, std::move(out)).first->second;
  }

  std::vector<uint64_t> SchemesNamed(absl::string_view alias) {
    std::vector<uint64_t> schemes, out;
    for (const AlternateIdentifier& a : d_.alternate_ids) {
      if (schemes.empty() || schemes.back() != a.scheme_id) schemes.push_back(a.scheme_id);
    }
    for (uint64_t s : schemes) {
      if (absl::StrCat(s) == alias) {
        out.push_back(s);
        continue;
      }
      uint32_t i = t_.IndexOf(s);
      if (i == kNoIndex) continue;
      for (uint32_t k = d_.description_offsets[i]; k < d_.description_offsets[i + 1]; ++k) {
        const DescriptionRecord& r = d_.descriptions[k];
        if (!r.active) continue;
        absl::string_view term = t_.TermAt(k);
        if (r.type == kFsn) {
          size_t paren = term.rfind(" (");
          if (paren != absl::string_view::npos) term = term.substr(0, paren);
        }
        if (absl::EqualsIgnoreCase(term, alias)) {
          out.push_back(s);
          break;
        }
      }
    }
    return out;
  }

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
  bool InValue(const Expr& value, uint64_t id) {
    if (uint64_t plain = PlainId(value)) return plain == id;
    if (value.kind == Expr::Kind::kOr && !value.HasFilters() && value.op == Operator::kSelf) {
      bool all_plain = true;
      for (const auto& k : value.children) {
        uint64_t p = PlainId(*k);
        if (p == id) return true;
        all_plain &= p != 0;
      }
      if (all_plain) return false;
    }
    uint32_t i = t_.IndexOf(id);
    return i != kNoIndex && Contains(Cached(value), i);
  }
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

  Set EvalNoFilter(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kConcept: {
        if (e.alternate) return ApplyOp(e.op, Resolve(e));
        uint32_t i = t_.IndexOf(e.concept_id);
        if (i == kNoIndex) return {};
        return ApplyOp(e.op, Set{i});
      }
      case Expr::Kind::kAny: {
        if (!Charge(n_)) return {};
        Set out;
        for (uint32_t c = 0; c < n_; ++c) {
          if (!t_.ActiveAt(c)) continue;
          if ((e.op == Operator::kDescendantOf || e.op == Operator::kChildOf) &&
              d_.parents.Row(c).empty()) {
            continue;
          }
          if ((e.op == Operator::kAncestorOf || e.op == Operator::kParentOf) &&
              d_.children.Row(c).empty()) {
            continue;
          }
          // Over every active concept: the roots, and the leaves.
          if (e.op == Operator::kTop && !d_.parents.Row(c).empty()) continue;
          if (e.op == Operator::kBottom && !d_.children.Row(c).empty()) continue;
          out.push_back(c);
        }
        return out;
      }
      case Expr::Kind::kNested:
        return ApplyOp(e.op, Eval(*e.children[0]));
      case Expr::Kind::kMemberOf:
        return ApplyOp(e.op, Members(e));
      case Expr::Kind::kAnd: {
        Set out = Eval(*e.children[0]);
        for (size_t k = 1; k < e.children.size() && !out.empty() && !exhausted_; ++k) {
          Set next = Eval(*e.children[k]);
          if (!Charge(out.size() + next.size())) return {};
          out = Intersect(out, next);
        }
        return out;
      }
      case Expr::Kind::kOr: {
        Set out = Eval(*e.children[0]);
        for (size_t k = 1; k < e.children.size() && !exhausted_; ++k) {
          Set next = Eval(*e.children[k]);
          if (!Charge(out.size() + next.size())) return {};
          out = Union(out, next);
        }
        return out;
      }
      case Expr::Kind::kMinus: {
        Set left = Eval(*e.children[0]);
        Set right = Eval(*e.children[1]);
        if (!Charge(left.size() + right.size())) return {};
        return Difference(left, right);
      }
      case Expr::Kind::kRefined: {
        Set focus = Eval(*e.children[0]);
        Set out;
        for (uint32_t c : focus) {
          if (!Charge(1)) return {};
          if (MatchRefinement(*e.refinement, c, -1)) out.push_back(c);
        }
        return out;
      }
      case Expr::Kind::kDotted: {
        Set sources = Eval(*e.children[0]);
        Set out;
        for (uint32_t s : sources) {
          if (!Charge(1 + d_.rels_out.Row(s).size())) return {};
          for (const RelEdge& r : d_.rels_out.Row(s)) {
            if (Match(*e.children[1], r.type)) out.push_back(r.other);
          }
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
      }
    }
    return {};
  }

  // Concepts in the refsets named by a memberOf node.
  Set Members(const Expr& e) {
    if (!e.member_filters.empty() || !e.fields.empty() || e.all_fields) return MemberRows(e);
    Set refsets;
    std::vector<uint64_t> ids;
    if (e.children.empty()) {
      ids.push_back(e.concept_id);
    } else if (e.children[0]->kind == Expr::Kind::kAny) {
      ids = d_.refset_ids;
    } else {
      for (uint32_t c : Eval(*e.children[0])) ids.push_back(d_.concept_ids[c]);
    }
    Set out;
    for (uint64_t id : ids) {
      uint32_t slot = t_.RefsetSlot(id);
      if (slot == kNoIndex) continue;
      absl::Span<const uint32_t> m = d_.refset_members.Row(slot);
      if (!Charge(1 + m.size() + out.size())) return {};
      if (ids.size() == 1) return Set(m.begin(), m.end());
      out = Union(out, Set(m.begin(), m.end()));
    }
    return out;
  }

  std::vector<uint64_t> RefsetIdsOf(const Expr& e) {
    std::vector<uint64_t> ids;
    if (e.children.empty()) {
      ids.push_back(e.concept_id);
    } else if (e.children[0]->kind == Expr::Kind::kAny) {
      ids = d_.refset_ids;
    } else {
      for (uint32_t c : Eval(*e.children[0])) ids.push_back(d_.concept_ids[c]);
    }
    return ids;
  }

  // The concept-valued additional field of a row (targetComponentId for an
  // association, valueId for an attribute value), 0 if the row has none.
  static uint64_t FieldValue(const MemberRecord& m, MemberField f) {
    if (f == MemberField::kTargetComponentId && m.kind == MemberRow::kAssociation) return m.value;
    if (f == MemberField::kValueId && m.kind == MemberRow::kAttributeValue) return m.value;
    return 0;
  }

  bool PassesMemberFilter(const MemberFilter& f, const MemberRecord& m, uint64_t refset_id) {
    if (!ActiveMatches(f.active, m.active) || !TimesMatch(f.times, m.effective_time) ||
        !AllHold(f.modules, d_.module_ids[m.module])) {
      return false;
    }
    for (const MemberFilter::FieldCondition& fc : f.fields) {
      uint64_t id = 0;
      switch (fc.field) {
        case MemberField::kReferencedComponentId:
          id = d_.concept_ids[m.concept];
          break;
        case MemberField::kRefsetId:
          id = refset_id;
          break;
        case MemberField::kModuleId:
          id = d_.module_ids[m.module];
          break;
        default:
          id = FieldValue(m, fc.field);
          if (id == 0) return false;  // the refset has no such field
      }
      if (!Holds(fc.condition, id)) return false;
    }
    return true;
  }

  // The rows of the refsets that pass every member filter (active rows only
  // when no filter says otherwise), projected on the fields selected.
  Set MemberRows(const Expr& e) {
    std::vector<uint64_t> ids = RefsetIdsOf(e);
    Set out;
    auto add = [&](uint64_t id) {
      uint32_t i = t_.IndexOf(id);
      if (i != kNoIndex) out.push_back(i);
    };
    for (uint64_t refset : ids) {
      uint32_t slot = t_.RefsetSlot(refset);
      if (slot == kNoIndex) continue;
      absl::Span<const MemberRecord> rows = d_.refset_rows.Row(slot);
      if (!Charge(1 + rows.size())) return {};
      for (const MemberRecord& m : rows) {
        bool pass = e.member_filters.empty() ? m.active != 0 : true;
        for (const MemberFilter& f : e.member_filters) {
          if (!pass || exhausted_) break;
          pass = PassesMemberFilter(f, m, refset);
        }
        if (!pass) continue;
        if (e.all_fields) {
          out.push_back(m.concept);
          if (m.value != 0) add(m.value);
          add(d_.module_ids[m.module]);
          add(refset);
          continue;
        }
        if (e.fields.empty()) out.push_back(m.concept);
        for (MemberField f : e.fields) {
          switch (f) {
            case MemberField::kReferencedComponentId:
              out.push_back(m.concept);
              break;
            case MemberField::kModuleId:
              add(d_.module_ids[m.module]);
              break;
            case MemberField::kRefsetId:
              add(refset);
              break;
            default:
              if (uint64_t v = FieldValue(m, f)) add(v);
          }
        }
      }
    }
    if (!Charge(out.size())) return {};
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Top (no proper ancestor in base) and bottom (no proper descendant in base).
  Set TopOrBottom(Operator op, const Set& base) {
    Set out;
    if (op == Operator::kTop) {
      for (uint32_t c : base) {
        absl::Span<const uint32_t> anc = d_.ancestors.Row(c);
        if (!Charge(1 + anc.size())) return {};
        bool top = true;
        for (uint32_t a : anc) {
          if (Contains(base, a)) {
            top = false;
            break;
          }
        }
        if (top) out.push_back(c);
      }
      return out;
    }
    // Everything that is an ancestor of a member has a descendant in base.
    Set above;
    for (uint32_t c : base) {
      absl::Span<const uint32_t> anc = d_.ancestors.Row(c);
      if (!Charge(1 + anc.size())) return {};
      above.insert(above.end(), anc.begin(), anc.end());
    }
    std::sort(above.begin(), above.end());
    above.erase(std::unique(above.begin(), above.end()), above.end());
    return Difference(base, above);
  }

  // Union of rows of `csr` for each concept in `base` (plus base for "self").
  Set UnionRows(const Csr<uint32_t>& csr, const Set& base, bool self) {
    if (base.size() == 1) {
      absl::Span<const uint32_t> r = csr.Row(base[0]);
      if (!Charge(r.size())) return {};
      Set out;
      out.reserve(r.size() + 1);
      auto split = std::lower_bound(r.begin(), r.end(), base[0]);
      out.insert(out.end(), r.begin(), split);
      if (self) out.push_back(base[0]);
      out.insert(out.end(), split, r.end());
      return out;
    }
    if (!Charge(n_)) return {};
    std::vector<bool> mark(n_, false);
    size_t count = 0;
    auto add = [&](uint32_t c) {
      if (!mark[c]) {
        mark[c] = true;
        ++count;
      }
    };
    for (uint32_t b : base) {
      if (!Charge(1 + csr.Row(b).size())) return {};
      if (self) add(b);
      for (uint32_t x : csr.Row(b)) add(x);
    }
    Set out;
    out.reserve(count);
    for (uint32_t c = 0; c < n_; ++c) {
      if (mark[c]) out.push_back(c);
    }
    return out;
  }

  Set ApplyOp(Operator op, const Set& base) {
    switch (op) {
      case Operator::kSelf:
        return base;
      case Operator::kDescendantOf:
        return UnionRows(d_.descendants, base, false);
      case Operator::kDescendantOrSelfOf:
        return UnionRows(d_.descendants, base, true);
      case Operator::kChildOf:
        return UnionRows(d_.children, base, false);
      case Operator::kChildOrSelfOf:
        return UnionRows(d_.children, base, true);
      case Operator::kAncestorOf:
        return UnionRows(d_.ancestors, base, false);
      case Operator::kAncestorOrSelfOf:
        return UnionRows(d_.ancestors, base, true);
      case Operator::kParentOf:
        return UnionRows(d_.parents, base, false);
      case Operator::kParentOrSelfOf:
        return UnionRows(d_.parents, base, true);
      case Operator::kTop:
      case Operator::kBottom:
        return TopOrBottom(op, base);
    }
    return base;
  }

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
  Set BaseSet(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::kConcept: {
        if (e.alternate) return Resolve(e);
        uint32_t i = t_.IndexOf(e.concept_id);
        return i == kNoIndex ? Set{} : Set{i};
      }
      case Expr::Kind::kNested:
        return Eval(*e.children[0]);
      case Expr::Kind::kMemberOf:
        return Members(e);
      default: {
        if (!Charge(n_)) return {};
        Set all;
        for (uint32_t c = 0; c < n_; ++c) {
          if (t_.ActiveAt(c)) all.push_back(c);
        }
        return all;
      }
    }
  }

  // Does c relate to concept i by `op`?
  bool MatchConcept(Operator op, uint32_t i, uint32_t c) {
    switch (op) {
      case Operator::kSelf:
        return c == i;
      case Operator::kDescendantOf:
        return c != i && t_.SubsumesAt(i, c);
      case Operator::kDescendantOrSelfOf:
        return t_.SubsumesAt(i, c);
      case Operator::kChildOf:
        return Contains(d_.parents.Row(c), i);
      case Operator::kChildOrSelfOf:
        return c == i || Contains(d_.parents.Row(c), i);
      case Operator::kAncestorOf:
        return c != i && t_.SubsumesAt(c, i);
      case Operator::kAncestorOrSelfOf:
        return t_.SubsumesAt(c, i);
      case Operator::kParentOf:
        return Contains(d_.parents.Row(i), c);
      case Operator::kParentOrSelfOf:
        return c == i || Contains(d_.parents.Row(i), c);
      case Operator::kTop:
      case Operator::kBottom:
        return c == i;  // a set of one is its own top and bottom
    }
    return false;
  }

  bool MatchNoFilter(const Expr& e, uint32_t c) {
    switch (e.kind) {
      case Expr::Kind::kConcept: {
        if (e.alternate) {
          if (e.op == Operator::kTop || e.op == Operator::kBottom) {
            return Contains(ApplyOp(e.op, Resolve(e)), c);
          }
          for (uint32_t i : Resolve(e)) {
            if (MatchConcept(e.op, i, c)) return true;
          }
          return false;
        }
        uint32_t i = t_.IndexOf(e.concept_id);
        if (i == kNoIndex) return false;
        return MatchConcept(e.op, i, c);
      }
      case Expr::Kind::kAny:
        if (!t_.ActiveAt(c)) return false;
        if (e.op == Operator::kDescendantOf || e.op == Operator::kChildOf) {
          return !d_.parents.Row(c).empty();
        }
        if (e.op == Operator::kAncestorOf || e.op == Operator::kParentOf) {
          return !d_.children.Row(c).empty();
        }
        if (e.op == Operator::kTop) return d_.parents.Row(c).empty();
        if (e.op == Operator::kBottom) return d_.children.Row(c).empty();
        return true;
      case Expr::Kind::kNested:
        return MatchOp(
            e.op, c, [&](uint32_t x) { return Match(*e.children[0], x); }, e);
      case Expr::Kind::kMemberOf: {
        if (!e.member_filters.empty() || !e.fields.empty() || e.all_fields) {
          // Rows are filtered and projected: decided over the refset's rows
          // (not the whole release), once per evaluation.
          auto member = [&](uint32_t x) { return Contains(CachedMembers(e), x); };
          return MatchOp(e.op, c, member, e);
        }
        std::vector<uint32_t> slots = RefsetSlots(e);
        auto member = [&](uint32_t x) {
          if (!Charge(slots.size())) return false;
          for (uint32_t s : slots) {
            if (Contains(d_.refset_members.Row(s), x)) return true;
          }
          return false;
        };
        return MatchOp(e.op, c, member, e);
      }
      case Expr::Kind::kAnd:
        for (const auto& k : e.children) {
          if (!Match(*k, c)) return false;
        }
        return true;
      case Expr::Kind::kOr:
        for (const auto& k : e.children) {
          if (Match(*k, c)) return true;
        }
        return false;
      case Expr::Kind::kMinus:
        return Match(*e.children[0], c) && !Match(*e.children[1], c);
      case Expr::Kind::kRefined:
        return Match(*e.children[0], c) && MatchRefinement(*e.refinement, c, -1);
      case Expr::Kind::kDotted:
        for (const RelEdge& r : d_.rels_in.Row(c)) {
          if (exhausted_) return false;
          if (Match(*e.children[1], r.type) && Match(*e.children[0], r.other)) return true;
        }
        return false;
    }
    return false;
  }

  std::vector<uint32_t> RefsetSlots(const Expr& e) {
    std::vector<uint32_t> slots;
    if (e.children.empty()) {
      uint32_t s = t_.RefsetSlot(e.concept_id);
      if (s != kNoIndex) slots.push_back(s);
    } else if (e.children[0]->kind == Expr::Kind::kAny) {
      if (!Charge(d_.refset_ids.size())) return {};
      for (uint32_t s = 0; s < d_.refset_ids.size(); ++s) slots.push_back(s);
    } else {
      for (uint32_t c : Eval(*e.children[0])) {
        uint32_t s = t_.RefsetSlot(d_.concept_ids[c]);
        if (s != kNoIndex) slots.push_back(s);
      }
    }
    return slots;
  }

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
  bool MatchRefinement(const Refinement& r, uint32_t c, int64_t group, const void* only = nullptr) {
    switch (r.kind) {
      case Refinement::Kind::kAnd:
        for (const auto& k : r.children) {
          if (!MatchRefinement(*k, c, group, only)) return false;
        }
        return true;
      case Refinement::Kind::kOr:
        for (const auto& k : r.children) {
          if (MatchRefinement(*k, c, group, only)) return true;
        }
        return false;
      case Refinement::Kind::kAttribute: {
        const ecl::Attribute& a = r.attribute;
        uint32_t count = 0;
        if (a.value_kind != ecl::Attribute::ValueKind::kConstraint) {
          for (const ConcreteValue& v : d_.concrete_out.Row(c)) {
            if (!Charge(1)) return false;
            if (only != nullptr && &v != only) continue;
            if (group >= 0 && v.group != group) continue;
            if (!Match(*a.name, v.type)) continue;
            absl::string_view text(d_.concrete_text.data() + v.text_offset, v.text_length);
            if (CompareConcrete(a, v, text)) ++count;
          }
          return count >= a.cardinality.min && count <= a.cardinality.max;
        }
        for (const RelEdge& e : a.reverse ? d_.rels_in.Row(c) : d_.rels_out.Row(c)) {
          if (!Charge(1)) return false;
          if (only != nullptr && &e != only) continue;
          if (group >= 0 && e.group != group) continue;
          if (!Match(*a.name, e.type)) continue;
          bool v = Match(*a.value, e.other);
          if (v != a.not_equal) ++count;
        }
        return count >= a.cardinality.min && count <= a.cardinality.max;
      }
      case Refinement::Kind::kGroup: {
        // Groups 1..n are groups; each group-0 attribute (not IS-A) is a
        // group of its own.
        std::vector<uint32_t> groups;
        uint32_t count = 0;
        for (const RelEdge& e : d_.rels_out.Row(c)) {
          if (!Charge(1)) return false;
          if (e.group != 0) {
            groups.push_back(e.group);
          } else if (e.type != IsAIndex() && MatchRefinement(*r.children[0], c, 0, &e)) {
            ++count;
          }
        }
        for (const ConcreteValue& v : d_.concrete_out.Row(c)) {
          if (!Charge(1)) return false;
          if (v.group != 0) {
            groups.push_back(v.group);
          } else if (MatchRefinement(*r.children[0], c, 0, &v)) {
            ++count;
          }
        }
        std::sort(groups.begin(), groups.end());
        groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
        for (uint32_t g : groups) {
          if (exhausted_) return false;
          if (MatchRefinement(*r.children[0], c, g)) ++count;
        }
        return count >= r.group_cardinality.min && count <= r.group_cardinality.max;
      }
    }
    return false;
  }

  const Set& CachedMembers(const Expr& e) {
    auto it = members_cache_.find(&e);
    if (it != members_cache_.end()) return it->second;
    Set s = MemberRows(e);
    return members_cache_.emplace(&e, std::move(s)).first->second;
  }

  bool PassesFilters(const Expr& e, uint32_t c) {
    for (const ConceptFilter& f : e.concept_filters) {
      if (!PassesConceptFilter(f, c)) return false;
    }
    for (const DescriptionFilter& f : e.filters) {
      if (!HasDescription(f, c)) return false;
    }
    return true;
  }

  bool PassesConceptFilter(const ConceptFilter& f, uint32_t c) {
    if (!Charge(1)) return false;
    const uint8_t flags = d_.concept_flags[c];
    if (!ActiveMatches(f.active, flags & kConceptActive)) return false;
    if (!TimesMatch(f.times, d_.concept_times[c])) return false;
    if (!AllHold(f.definition_status, flags & kConceptFullyDefined ? kFullyDefined : kPrimitive)) {
      return false;
    }
    return AllHold(f.modules, d_.concept_modules[c]);
  }

  bool DialectHolds(const DialectCondition& dc, uint32_t description) {
    bool found = false;
    for (const LanguageEntry& le : d_.language.Row(description)) {
      const uint64_t refset = d_.language_refsets[le.refset_slot];
      auto acceptable = [&](ecl::Acceptability a) {
        return a == ecl::Acceptability::kAny ||
               (a == ecl::Acceptability::kPreferred) == (le.preferred != 0);
      };
      if (dc.constraint != nullptr) {
        found = acceptable(dc.constraint_acceptability) && InValue(*dc.constraint, refset);
      } else {
        for (const DialectCondition::Entry& en : dc.entries) {
          if (en.refset == refset && acceptable(en.acceptability)) found = true;
        }
      }
      if (found) break;
    }
    return found != dc.negated;
  }

  bool HasDescription(const DescriptionFilter& f, uint32_t c) {
    if (!Charge(d_.description_offsets[c + 1] - d_.description_offsets[c])) return false;
    for (uint32_t i = d_.description_offsets[c]; i < d_.description_offsets[c + 1]; ++i) {
      const DescriptionRecord& r = d_.descriptions[i];
      if (!ActiveMatches(f.active, r.active)) continue;
      if (!f.ids.empty() &&
          (std::find(f.ids.begin(), f.ids.end(), r.id) != f.ids.end()) == f.ids_negated) {
        continue;
      }
      if (!TimesMatch(f.times, r.effective_time)) continue;
      if (!f.modules.empty() && !AllHold(f.modules, d_.module_ids[r.module])) continue;
      bool dialects = true;
      for (const DialectCondition& dc : f.dialects) dialects = dialects && DialectHolds(dc, i);
      if (!dialects) continue;
      if (!f.types.empty() && std::find(f.types.begin(), f.types.end(), r.type) == f.types.end()) {
        continue;
      }
      if (!f.language.empty() &&
          (r.language[0] != f.language[0] || r.language[1] != f.language[1])) {
        continue;
      }
      if (!f.has_term) return true;
      bool any = false;
      absl::string_view term = t_.TermAt(i);
      for (const DescriptionFilter::TermValue& v : f.terms) {
        if (TermMatches(v, term)) {
          any = true;
          break;
        }
      }
      if (any != f.term_negated) return true;
    }
    return false;
  }

  bool TermMatches(const DescriptionFilter::TermValue& v, absl::string_view term) {
    if (v.how == DescriptionFilter::TermMatch::kWild) {
      lower_.assign(term.begin(), term.end());
      for (char& ch : lower_) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
      return WildMatch(v.text, lower_);
    }
    // match: every word of the filter is a prefix of some word of the term.
    words_.clear();
    SplitWords(term, &words_);
    query_.clear();
    SplitWords(v.text, &query_);
    for (const std::string& q : query_) {
      bool found = false;
      for (const std::string& w : words_) {
        if (absl::StartsWith(w, q)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }

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

// The alternate identifier nodes of the expression (focus, operands and
// refinements).
void CollectAlternates(const Expr& e, std::vector<const Expr*>* out) {
  if (e.kind == Expr::Kind::kConcept && e.alternate) out->push_back(&e);
  for (const auto& k : e.children) CollectAlternates(*k, out);
  std::vector<const Refinement*> stack;
  if (e.refinement) stack.push_back(e.refinement.get());
  while (!stack.empty()) {
    const Refinement* r = stack.back();
    stack.pop_back();
    if (r->kind == Refinement::Kind::kAttribute) {
      CollectAlternates(*r->attribute.name, out);
      if (r->attribute.value) CollectAlternates(*r->attribute.value, out);
    }
    for (const auto& k : r->children) stack.push_back(k.get());
  }
}

void CollectIds(const Expr& e, std::vector<uint64_t>* concepts, std::vector<uint64_t>* refsets) {
  if (e.kind == Expr::Kind::kConcept && !e.alternate) concepts->push_back(e.concept_id);
  if (e.kind == Expr::Kind::kMemberOf && e.children.empty()) refsets->push_back(e.concept_id);
  for (const auto& k : e.children) CollectIds(*k, concepts, refsets);
  std::vector<const Refinement*> stack;
  if (e.refinement) stack.push_back(e.refinement.get());
  while (!stack.empty()) {
    const Refinement* r = stack.back();
    stack.pop_back();
    if (r->kind == Refinement::Kind::kAttribute) {
      CollectIds(*r->attribute.name, concepts, refsets);
      if (r->attribute.value) CollectIds(*r->attribute.value, concepts, refsets);
    }
    for (const auto& k : r->children) stack.push_back(k.get());
  }
}

}  // namespace

std::vector<uint32_t> Ecl::EvaluateIndexes(const Terminology& t) const {
  Evaluator ev(t);
  return ev.Eval(*root_);
}

std::vector<uint64_t> Ecl::Evaluate(const Terminology& t) const {
  std::vector<uint32_t> idx = EvaluateIndexes(t);
  std::vector<uint64_t> out;
  out.reserve(idx.size());
  for (uint32_t i : idx) out.push_back(t.IdAt(i));
  return out;
}

size_t Ecl::Count(const Terminology& t) const {
  const Expr& e = *root_;
  if (e.kind == Expr::Kind::kConcept && !e.alternate && !e.HasFilters()) {
    uint32_t i = t.IndexOf(e.concept_id);
    if (i == kNoIndex) return 0;
    const TerminologyData& d = t.data();
    switch (e.op) {
      case Operator::kSelf:
        return 1;
      case Operator::kDescendantOf:
        return d.descendants.Row(i).size();
      case Operator::kDescendantOrSelfOf:
        return d.descendants.Row(i).size() + 1;
      case Operator::kChildOf:
        return d.children.Row(i).size();
      case Operator::kAncestorOf:
        return d.ancestors.Row(i).size();
      case Operator::kAncestorOrSelfOf:
        return d.ancestors.Row(i).size() + 1;
      case Operator::kParentOf:
        return d.parents.Row(i).size();
      default:
        break;
    }
  }
  return EvaluateIndexes(t).size();
}

namespace {

// 1-based character column of byte `offset` in `text`.
size_t ColumnAt(absl::string_view text, size_t offset) {
  size_t col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++col;
  }
  return col;
}

absl::Status CostExceeded(absl::string_view text, const Evaluator& ev, uint64_t max_cost) {
  size_t offset = ev.exhausted_at() != nullptr ? ev.exhausted_at()->offset : 0;
  return absl::InvalidArgumentError(absl::StrCat(
      "ECL limit exceeded at column ", ColumnAt(text, offset),
      ": evaluating the expression takes more than ", max_cost,
      " steps (max_cost); narrow the constraint here, e.g. a more specific focus concept"));
}

}  // namespace

absl::StatusOr<std::vector<uint32_t>> Ecl::EvaluateIndexesBounded(const Terminology& t) const {
  Evaluator ev(t, max_cost_);
  std::vector<uint32_t> out = ev.Eval(*root_);
  if (ev.exhausted()) return CostExceeded(text_, ev, max_cost_);
  return out;
}

absl::StatusOr<std::vector<uint64_t>> Ecl::EvaluateBounded(const Terminology& t) const {
  absl::StatusOr<std::vector<uint32_t>> idx = EvaluateIndexesBounded(t);
  if (!idx.ok()) return idx.status();
  std::vector<uint64_t> out;
  out.reserve(idx->size());
  for (uint32_t i : *idx) out.push_back(t.IdAt(i));
  return out;
}

absl::StatusOr<bool> Ecl::MatchesBounded(const Terminology& t, uint64_t concept_id) const {
  uint32_t i = t.IndexOf(concept_id);
  if (i == kNoIndex) return false;
  Evaluator ev(t, max_cost_);
  bool matched = ev.Match(*root_, i);
  if (ev.exhausted()) return CostExceeded(text_, ev, max_cost_);
  return matched;
}

bool Ecl::MatchesIndex(const Terminology& t, uint32_t concept_index) const {
  Evaluator ev(t);
  return ev.Match(*root_, concept_index);
}

bool Ecl::Matches(const Terminology& t, uint64_t concept_id) const {
  uint32_t i = t.IndexOf(concept_id);
  return i != kNoIndex && MatchesIndex(t, i);
}

std::vector<uint64_t> Ecl::UnknownConcepts(const Terminology& t) const {
  std::vector<uint64_t> concepts, refsets, out;
  CollectIds(*root_, &concepts, &refsets);
  for (uint64_t id : concepts) {
    if (!t.Exists(id)) out.push_back(id);
  }
  for (uint64_t id : refsets) {
    if (!t.Exists(id) && t.RefsetSlot(id) == kNoIndex) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> Ecl::UnknownAlternateIdentifiers(const Terminology& t) const {
  std::vector<const Expr*> nodes;
  CollectAlternates(*root_, &nodes);
  Evaluator ev(t);
  std::vector<std::string> out;
  for (const Expr* e : nodes) {
    if (!ev.Resolves(*e)) out.push_back(absl::StrCat(e->alternate_scheme, "#", e->alternate_code));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace sprout::snomed
