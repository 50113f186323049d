#include "server/store/coding_choices.h"

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "server/store/group_commit_writer.h"

namespace sprout::store {

std::string CodingChoiceRecord(absl::string_view referral_id, int reason_index) {
  return absl::StrCat("coding_choices/", referral_id, "/", reason_index);
}

absl::Status AddLexiconPhraseWith(GroupCommitWriter& writer, LexiconAdditionStatements& db,
                                  const LexiconAddition& addition,
                                  const std::function<absl::Status()>& insert_audit) {
  return writer.Run([&](bool* partial) -> absl::Status {
    SPROUT_ASSIGN_OR_RETURN(bool exists,
                            db.LexiconAdditionExists(addition.agency, addition.phrase_key));
    if (exists) {
      return absl::AlreadyExistsError(
          absl::StrCat("the ", addition.agency, " lexicon has accepted this phrase already"));
    }
    *partial = true;
    SPROUT_RETURN_IF_ERROR(db.InsertLexiconAddition(addition));
    return insert_audit();
  });
}

}  // namespace sprout::store
