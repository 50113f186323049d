// The ECL evaluator's filters (snomed/ecl_evaluator.h): concept filters,
// description filters with dialect and acceptability, member filters and
// member rows, history supplements.
#include <algorithm>

#include "snomed/ecl_evaluator.h"

namespace sprout::snomed::ecl_eval {

bool Evaluator::InProfile(const Expr& e, uint64_t refset_id) {
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

Set Evaluator::WithHistory(const Expr& e, const Set& members) {
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

bool Evaluator::InValue(const Expr& value, uint64_t id) {
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

Set Evaluator::Members(const Expr& e) {
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

std::vector<uint64_t> Evaluator::RefsetIdsOf(const Expr& e) {
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

bool Evaluator::PassesMemberFilter(const MemberFilter& f, const MemberRecord& m,
                                   uint64_t refset_id) {
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

Set Evaluator::MemberRows(const Expr& e) {
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

bool Evaluator::PassesFilters(const Expr& e, uint32_t c) {
  for (const ConceptFilter& f : e.concept_filters) {
    if (!PassesConceptFilter(f, c)) return false;
  }
  for (const DescriptionFilter& f : e.filters) {
    if (!HasDescription(f, c)) return false;
  }
  return true;
}

bool Evaluator::PassesConceptFilter(const ConceptFilter& f, uint32_t c) {
  if (!Charge(1)) return false;
  const uint8_t flags = d_.concept_flags[c];
  if (!ActiveMatches(f.active, flags & kConceptActive)) return false;
  if (!TimesMatch(f.times, d_.concept_times[c])) return false;
  if (!AllHold(f.definition_status, flags & kConceptFullyDefined ? kFullyDefined : kPrimitive)) {
    return false;
  }
  return AllHold(f.modules, d_.concept_modules[c]);
}

bool Evaluator::DialectHolds(const DialectCondition& dc, uint32_t description) {
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

bool Evaluator::HasDescription(const DescriptionFilter& f, uint32_t c) {
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
    if (!f.language.empty() && (r.language[0] != f.language[0] || r.language[1] != f.language[1])) {
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

bool Evaluator::TermMatches(const DescriptionFilter::TermValue& v, absl::string_view term) {
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

}  // namespace sprout::snomed::ecl_eval
