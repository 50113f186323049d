// sproutctl admin coding ...: what coding review has taught, and accepting
// a phrase into an agency's lexicon.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/cli/command.h"
#include "client/cli/output.h"

namespace sprout::client::cli {
namespace {

namespace v1 = ::sprout::v1;

struct ProposalFlags {
  std::string agency;
  int min_referrals = 0;
  bool include_in_lexicon = false;
};

// "267076002 Feeling lonely (4), 1230392000 ... (1)".
std::string ChoicesOf(const v1::CodingProposal& p) {
  std::vector<std::string> parts;
  for (const v1::ProposedConcept& c : p.choices()) {
    parts.push_back(
        absl::StrCat(c.concept().code(), " ", c.concept().display(), " (", c.referrals(), ")"));
  }
  return absl::StrJoin(parts, ", ");
}

Action SetUpProposals(CLI::App& cmd) {
  auto f = std::make_shared<ProposalFlags>();
  cmd.add_option("--agency", f->agency, "only this referrer kind, e.g. police, housing_provider");
  cmd.add_option("--min-referrals", f->min_referrals,
                 "only phrases chosen for at least this many referrals (server default 3, "
                 "at least 2)");
  cmd.add_flag("--include-in-lexicon", f->include_in_lexicon,
               "also list phrases the lexicons in force have already");
  return [f](CommandContext& ctx) -> absl::Status {
    v1::ListCodingProposalsRequest request;
    request.set_agency(f->agency);
    request.set_min_referrals(f->min_referrals);
    request.set_include_in_lexicon(f->include_in_lexicon);
    return CallAndPrint<v1::ListCodingProposalsResponse>(
        ctx, [&](SproutClient& c) { return c.ListCodingProposals(request); },
        [](const v1::ListCodingProposalsResponse& r, std::ostream& out) {
          Table table({"proposal", "agency", "phrase", "referrals", "chosen (referrals)", "state"});
          for (const v1::CodingProposal& p : r.proposals()) {
            std::string state = ShortEnum(p.state());
            if (!p.lexicon().empty()) absl::StrAppend(&state, " ", p.lexicon());
            table.AddRow({p.name(), p.agency(), p.phrase(), absl::StrCat(p.referrals()),
                          ChoicesOf(p), state});
          }
          table.Print(out);
        });
  };
}

struct AcceptFlags {
  std::string name;
  std::string code;
};

Action SetUpAccept(CLI::App& cmd) {
  auto f = std::make_shared<AcceptFlags>();
  cmd.add_option("proposal", f->name, "proposal id or codingProposals/{id}")->required();
  cmd.add_option("--code", f->code, "the concept to code the phrase as: one reviewers chose")
      ->required();
  return [f](CommandContext& ctx) -> absl::Status {
    v1::AcceptCodingProposalRequest request;
    request.set_name(ResourceName("codingProposals", f->name));
    request.set_code(f->code);
    return CallAndPrint<v1::AcceptCodingProposalResponse>(
        ctx, [&](SproutClient& c) { return c.AcceptCodingProposal(request); },
        [](const v1::AcceptCodingProposalResponse& r, std::ostream& out) {
          out << "accepted \"" << r.proposal().phrase() << "\" into " << r.lexicon() << "\n";
          PrintFields(r.proposal(), out);
        });
  };
}

const Command kCodingCommands[] = {
    {"proposals",
     "Phrases link workers coded by hand in coding review, per agency, with the concepts "
     "chosen and how many referrals chose each (only phrases several referrals used)",
     &SetUpProposals,
     {}},
    {"accept",
     "Add a proposal's phrase to its agency's lexicon as one of the concepts chosen: a new "
     "lexicon version, coded without review from then on",
     &SetUpAccept,
     {}},
};

}  // namespace

absl::Span<const Command> CodingCommands() { return kCodingCommands; }

}  // namespace sprout::client::cli
