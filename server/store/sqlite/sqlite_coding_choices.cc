// SqliteStoreImpl's record of what coding review teaches
// (server/store/coding_choices.h): the choice written with the update that
// resolves a review, lexicon additions through the writer, and both read on
// a reader.
#include <string>
#include <utility>
#include <vector>

#include "base/status_macros.h"
#include "server/store/coding_choices.h"
#include "server/store/sqlite/sqlite_store_impl.h"

namespace sprout::store::sqlite {

absl::Status SqliteStoreImpl::InsertCodingChoice(const CodingChoice& choice,
                                                 const std::string& sealed_phrase) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("INSERT INTO coding_choices (referral_id, reason_index, source_type, "
                       "concept_id, concept_display, chosen_by, choice_time_us, body) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  return stmt.BindText(1, choice.referral_id)
      .Bind(2, choice.reason_index)
      .Bind(3, choice.source_type)
      .BindText(4, choice.concept.code())
      .BindText(5, choice.concept.display())
      .BindText(6, choice.chosen_by)
      .Bind(7, absl::ToUnixMicros(choice.time))
      .BindBlob(8, sealed_phrase)
      .Run();
}

absl::StatusOr<bool> SqliteStoreImpl::LexiconAdditionExists(const std::string& agency,
                                                            const std::string& phrase_key) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("SELECT 1 FROM lexicon_additions WHERE agency = ? AND phrase_key = ?"));
  stmt.BindText(1, agency).BindText(2, phrase_key);
  return stmt.Step();
}

absl::Status SqliteStoreImpl::InsertLexiconAddition(const LexiconAddition& addition) {
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      writer_->Prepare("INSERT INTO lexicon_additions (agency, phrase_key, phrase, concept_id, "
                       "concept_display, accepted_by, accept_time_us) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)"));
  return stmt.BindText(1, addition.agency)
      .BindText(2, addition.phrase_key)
      .BindText(3, addition.phrase)
      .BindText(4, addition.concept.code())
      .BindText(5, addition.concept.display())
      .BindText(6, addition.accepted_by)
      .Bind(7, absl::ToUnixMicros(addition.time))
      .Run();
}

absl::Status SqliteStoreImpl::AddLexiconPhrase(const LexiconAddition& addition,
                                               const AuditEvent& audit) {
  return AddLexiconPhraseWith(group_commit_, *this, addition,
                              [this, &audit] { return InsertAudit(audit); });
}

absl::StatusOr<std::vector<CodingChoice>> SqliteStoreImpl::ListCodingChoices() {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare("SELECT referral_id, reason_index, source_type, concept_id, concept_display, "
                  "chosen_by, choice_time_us, body FROM coding_choices ORDER BY pk"));
  std::vector<CodingChoice> out;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    CodingChoice c;
    c.referral_id = stmt.ColumnText(0);
    c.reason_index = static_cast<int>(stmt.ColumnInt64(1));
    c.source_type = static_cast<int>(stmt.ColumnInt64(2));
    c.concept.set_code(stmt.ColumnText(3));
    c.concept.set_display(stmt.ColumnText(4));
    c.chosen_by = stmt.ColumnText(5);
    c.time = absl::FromUnixMicros(stmt.ColumnInt64(6));
    SPROUT_ASSIGN_OR_RETURN(
        c.phrase,
        cipher().Open(CodingChoiceRecord(c.referral_id, c.reason_index), stmt.ColumnBlob(7)));
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<std::vector<LexiconAddition>> SqliteStoreImpl::ListLexiconAdditions() {
  SPROUT_RETURN_IF_ERROR(ReaderAvailable());
  ReaderPool::Lease db = readers_.Acquire();
  SPROUT_ASSIGN_OR_RETURN(
      Statement stmt,
      db->Prepare("SELECT agency, phrase_key, phrase, concept_id, concept_display, accepted_by, "
                  "accept_time_us FROM lexicon_additions ORDER BY pk"));
  std::vector<LexiconAddition> out;
  while (true) {
    SPROUT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    LexiconAddition a;
    a.agency = stmt.ColumnText(0);
    a.phrase_key = stmt.ColumnText(1);
    a.phrase = stmt.ColumnText(2);
    a.concept.set_code(stmt.ColumnText(3));
    a.concept.set_display(stmt.ColumnText(4));
    a.accepted_by = stmt.ColumnText(5);
    a.time = absl::FromUnixMicros(stmt.ColumnInt64(6));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace sprout::store::sqlite
