// File: server/intake/coder.h
//
// ReasonCoder turns each reason for referral into a SNOMED CT concept with its
// provenance (DESIGN.md §3.3):
//  - SNOMED code: syntax, partition and Verhoeff; present in the loaded
//    release; an inactive code replaced through REPLACED BY / SAME AS when
//    that gives exactly one active concept (the substitution is recorded);
//    inside the reason binding (ECL, default the UK Core ServiceRequest
//    reasonCode binding of DOMAIN.md §1.8).
//  - Local code: translated through the CodeMaps map for its system; an
//    unknown system or code is a violation naming the map and the code.
//  - Free text: matched against the release's en-GB descriptions and the
//    referrer's agency lexicon (free_text.h). The text is coded only when
//    exactly one concept has a *confident* candidate:
//      * every content word of the text is a word of the term (so a word
//        left over, "resolved", "sorted", blocks the code),
//      * its score is at least CoderOptions::auto_code_score (0.75), and
//      * in a negated, historical or someone-else context (text_context.h)
//        the term has exactly the text's words ("no money" in a lexicon),
//    and the concept satisfies the reason binding and auto_code_ecl. A text that has no such
//    concept but names several needs ("rent arrears and worried about
//    money") is split (SplitNeeds) and each need coded the same way, giving
//    one reason per need (a need in a negated or historical context is not a
//    reason and is dropped; a need coded twice is kept once). Otherwise the
//    reason is accepted as NEEDS_REVIEW with scored candidates.
// Every CodedReason keeps the original input, the method, and the map or
// lexicon version ("police-vulnerability@2025-09", "housing_provider@2026-12")
// or the release label; free text also keeps a TextMatch (the matched term,
// its lexicon and release, score, context and every candidate with why).
//
//   SPROUT_ASSIGN_OR_RETURN(std::unique_ptr<ReasonCoder> coder,
//                           ReasonCoder::Create(terminology, maps, CoderOptions()));
//   ReasonCoding c = coder->Code(referral.reasons(0), "referral.reasons[0]",
//                                sprout::v1::SOURCE_TYPE_POLICE);
//   if (c.violations.empty()) *out.add_coded_reasons() = c.coded;  // and c.more
//
// Immutable after Create(): thread-safe, no I/O.
#ifndef SPROUT_SERVER_INTAKE_CODER_H_
#define SPROUT_SERVER_INTAKE_CODER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/intake/code_maps.h"
#include "server/intake/free_text.h"
#include "server/intake/lexicons.h"
#include "server/intake/violations.h"
#include "snomed/ecl.h"
#include "snomed/terminology.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::intake {

// The UK Core ServiceRequest reasonCode binding (DOMAIN.md §1.8): clinical
// findings, procedures, events, observable entities, situations.
inline constexpr absl::string_view kDefaultReasonBinding =
    "<< 404684003 |Clinical finding| OR << 71388002 |Procedure| OR << 272379006 |Event| OR "
    "<< 363787002 |Observable entity| OR << 243796009 |Situation with explicit context|";

struct CoderOptions {
  // ECL every coded reason must satisfy. Default kDefaultReasonBinding.
  std::string reason_binding_ecl = std::string(kDefaultReasonBinding);
  // Candidates offered for free text that needs review. Default 5.
  size_t max_candidates = 5;
  // The lowest score of a confident free-text candidate (see above).
  // Default 0.75: "lonely" for "Feeling lonely" (0.8) is confident, "lack of
  // exercise" for "Lack of physical exercise" (0.67) is not.
  double auto_code_score = 0.75;
  // ECL a concept must also satisfy for free text to be coded to it without
  // review (bindings.proto free_text_auto_code_ecl). Default empty: none.
  std::string auto_code_ecl;
  // Most needs one free text is split into. Default 5.
  size_t max_needs_per_text = 5;
  // The agency phrase lexicons; null means none. Default null.
  std::shared_ptr<const PhraseLexicons> lexicons;
  // The free-text matcher; null means WordOverlapMatcher. Default null.
  std::shared_ptr<const FreeTextMatcher> matcher;
};

// The result of coding one reason: `coded` (and `more`) when `violations` is
// empty.
struct ReasonCoding {
  sprout::v1::CodedReason coded;
  // Further reasons when a free text named several needs, in text order.
  std::vector<sprout::v1::CodedReason> more;
  std::vector<FieldViolation> violations;
};

// ReleaseLabel()
//
// How a release is named in provenance: "<identity> <effective date>", e.g.
// "starter 20251001", or just the date when the identity is empty.
std::string ReleaseLabel(const snomed::Terminology& terminology);

class ReasonCoder {
 public:
  // Create()
  //
  // REQUIRES: terminology and code_maps non-null (use CodeMaps::Empty()).
  // Returns INVALID_ARGUMENT if options.reason_binding_ecl does not parse or
  // names concepts the release does not contain.
  static absl::StatusOr<std::unique_ptr<ReasonCoder>> Create(
      std::shared_ptr<const snomed::Terminology> terminology,
      std::shared_ptr<const CodeMaps> code_maps, CoderOptions options);

  // Code()
  //
  // Codes `reason` from a referrer of kind `agency` (which selects the
  // lexicon for free text). `field` is its path ("referral.reasons[2]");
  // violations are reported at `field` + ".snomed_code", ".local_code.system"
  // or ".local_code.code". Free text is never a violation.
  ReasonCoding Code(const sprout::v1::ReasonInput& reason, absl::string_view field,
                    sprout::v1::SourceType agency) const;

  // CheckConcept()
  //
  // For codes outside the reasons (safeguarding flags, conditions): appends a
  // violation at `field` if `code` is not a valid concept id present and
  // active in the release. `what` names it ("the safeguarding code").
  void CheckConcept(absl::string_view field, absl::string_view code, absl::string_view what,
                    std::vector<FieldViolation>* out) const;

  // The concept as it appears on the wire: id and en-GB preferred term.
  sprout::v1::CodedConcept Concept(uint64_t id) const;

  const snomed::Terminology& terminology() const { return *terminology_; }
  const CodeMaps& code_maps() const { return *code_maps_; }
  // The agency phrase lexicons in force (empty when none were given).
  const PhraseLexicons& lexicons() const { return *options_.lexicons; }
  const std::string& release_label() const { return release_label_; }
  const snomed::Ecl& binding() const { return binding_; }

 private:
  ReasonCoder(std::shared_ptr<const snomed::Terminology> terminology,
              std::shared_ptr<const CodeMaps> code_maps, CoderOptions options, snomed::Ecl binding,
              std::optional<snomed::Ecl> auto_code);
  void CodeSnomed(absl::string_view code, const std::string& field, ReasonCoding* out) const;
  void CodeLocal(const sprout::v1::LocalCode& code, const std::string& field,
                 ReasonCoding* out) const;
  void CodeFreeText(const sprout::v1::ReasonInput& reason, sprout::v1::SourceType agency,
                    ReasonCoding* out) const;
  // One need of a free text: one coded reason per concept chosen (Chosen),
  // else one NEEDS_REVIEW reason. `segment` is empty when the need is the
  // whole text.
  std::vector<sprout::v1::CodedReason> CodeNeed(const sprout::v1::ReasonInput& reason,
                                                absl::string_view segment,
                                                const NormalisedText& text, bool allow_mentions,
                                                absl::string_view agency) const;
  // The candidates to code `text` to: the one confident candidate; else,
  // when `allow_mentions`, the needs named inside it; else none.
  std::vector<const TextCandidate*> Chosen(const NormalisedText& text,
                                           const std::vector<TextCandidate>& candidates,
                                           bool allow_mentions) const;
  std::vector<TextCandidate> Candidates(const NormalisedText& text, absl::string_view agency) const;
  bool MayAutoCode(uint64_t concept_id) const;

  // Constant after construction.
  const std::shared_ptr<const snomed::Terminology> terminology_;
  const std::shared_ptr<const CodeMaps> code_maps_;
  const CoderOptions options_;  // lexicons and matcher non-null
  const snomed::Ecl binding_;
  const std::optional<snomed::Ecl> auto_code_;  // none: no further limit
  const std::string release_label_;
};

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_CODER_H_
