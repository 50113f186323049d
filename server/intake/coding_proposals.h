// File: server/intake/coding_proposals.h
//
// Learning from coding review, under control. Every concept a person chose
// for a flagged free-text reason is kept (server/store/coding_choices.h);
// here they are grouped into proposals: per agency, per phrase once
// normalised (PhraseKey, so "Rent arrears" and "in arrears with rent" are
// one), the concepts chosen and how many referrals chose each. An
// administrator reads them (AdminService.ListCodingProposals) and accepts a
// phrase into the agency's lexicon as a new version
// (AdminService.AcceptCodingProposal); nothing is learned otherwise.
//
// A phrase chosen for fewer than kMinProposalReferrals referrals is never
// shown: text one referrer wrote once may be that person's own story, while
// words several referrals share are the agency's way of putting a need.
#ifndef SPROUT_SERVER_INTAKE_CODING_PROPOSALS_H_
#define SPROUT_SERVER_INTAKE_CODING_PROPOSALS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/intake/lexicons.h"
#include "sprout/v1/admin_service.pb.h"
#include "sprout/v1/common.pb.h"

namespace sprout::intake {

// The fewest referrals a listed proposal may have, and the default.
inline constexpr int kMinProposalReferrals = 2;
inline constexpr int kDefaultProposalReferrals = 3;

// One concept chosen in review, as proposals read it.
struct ReviewChoice {
  std::string agency;  // AgencyName of the referrer kind
  std::string phrase;  // the flagged words as written
  std::string referral_id;
  sprout::v1::CodedConcept concept;
  absl::Time time;
};

// Which proposals to list.
struct ProposalQuery {
  std::string agency;  // empty: every agency
  int min_referrals = kDefaultProposalReferrals;
  bool include_in_lexicon = false;
};

// ProposalId()
//
// The id of the proposal for `agency`'s phrase with `phrase_key`: 16 hex
// digits of a SHA-256 of both, the same on every replica and across
// restarts.
std::string ProposalId(absl::string_view agency, absl::string_view phrase_key);

// A proposal and what accepting it needs.
struct Proposal {
  sprout::v1::CodingProposal view;
  std::string phrase_key;
};

// ProposalsOf()
//
// `choices` grouped by agency and PhraseKey, filtered by `query`, most
// referrals first (then agency, then phrase). Phrases without content words,
// and choices with no agency, are left out. A proposal is IN_LEXICON when the
// agency's own lexicon in `lexicons` has a phrase with its key. Its phrase is
// the latest one written.
std::vector<Proposal> ProposalsOf(const std::vector<ReviewChoice>& choices,
                                  const PhraseLexicons& lexicons, const ProposalQuery& query);

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_CODING_PROPOSALS_H_
