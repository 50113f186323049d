#include "server/intake/coder.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/intake/field_checks.h"
#include "server/intake/text_context.h"
#include "server/intake/text_normaliser.h"

namespace sprout::intake {
namespace {

void Add(std::vector<FieldViolation>* out, std::string field, std::string description) {
  out->push_back(FieldViolation{std::move(field), std::move(description), "", ""});
}

}  // namespace

std::string ReleaseLabel(const snomed::Terminology& terminology) {
  const snomed::ReleaseInfo& r = terminology.release();
  if (r.identity.empty()) return r.effective_date;
  return absl::StrCat(r.identity, " ", r.effective_date);
}

absl::StatusOr<std::unique_ptr<ReasonCoder>> ReasonCoder::Create(
    std::shared_ptr<const snomed::Terminology> terminology,
    std::shared_ptr<const CodeMaps> code_maps, CoderOptions options) {
  absl::StatusOr<snomed::Ecl> binding = snomed::Ecl::Parse(options.reason_binding_ecl);
  if (!binding.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("reason binding: ", binding.status().message()));
  }
  std::vector<uint64_t> unknown = binding->UnknownConcepts(*terminology);
  if (!unknown.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "reason binding names concepts not in the release: ", absl::StrJoin(unknown, ", ")));
  }
  std::optional<snomed::Ecl> auto_code;
  if (!options.auto_code_ecl.empty()) {
    absl::StatusOr<snomed::Ecl> parsed = snomed::Ecl::Parse(options.auto_code_ecl);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("free-text auto-code binding: ", parsed.status().message()));
    }
    auto_code = *std::move(parsed);
  }
  if (options.matcher == nullptr) options.matcher = std::make_shared<WordOverlapMatcher>();
  if (options.lexicons == nullptr) options.lexicons = PhraseLexicons::Empty();
  return std::unique_ptr<ReasonCoder>(new ReasonCoder(std::move(terminology), std::move(code_maps),
                                                      std::move(options), *std::move(binding),
                                                      std::move(auto_code)));
}

ReasonCoder::ReasonCoder(std::shared_ptr<const snomed::Terminology> terminology,
                         std::shared_ptr<const CodeMaps> code_maps, CoderOptions options,
                         snomed::Ecl binding, std::optional<snomed::Ecl> auto_code)
    : terminology_(std::move(terminology)),
      code_maps_(std::move(code_maps)),
      options_(std::move(options)),
      binding_(std::move(binding)),
      auto_code_(std::move(auto_code)),
      release_label_(ReleaseLabel(*terminology_)) {}

sprout::v1::CodedConcept ReasonCoder::Concept(uint64_t id) const {
  sprout::v1::CodedConcept c;
  c.set_code(absl::StrCat(id));
  std::optional<absl::string_view> pt = terminology_->PreferredTerm(id);
  if (pt.has_value()) c.set_display(std::string(*pt));
  return c;
}

ReasonCoding ReasonCoder::Code(const sprout::v1::ReasonInput& reason, absl::string_view field,
                               sprout::v1::SourceType agency) const {
  ReasonCoding out;
  *out.coded.mutable_original() = reason;
  const std::string base(field);
  switch (reason.reason_case()) {
    case sprout::v1::ReasonInput::kSnomedCode:
      CodeSnomed(reason.snomed_code(), base + ".snomed_code", &out);
      break;
    case sprout::v1::ReasonInput::kLocalCode:
      CodeLocal(reason.local_code(), base, &out);
      break;
    case sprout::v1::ReasonInput::kFreeText:
      CodeFreeText(reason, agency, &out);
      break;
    case sprout::v1::ReasonInput::REASON_NOT_SET:
      Add(&out.violations, base,
          "the reason is empty; set exactly one of snomed_code, local_code or free_text");
      break;
  }
  return out;
}

void ReasonCoder::CodeSnomed(absl::string_view code, const std::string& field,
                             ReasonCoding* out) const {
  if (!CheckSnomedCode(field, code, "the reason code", &out->violations)) return;
  uint64_t id = 0;
  if (!absl::SimpleAtoi(code, &id)) return;  // CheckSnomedCode guarantees digits
  if (!terminology_->Exists(id)) {
    Add(&out->violations, field,
        absl::StrCat("the reason code is not in the loaded SNOMED CT release (", release_label_,
                     "); check the code, or send the reason as free text"));
    return;
  }
  uint64_t coded = id;
  if (!terminology_->IsActive(id)) {
    std::vector<uint64_t> replacements = terminology_->ActiveReplacements(id);
    std::optional<snomed::History> history = terminology_->GetHistory(id);
    if (replacements.size() != 1) {
      // Offer what the history suggests (REPLACED BY / SAME AS targets, else
      // POSSIBLY EQUIVALENT TO / ALTERNATIVE ones), as codes, not patient data.
      std::vector<std::string> options;
      for (uint64_t r : replacements) {
        options.push_back(absl::StrCat(r, " |", Concept(r).display(), "|"));
      }
      if (options.empty() && history.has_value()) {
        for (const snomed::HistoricalAssociation& a : history->associations) {
          if (terminology_->IsActive(a.target_id)) {
            options.push_back(absl::StrCat(a.target_id, " |", Concept(a.target_id).display(), "|"));
          }
        }
      }
      Add(&out->violations, field,
          options.empty()
              ? std::string("the reason code is inactive and has no replacement in the loaded "
                            "SNOMED CT release; send a current code, or the reason as free text")
              : absl::StrCat("the reason code is inactive and has no single replacement; send "
                             "one of ",
                             absl::StrJoin(options, ", ")));
      return;
    }
    coded = replacements[0];
    sprout::v1::Substitution* sub = out->coded.mutable_substitution();
    sub->set_original_code(absl::StrCat(id));
    if (history.has_value()) {
      for (const snomed::HistoricalAssociation& a : history->associations) {
        if (a.refset_id == snomed::kReplacedByRefset || a.refset_id == snomed::kSameAsRefset) {
          sub->set_association(std::string(a.type));
          break;
        }
      }
      if (history->inactivation_reason_id != 0) {
        std::optional<absl::string_view> reason =
            terminology_->PreferredTerm(history->inactivation_reason_id);
        sub->set_inactivation_reason(reason.has_value()
                                         ? std::string(*reason)
                                         : absl::StrCat(history->inactivation_reason_id));
      }
    }
  }
  if (!binding_.Matches(*terminology_, coded)) {
    Add(&out->violations, field,
        absl::StrCat(coded == id ? "the reason code" : "the reason code's replacement",
                     " is not a clinical finding, procedure, event, observable entity or "
                     "situation (binding ",
                     binding_.text(), "); send a code for the reason itself"));
    out->coded.clear_substitution();
    return;
  }
  *out->coded.mutable_concept() = Concept(coded);
  out->coded.set_method(coded == id ? sprout::v1::CODING_METHOD_SNOMED
                                    : sprout::v1::CODING_METHOD_SNOMED_REPLACED);
  out->coded.set_source_version(release_label_);
}

void ReasonCoder::CodeLocal(const sprout::v1::LocalCode& code, const std::string& field,
                            ReasonCoding* out) const {
  const CodeMaps::Map* map = code_maps_->FindSystem(code.system());
  if (map == nullptr) {
    std::vector<std::string> systems = code_maps_->systems();
    out->violations.push_back(FieldViolation{
        field + ".local_code.system",
        absl::StrCat(
            "there is no code map for the local code system \"", code.system(), "\"; use one of: ",
            systems.empty() ? std::string("(none configured)") : absl::StrJoin(systems, ", "),
            ", or send the reason as free text"),
        code.system(), code.code()});
    return;
  }
  auto it = map->entries.find(code.code());
  if (it == map->entries.end()) {
    out->violations.push_back(
        FieldViolation{field + ".local_code.code",
                       absl::StrCat("the local code \"", code.code(), "\" is not in the \"",
                                    map->system, "\" code map (version ", map->version,
                                    "); check the code, or send the reason as free text"),
                       code.system(), code.code()});
    return;
  }
  const CodeMaps::Entry& entry = it->second;
  if (!binding_.Matches(*terminology_, entry.concept_id)) {
    Add(&out->violations, field + ".local_code.code",
        absl::StrCat("the \"", map->system, "\" code map sends this code to ", entry.concept_id,
                     ", which is outside the reason binding; ask the map's publisher to fix "
                     "it, or send the reason as free text"));
    return;
  }
  *out->coded.mutable_concept() = Concept(entry.concept_id);
  out->coded.set_method(sprout::v1::CODING_METHOD_LOCAL_MAP);
  out->coded.set_source_version(absl::StrCat(map->system, "@", map->version));
}

std::vector<TextCandidate> ReasonCoder::Candidates(const NormalisedText& text,
                                                   absl::string_view agency) const {
  // More than are shown, so a need named inside a longer text is found.
  return options_.matcher->Match(*terminology_, *options_.lexicons, agency, text, binding_,
                                 std::max<size_t>(options_.max_candidates, 12));
}

bool ReasonCoder::MayAutoCode(uint64_t concept_id) const {
  return !auto_code_.has_value() || auto_code_->Matches(*terminology_, concept_id);
}

std::vector<const TextCandidate*> ReasonCoder::Chosen(const NormalisedText& text,
                                                      const std::vector<TextCandidate>& candidates,
                                                      bool allow_mentions) const {
  const bool affirmed = text.context.kind == ContextKind::kAffirmed;
  std::vector<const TextCandidate*> confident;
  for (const TextCandidate& c : candidates) {
    if (c.covers_text && c.score >= options_.auto_code_score && (affirmed || c.score >= 1.0) &&
        MayAutoCode(c.concept_id)) {
      confident.push_back(&c);  // one per concept: the matcher keeps each concept's best term
    }
  }
  if (confident.size() == 1) return confident;
  if (!confident.empty() || !affirmed || !allow_mentions) return {};
  // Needs named inside the text ("rough sleeping in town centre"): terms of
  // two words or more all of which are in the text, or a lexicon word that
  // names its need alone ("damp"), including every word that qualifies it
  // ("... with dementia").
  std::vector<const TextCandidate*> mentions;
  for (const TextCandidate& c : candidates) {
    if (!c.within_text || (c.term_words.size() < 2 && !c.names_need_alone) ||
        !MayAutoCode(c.concept_id)) {
      continue;
    }
    const bool qualified =
        std::all_of(text.qualifiers.begin(), text.qualifiers.end(), [&](const std::string& q) {
          return std::find(c.term_words.begin(), c.term_words.end(), q) != c.term_words.end();
        });
    if (qualified) mentions.push_back(&c);
  }
  auto subset = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return a.size() < b.size() && std::all_of(a.begin(), a.end(), [&](const std::string& w) {
             return std::find(b.begin(), b.end(), w) != b.end();
           });
  };
  auto overlap = [](const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return std::any_of(a.begin(), a.end(), [&](const std::string& w) {
      return std::find(b.begin(), b.end(), w) != b.end();
    });
  };
  // The most specific mention wins where one term's words include another's.
  std::vector<const TextCandidate*> kept;
  for (const TextCandidate* m : mentions) {
    const bool inside_another = std::any_of(
        mentions.begin(), mentions.end(),
        [&](const TextCandidate* o) { return o != m && subset(m->term_words, o->term_words); });
    if (!inside_another) kept.push_back(m);
  }
  // Two mentions sharing a word are two readings of the same words: ambiguous.
  for (size_t i = 0; i < kept.size(); ++i) {
    for (size_t j = i + 1; j < kept.size(); ++j) {
      if (overlap(kept[i]->term_words, kept[j]->term_words)) return {};
    }
  }
  return kept;
}

std::vector<sprout::v1::CodedReason> ReasonCoder::CodeNeed(const sprout::v1::ReasonInput& reason,
                                                           absl::string_view segment,
                                                           const NormalisedText& text,
                                                           bool allow_mentions,
                                                           absl::string_view agency) const {
  const std::vector<TextCandidate> candidates = Candidates(text, agency);
  sprout::v1::CodedReason base;
  *base.mutable_original() = reason;
  sprout::v1::TextMatch* match = base.mutable_text_match();
  match->set_segment(std::string(segment));
  match->set_release(release_label_);
  match->set_context(std::string(ContextName(text.context.kind)));
  for (size_t i = 0; i < candidates.size() && i < options_.max_candidates; ++i) {
    const TextCandidate& c = candidates[i];
    sprout::v1::ScoredCandidate* scored = match->add_candidates();
    *scored->mutable_concept() = Concept(c.concept_id);
    scored->set_score(c.score);
    scored->set_why(c.why);
  }
  std::vector<sprout::v1::CodedReason> out;
  for (const TextCandidate* chosen : Chosen(text, candidates, allow_mentions)) {
    sprout::v1::CodedReason coded = base;
    *coded.mutable_concept() = Concept(chosen->concept_id);
    sprout::v1::TextMatch* m = coded.mutable_text_match();
    m->set_matched_term(chosen->term);
    m->set_lexicon(chosen->lexicon);
    m->set_score(chosen->score);
    if (chosen->lexicon.empty()) {
      coded.set_method(sprout::v1::CODING_METHOD_FREE_TEXT_MATCH);
      coded.set_source_version(release_label_);
    } else {
      coded.set_method(sprout::v1::CODING_METHOD_LEXICON_MATCH);
      coded.set_source_version(chosen->lexicon);
    }
    out.push_back(std::move(coded));
  }
  if (!out.empty()) return out;
  if (!candidates.empty()) {
    match->set_matched_term(candidates[0].term);
    match->set_lexicon(candidates[0].lexicon);
    match->set_score(candidates[0].score);
  }
  base.set_method(sprout::v1::CODING_METHOD_NEEDS_REVIEW);
  base.set_source_version(release_label_);
  for (size_t i = 0; i < candidates.size() && i < options_.max_candidates; ++i) {
    *base.add_candidates() = Concept(candidates[i].concept_id);
  }
  out.push_back(std::move(base));
  return out;
}

void ReasonCoder::CodeFreeText(const sprout::v1::ReasonInput& reason, sprout::v1::SourceType agency,
                               ReasonCoding* out) const {
  const std::string agency_name = AgencyName(agency);
  auto is_coded = [](const std::vector<sprout::v1::CodedReason>& r) {
    return r[0].method() != sprout::v1::CODING_METHOD_NEEDS_REVIEW;
  };
  auto emit = [out](std::vector<sprout::v1::CodedReason> reasons) {
    out->coded = std::move(reasons[0]);
    for (size_t i = 1; i < reasons.size(); ++i) out->more.push_back(std::move(reasons[i]));
  };
  // The whole text first, without looking for needs inside it: a text that
  // is one need ("alcohol and drug misuse") is coded as one.
  const NormalisedText whole = Normalise(reason.free_text());
  std::vector<sprout::v1::CodedReason> as_one = CodeNeed(reason, "", whole, false, agency_name);
  if (is_coded(as_one)) return emit(std::move(as_one));

  std::vector<absl::string_view> needs = SplitNeeds(reason.free_text());
  if (needs.size() > options_.max_needs_per_text) needs.resize(options_.max_needs_per_text);
  if (needs.size() <= 1) {
    std::vector<sprout::v1::CodedReason> within = CodeNeed(reason, "", whole, true, agency_name);
    return emit(is_coded(within) ? std::move(within) : std::move(as_one));
  }
  std::vector<sprout::v1::CodedReason> parts;
  bool any_coded = false;
  for (absl::string_view need : needs) {
    const NormalisedText text = Normalise(need);
    // A piece that is only a cue ("resolved", "nil current", "fine now" is
    // not: it has words) says something about its neighbour that splitting
    // loses: read the text as a whole instead.
    if (text.content.empty() && text.context.kind != ContextKind::kAffirmed) {
      return emit(std::move(as_one));
    }
    if (text.content.empty()) continue;
    std::vector<sprout::v1::CodedReason> coded = CodeNeed(reason, need, text, true, agency_name);
    if (!is_coded(coded)) {
      // An unmatched need is kept for review; a negated or historical one
      // ("no longer homeless") is not a reason for referral.
      if (text.context.kind == ContextKind::kAffirmed) parts.push_back(std::move(coded[0]));
      continue;
    }
    for (sprout::v1::CodedReason& c : coded) {
      const bool repeated = std::any_of(parts.begin(), parts.end(), [&](const auto& p) {
        return p.concept().code() == c.concept().code();
      });
      if (repeated) continue;
      any_coded = true;
      parts.push_back(std::move(c));
    }
  }
  if (!any_coded) return emit(std::move(as_one));
  // Coded needs first, then those left for review, each in text order.
  std::stable_partition(parts.begin(), parts.end(), [](const sprout::v1::CodedReason& p) {
    return p.method() != sprout::v1::CODING_METHOD_NEEDS_REVIEW;
  });
  emit(std::move(parts));
}

void ReasonCoder::CheckConcept(absl::string_view field, absl::string_view code,
                               absl::string_view what, std::vector<FieldViolation>* out) const {
  if (!CheckSnomedCode(field, code, what, out)) return;
  uint64_t id = 0;
  if (!absl::SimpleAtoi(code, &id)) return;
  if (!terminology_->Exists(id)) {
    Add(out, std::string(field),
        absl::StrCat(what, " is not in the loaded SNOMED CT release (", release_label_,
                     "); check the code"));
  } else if (!terminology_->IsActive(id)) {
    Add(out, std::string(field),
        absl::StrCat(what, " is inactive in the loaded SNOMED CT release; send a current code"));
  }
}

}  // namespace sprout::intake
