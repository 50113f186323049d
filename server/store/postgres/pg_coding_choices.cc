// PostgresStoreImpl's record of what coding review teaches
// (server/store/coding_choices.h): the choice written with the update that
// resolves a review, lexicon additions through the writer (whose
// transactions all replicas commit one after another, so two accepting the
// same phrase cannot both add it), and both read on a pooled connection.
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "server/store/coding_choices.h"
#include "server/store/postgres/pg_store_impl.h"

namespace sprout::store::postgres {

absl::Status PostgresStoreImpl::InsertCodingChoice(const CodingChoice& choice,
                                                   const std::string& sealed_phrase) {
  return writer_
      ->Run(
          "INSERT INTO coding_choices (referral_id, reason_index, source_type, concept_id, "
          "concept_display, chosen_by, choice_time_us, body) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          Params()
              .Text(choice.referral_id)
              .Int(choice.reason_index)
              .Int(choice.source_type)
              .Text(choice.concept.code())
              .Text(choice.concept.display())
              .Text(choice.chosen_by)
              .Int(absl::ToUnixMicros(choice.time))
              .Bytes(sealed_phrase))
      .status();
}

absl::StatusOr<bool> PostgresStoreImpl::LexiconAdditionExists(const std::string& agency,
                                                              const std::string& phrase_key) {
  SPROUT_ASSIGN_OR_RETURN(
      Result r,
      writer_->Run("SELECT 1 FROM lexicon_additions WHERE agency = $1 AND phrase_key = $2",
                   Params().Text(agency).Text(phrase_key)));
  return r.rows() > 0;
}

absl::Status PostgresStoreImpl::InsertLexiconAddition(const LexiconAddition& addition) {
  return writer_
      ->Run(
          "INSERT INTO lexicon_additions (agency, phrase_key, phrase, concept_id, "
          "concept_display, accepted_by, accept_time_us) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          Params()
              .Text(addition.agency)
              .Text(addition.phrase_key)
              .Text(addition.phrase)
              .Text(addition.concept.code())
              .Text(addition.concept.display())
              .Text(addition.accepted_by)
              .Int(absl::ToUnixMicros(addition.time)))
      .status();
}

absl::Status PostgresStoreImpl::AddLexiconPhrase(const LexiconAddition& addition,
                                                 const AuditEvent& audit) {
  return AddLexiconPhraseWith(group_commit_, *this, addition,
                              [this, &audit] { return InsertAudit(audit); });
}

absl::StatusOr<std::vector<CodingChoice>> PostgresStoreImpl::ListCodingChoices() {
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  std::vector<CodingChoice> out;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    out.clear();
    SPROUT_ASSIGN_OR_RETURN(
        Result r,
        db.Run("SELECT referral_id, reason_index, source_type, concept_id, concept_display, "
               "chosen_by, choice_time_us, body FROM coding_choices ORDER BY pk"));
    for (int i = 0; i < r.rows(); ++i) {
      CodingChoice c;
      c.referral_id = r.Text(i, 0);
      c.reason_index = static_cast<int>(r.Int(i, 1));
      c.source_type = static_cast<int>(r.Int(i, 2));
      c.concept.set_code(r.Text(i, 3));
      c.concept.set_display(r.Text(i, 4));
      c.chosen_by = r.Text(i, 5);
      c.time = absl::FromUnixMicros(r.Int(i, 6));
      SPROUT_ASSIGN_OR_RETURN(
          c.phrase,
          cipher().Open(CodingChoiceRecord(c.referral_id, c.reason_index), r.Bytes(i, 7)));
      out.push_back(std::move(c));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<LexiconAddition>> PostgresStoreImpl::ListLexiconAdditions() {
  if (stopped_.load()) return absl::UnavailableError("the store is shut down");
  std::vector<LexiconAddition> out;
  SPROUT_RETURN_IF_ERROR(Read([&](Connection& db) -> absl::Status {
    out.clear();
    SPROUT_ASSIGN_OR_RETURN(
        Result r, db.Run("SELECT agency, phrase_key, phrase, concept_id, concept_display, "
                         "accepted_by, accept_time_us FROM lexicon_additions ORDER BY pk"));
    for (int i = 0; i < r.rows(); ++i) {
      LexiconAddition a;
      a.agency = r.Text(i, 0);
      a.phrase_key = r.Text(i, 1);
      a.phrase = r.Text(i, 2);
      a.concept.set_code(r.Text(i, 3));
      a.concept.set_display(r.Text(i, 4));
      a.accepted_by = r.Text(i, 5);
      a.time = absl::FromUnixMicros(r.Int(i, 6));
      out.push_back(std::move(a));
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace sprout::store::postgres
