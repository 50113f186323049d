// File: server/intake/lexicons.h
//
// PhraseLexicons: the agency phrase lexicons (sprout.config.v1.PhraseLexicon,
// one per agency plus "common"), loaded from protobuf text files beside the
// code maps and validated against the loaded SNOMED CT release at start-up.
// Each phrase is normalised once here (text_normaliser.h) so the matcher
// compares it with a referrer's text word for word.
//
//   SPROUT_ASSIGN_OR_RETURN(std::shared_ptr<const PhraseLexicons> lexicons,
//                           PhraseLexicons::LoadDirectory("deploy/demo/lexicons", *terminology));
//   for (const PhraseLexicons::Lexicon* l : lexicons->For("housing_provider")) ...
//
// Immutable after construction: thread-safe, shared as
// std::shared_ptr<const PhraseLexicons>. Validated against one release; load
// again against a new one.
#ifndef SPROUT_SERVER_INTAKE_LEXICONS_H_
#define SPROUT_SERVER_INTAKE_LEXICONS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/intake/text_normaliser.h"
#include "snomed/terminology.h"
#include "sprout/config/v1/phrase_lexicon.pb.h"
#include "sprout/v1/common.pb.h"

namespace sprout::intake {

// The lexicon that applies to every referrer.
inline constexpr absl::string_view kCommonLexicon = "common";

// AgencyName()
//
// How lexicons name a referrer kind: the SourceType name, lower case,
// without its prefix ("police", "housing_provider"); "" for UNSPECIFIED.
std::string AgencyName(sprout::v1::SourceType source_type);

// A parsed lexicon and where it came from (a file name, for messages).
struct LexiconSource {
  std::string origin;
  sprout::config::v1::PhraseLexicon lexicon;
};

// PhraseKey()
//
// A phrase as the matcher reads it: its context and its content words'
// stems, sorted ("Rent arrears" and "in arrears with rent" share one). Two
// phrases with the same key read the same to the coder.
std::string PhraseKey(absl::string_view text);

// A phrase an administrator accepted from coding review into an agency's
// lexicon (AdminService.AcceptCodingProposal), as the store keeps it.
struct AcceptedPhrase {
  std::string agency;
  std::string text;
  std::string snomed_code;
  std::string snomed_display;
  std::string accepted_by;  // principal URI
  std::string accept_date;  // "2026-12-07"
};

// The suffix a lexicon's version gains from accepted phrases:
// "2026-12" with 2 accepted becomes "2026-12+reviewed.2".
inline constexpr absl::string_view kReviewedVersionSuffix = "+reviewed.";

// WithAccepted()
//
// The lexicons of `files` with `accepted` added, in order: each phrase to
// its agency's lexicon (a new lexicon, version "0", when the agency has no
// file), unless that lexicon has a phrase with the same PhraseKey already
// (the file's own phrase wins, so an accepted phrase later copied into the
// file is not doubled). A lexicon that gains n phrases gets the version
// "<version>+reviewed.<n>".
std::vector<LexiconSource> WithAccepted(std::vector<LexiconSource> files,
                                        const std::vector<AcceptedPhrase>& accepted);

class PhraseLexicons {
 public:
  struct Lexicon;
  struct Phrase {
    std::string text;  // as written in the file
    NormalisedText normalised;
    uint64_t concept_id = 0;
    std::string note;
    // LexiconPhrase.names_need_alone: a one-word phrase that names its need
    // inside a longer text too.
    bool names_need_alone = false;
    const Lexicon* lexicon = nullptr;  // lives as long as the PhraseLexicons
  };
  struct Lexicon {
    std::string agency;
    std::string version;
    std::string title;
    std::string origin;
    std::vector<Phrase> phrases;
    // "<agency>@<version>", as recorded on a coded reason.
    std::string label() const { return agency + "@" + version; }
  };

  // LoadDirectory()
  //
  // Parses every "*.textproto" file directly in `dir` (in name order) as a
  // PhraseLexicon and validates them all (see Build). NOT_FOUND if `dir`
  // cannot be read; INVALID_ARGUMENT "<file>:<line>:<column>: ..." for a
  // syntax error, or Build's error.
  // `accepted` are added as WithAccepted does.
  static absl::StatusOr<std::shared_ptr<const PhraseLexicons>> LoadDirectory(
      const std::string& dir, const snomed::Terminology& terminology,
      const std::vector<AcceptedPhrase>& accepted = {});

  // ReadDirectory()
  //
  // The parsed "*.textproto" files of `dir`, unvalidated; errors as
  // LoadDirectory's.
  static absl::StatusOr<std::vector<LexiconSource>> ReadDirectory(const std::string& dir);

  // Build()
  //
  // INVALID_ARGUMENT naming the origin (and the phrase, 1-based, with its
  // text) for the first problem: agency missing, not "common" and not a
  // referrer kind (AgencyName), or used by two lexicons; version missing;
  // phrase text missing, without a content word, or the same after
  // normalisation as an earlier phrase; target not a valid concept SCTID, not
  // in `terminology`, or inactive.
  static absl::StatusOr<std::shared_ptr<const PhraseLexicons>> Build(
      const std::vector<LexiconSource>& sources, const snomed::Terminology& terminology);

  // No lexicons.
  static std::shared_ptr<const PhraseLexicons> Empty();

  // For()
  //
  // The lexicons that apply to a referral from `agency`: its own (if any),
  // then the common one (if any).
  std::vector<const Lexicon*> For(absl::string_view agency) const;

  // Every lexicon, by agency.
  std::vector<const Lexicon*> all() const;
  // The lexicon of `agency` ("common" included); null when there is none.
  const Lexicon* Find(absl::string_view agency) const;
  size_t size() const { return lexicons_.size(); }

  PhraseLexicons(const PhraseLexicons&) = delete;
  PhraseLexicons& operator=(const PhraseLexicons&) = delete;

 private:
  PhraseLexicons() = default;
  std::vector<std::unique_ptr<Lexicon>> lexicons_;  // by agency; node-stable
};

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_LEXICONS_H_
