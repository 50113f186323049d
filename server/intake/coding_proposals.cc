#include "server/intake/coding_proposals.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/keyed_hash.h"
#include "server/common/proto_time.h"

namespace sprout::intake {
namespace {

struct Group {
  std::string agency;
  std::string key;
  std::string phrase;  // the latest written
  absl::Time last = absl::InfinitePast();
  std::set<std::string> referrals;
  // concept code -> (display, referrals)
  std::map<std::string, std::pair<std::string, std::set<std::string>>> concepts;
};

}  // namespace

std::string ProposalId(absl::string_view agency, absl::string_view phrase_key) {
  return Sha256Hex(absl::StrCat(agency, "\n", phrase_key)).substr(0, 16);
}

std::vector<Proposal> ProposalsOf(const std::vector<ReviewChoice>& choices,
                                  const PhraseLexicons& lexicons, const ProposalQuery& query) {
  std::map<std::pair<std::string, std::string>, Group> groups;
  for (const ReviewChoice& c : choices) {
    if (c.agency.empty() || c.concept.code().empty()) continue;
    if (!query.agency.empty() && c.agency != query.agency) continue;
    std::string key = PhraseKey(c.phrase);
    if (absl::EndsWith(key, ":")) continue;  // no content words
    Group& g = groups[{c.agency, key}];
    g.agency = c.agency;
    g.key = key;
    if (c.time >= g.last) {
      g.last = c.time;
      g.phrase = c.phrase;
    }
    g.referrals.insert(c.referral_id);
    auto& [display, referrals] = g.concepts[c.concept.code()];
    display = c.concept.display();
    referrals.insert(c.referral_id);
  }
  std::vector<Proposal> out;
  for (auto& [unused, g] : groups) {
    if (static_cast<int>(g.referrals.size()) < query.min_referrals) continue;
    Proposal p;
    p.phrase_key = g.key;
    sprout::v1::CodingProposal& v = p.view;
    v.set_name(absl::StrCat("codingProposals/", ProposalId(g.agency, g.key)));
    v.set_agency(g.agency);
    v.set_phrase(g.phrase);
    v.set_referrals(static_cast<int>(g.referrals.size()));
    *v.mutable_last_choice_time() = ToProtoTime(g.last);
    v.set_state(sprout::v1::CODING_PROPOSAL_STATE_OPEN);
    if (const PhraseLexicons::Lexicon* own = lexicons.Find(g.agency)) {
      for (const PhraseLexicons::Phrase& phrase : own->phrases) {
        if (PhraseKey(phrase.text) != g.key) continue;
        v.set_state(sprout::v1::CODING_PROPOSAL_STATE_IN_LEXICON);
        v.set_lexicon(own->label());
        break;
      }
    }
    if (v.state() == sprout::v1::CODING_PROPOSAL_STATE_IN_LEXICON && !query.include_in_lexicon) {
      continue;
    }
    std::vector<std::tuple<int, std::string, std::string>> ranked;  // referrals, code, display
    for (const auto& [code, concept] : g.concepts) {
      ranked.emplace_back(static_cast<int>(concept.second.size()), code, concept.first);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) > std::get<0>(b);
      return std::get<1>(a) < std::get<1>(b);
    });
    for (const auto& [count, code, display] : ranked) {
      sprout::v1::ProposedConcept* pc = v.add_choices();
      pc->mutable_concept()->set_code(code);
      pc->mutable_concept()->set_display(display);
      pc->set_referrals(count);
    }
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const Proposal& a, const Proposal& b) {
    if (a.view.referrals() != b.view.referrals()) return a.view.referrals() > b.view.referrals();
    if (a.view.agency() != b.view.agency()) return a.view.agency() < b.view.agency();
    return a.view.phrase() < b.view.phrase();
  });
  return out;
}

}  // namespace sprout::intake
