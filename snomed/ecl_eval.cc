// Evaluation of parsed ECL against a Terminology: set evaluation over sorted
// concept-index vectors, and single-concept matching without expansion.
// The evaluator's filters are in ecl_filter_eval.cc; the class is in
// ecl_evaluator.h.
#include <algorithm>

#include "snomed/ecl_evaluator.h"

namespace sprout::snomed {
namespace ecl_eval {

Set Evaluator::Eval(const Expr& e) {
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

bool Evaluator::Match(const Expr& e, uint32_t c) {
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

const Set& Evaluator::Resolve(const Expr& e) {
  auto it = alternate_cache_.find(&e);
  if (it != alternate_cache_.end()) return it->second;
  Set out;
  const std::vector<AlternateIdentifier>& ids = d_.alternate_ids;
  Charge(1 + ids.size() / 64);
  auto key = [&](const AlternateIdentifier& a) {
    return std::make_pair(
        a.scheme_id, absl::string_view(d_.alternate_id_text.data() + a.code_offset, a.code_length));
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

std::vector<uint64_t> Evaluator::SchemesNamed(absl::string_view alias) {
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

Set Evaluator::EvalNoFilter(const Expr& e) {
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

Set Evaluator::TopOrBottom(Operator op, const Set& base) {
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

Set Evaluator::UnionRows(const Csr<uint32_t>& csr, const Set& base, bool self) {
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

Set Evaluator::ApplyOp(Operator op, const Set& base) {
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

Set Evaluator::BaseSet(const Expr& e) {
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

bool Evaluator::MatchConcept(Operator op, uint32_t i, uint32_t c) {
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

bool Evaluator::MatchNoFilter(const Expr& e, uint32_t c) {
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

std::vector<uint32_t> Evaluator::RefsetSlots(const Expr& e) {
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

bool Evaluator::MatchRefinement(const Refinement& r, uint32_t c, int64_t group, const void* only) {
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

}  // namespace ecl_eval

namespace {

using ecl::Expr;
using ecl::Operator;
using ecl::Refinement;
using ecl_eval::Evaluator;
using ecl_eval::Set;

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
