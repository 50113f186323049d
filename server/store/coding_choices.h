// File: server/store/coding_choices.h
//
// What coding review teaches, as both backends keep it. Each concept a
// person chooses for a flagged free-text reason (ResolveCodingReview) is
// recorded in the transaction that resolves it (ApplyReferralUpdate): which
// referral and reason, the referrer kind, the concept, who and when, and the
// words that were flagged, sealed like every other body because a referrer's
// free text may name the person. Administrators read the choices grouped
// into proposals (server/intake/coding_proposals.h) and accept a phrase into
// its agency's lexicon: the accepted phrase is a lexicon addition, kept here
// so every replica and every restart loads it (server/intake/lexicons.h).
// Nothing is learned from a choice until an addition is accepted.
#ifndef SPROUT_SERVER_STORE_CODING_CHOICES_H_
#define SPROUT_SERVER_STORE_CODING_CHOICES_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sprout/v1/common.pb.h"

namespace sprout::store {

class GroupCommitWriter;  // group_commit_writer.h, which includes store.h

// One concept chosen in coding review.
struct CodingChoice {
  std::string referral_id;
  int reason_index = 0;
  int source_type = 0;  // sprout::v1::SourceType of the referrer
  // The flagged words as the referrer wrote them (the reason's segment, or
  // its whole free text). Patient data: sealed at rest, never logged.
  std::string phrase;
  sprout::v1::CodedConcept concept;
  std::string chosen_by;  // principal URI
  absl::Time time;
};

// A phrase an administrator accepted into an agency's lexicon.
struct LexiconAddition {
  std::string agency;      // as lexicons name it ("police")
  std::string phrase_key;  // the phrase once normalised (intake::PhraseKey)
  std::string phrase;      // as it will be matched; configuration, not patient data
  sprout::v1::CodedConcept concept;
  std::string accepted_by;  // principal URI
  absl::Time time;
};

// The record name a choice's phrase is sealed for.
std::string CodingChoiceRecord(absl::string_view referral_id, int reason_index);

// One backend's statements for lexicon additions, run on its writer
// connection inside the open transaction.
class LexiconAdditionStatements {
 public:
  virtual ~LexiconAdditionStatements() = default;
  virtual absl::StatusOr<bool> LexiconAdditionExists(const std::string& agency,
                                                     const std::string& phrase_key) = 0;
  virtual absl::Status InsertLexiconAddition(const LexiconAddition& addition) = 0;
};

// Stores `addition` and its audit record (`insert_audit`) in one job of
// `writer`. ALREADY_EXISTS when the agency has that phrase already.
absl::Status AddLexiconPhraseWith(GroupCommitWriter& writer, LexiconAdditionStatements& db,
                                  const LexiconAddition& addition,
                                  const std::function<absl::Status()>& insert_audit);

}  // namespace sprout::store

#endif  // SPROUT_SERVER_STORE_CODING_CHOICES_H_
