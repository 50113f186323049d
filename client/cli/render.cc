#include "client/cli/render.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/cli/output.h"

namespace sprout::client::cli {
namespace {

namespace v1 = ::sprout::v1;

std::string FormatReasonInput(const v1::ReasonInput& input) {
  switch (input.reason_case()) {
    case v1::ReasonInput::kSnomedCode:
      return input.snomed_code();
    case v1::ReasonInput::kLocalCode:
      return absl::StrCat(input.local_code().system(), ":", input.local_code().code());
    case v1::ReasonInput::kFreeText:
      return absl::StrCat("\"", input.free_text(), "\"");
    case v1::ReasonInput::REASON_NOT_SET:
      break;
  }
  return "-";
}

}  // namespace

std::string ConceptList(const google::protobuf::RepeatedPtrField<v1::CodedConcept>& concepts) {
  std::vector<std::string> parts;
  for (const v1::CodedConcept& c : concepts) parts.push_back(FormatConcept(c));
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

std::string FormatRoute(const v1::Route& route) {
  if (!route.triage_queue().empty()) {
    return absl::StrCat(route.triage_queue(), " (", ShortEnum(route.method()), ")");
  }
  if (route.pcn().empty()) return "-";
  std::string s = route.pcn();
  if (!route.link_worker().empty()) absl::StrAppend(&s, " -> ", route.link_worker());
  absl::StrAppend(&s, " (", ShortEnum(route.method()), ")");
  return s;
}

void PrintReferralSummary(const v1::Referral& r, std::ostream& out) {
  // A dry run (ValidateReferral) names nothing: nothing was stored.
  out << "referral   " << (r.name().empty() ? "(preview: not stored)" : r.name()) << "\n";
  if (r.state() != v1::REFERRAL_STATE_UNSPECIFIED)
    out << "state      " << ShortEnum(r.state()) << "\n";
  out << "source     " << ShortEnum(r.referrer().source_type()) << " "
      << r.referrer().organisation_code() << "\n";
  out << "priority   " << ShortEnum(r.priority());
  if (r.requested_priority() != v1::PRIORITY_UNSPECIFIED &&
      r.requested_priority() != r.priority()) {
    out << " (asked " << ShortEnum(r.requested_priority())
        << (r.route().rule().empty() || r.route().rule() == "continuity" ||
                    r.route().rule() == "default"
                ? "; raised by routing: the decision says why"
                : absl::StrCat("; rule ", r.route().rule()))
        << ")";
  }
  out << "\n";
  out << "route      " << FormatRoute(r.route()) << "\n";
  if (!r.route().decision().empty()) out << "decision   " << r.route().decision() << "\n";
  if (!r.episode().empty()) {
    out << "episode    " << r.episode()
        << (r.linked_to_existing_episode() ? " (joined an open episode)" : "") << "\n";
  }
  if (!r.terminology_release().empty()) out << "release    " << r.terminology_release() << "\n";
  if (r.coded_reasons_size() > 0) {
    out << "reasons:\n";
    Table table({"given", "coded", "method", "source", "matched"});
    for (const v1::CodedReason& c : r.coded_reasons()) {
      // For free text: the need this reason was coded from when the text
      // named several, and the term that matched with its score.
      std::string given = FormatReasonInput(c.original());
      if (!c.text_match().segment().empty()) {
        given = absl::StrCat("\"", c.text_match().segment(), "\" (part of the text)");
      }
      std::string matched = "-";
      if (!c.text_match().matched_term().empty()) {
        matched =
            absl::StrFormat("'%s' %.2f", c.text_match().matched_term(), c.text_match().score());
      }
      if (!c.text_match().context().empty()) {
        absl::StrAppend(&matched, " (", c.text_match().context(), ")");
      }
      std::string coded = c.concept().code().empty() ? "-" : FormatConcept(c.concept());
      if (c.method() == v1::CODING_METHOD_NEEDS_REVIEW) {
        coded = c.candidates().empty() ? "no candidates"
                                       : absl::StrCat("candidates: ", ConceptList(c.candidates()));
      }
      table.AddRow({given, coded, ShortEnum(c.method()), c.source_version(), matched});
    }
    table.Print(out);
  }
  if (r.needs_coding_review()) out << "needs coding review: a person must choose a concept\n";
  for (const v1::IntakeWarning& w : r.warnings()) {
    out << "warning    " << w.reason() << " (" << w.field() << "): " << w.description() << "\n";
  }
  if (r.has_accept_time()) out << "accepted   " << FormatTimestamp(r.accept_time()) << "\n";
  if (r.contact_count() > 0) out << "contacts   " << r.contact_count() << "\n";
  if (r.has_decline()) {
    out << "declined   " << ShortEnum(r.decline().declined_by()) << " "
        << FormatConcept(r.decline().code()) << "\n";
  }
  if (r.has_first_wellbeing()) {
    out << "wellbeing  first " << FormatWellbeing(r.first_wellbeing()) << "; last "
        << FormatWellbeing(r.last_wellbeing()) << "\n";
  }
  if (r.has_end_time()) out << "ended      " << FormatTimestamp(r.end_time()) << "\n";
  if (r.has_outcome()) {
    out << "outcome    " << ConceptList(r.outcome().codes()) << "\n";
    if (!r.outcome().summary().empty()) out << "summary    " << r.outcome().summary() << "\n";
  }
}

void PrintDecision(const v1::RoutingDecision& d, std::ostream& out) {
  if (!d.name().empty()) out << "decision   " << d.name() << "\n";
  if (!d.referral().empty()) out << "referral   " << d.referral() << "\n";
  out << "decided    " << FormatTimestamp(d.decide_time()) << "\n";
  out << "outcome    " << ShortEnum(d.outcome()) << "\n";
  out << "route      " << FormatRoute(d.route()) << "\n";
  if (!d.route().rule().empty()) out << "rule       " << d.route().rule() << "\n";
  out << "source     " << ShortEnum(d.source_type()) << "\n";
  out << "reasons    " << ConceptList(d.reasons()) << "\n";
  const v1::Explanation& e = d.explanation();
  if (e.steps_size() > 0) {
    out << "steps:\n";
    Table steps({"kind", "subject", "matched", "detail"});
    for (const v1::ExplanationStep& s : e.steps()) {
      steps.AddRow({s.kind(), s.subject(), s.matched() ? "yes" : "no", s.detail()});
    }
    steps.Print(out);
  }
  if (e.candidates_size() > 0) {
    out << "candidates:\n";
    Table candidates({"link_worker", "year", "open", "eligible", "detail"});
    for (const v1::Candidate& c : e.candidates()) {
      candidates.AddRow({c.link_worker(), absl::StrCat(c.accepted_this_year(), "/", c.annual_cap()),
                         absl::StrCat(c.open_caseload(), "/", c.open_cap()),
                         c.eligible() ? "yes" : "no", c.detail()});
    }
    candidates.Print(out);
  }
  if (!e.summary().empty()) out << "why        " << e.summary() << "\n";
}

void PrintQueueItems(const google::protobuf::RepeatedPtrField<v1::QueueItem>& items,
                     std::ostream& out) {
  Table table(
      {"item", "referral", "queue", "state", "priority", "seq", "source", "reasons", "flags"});
  for (const v1::QueueItem& item : items) {
    std::vector<std::string> codes;
    for (const v1::CodedConcept& c : item.reasons()) codes.push_back(c.code());
    std::string flags = item.has_safeguarding_flags() ? "safeguarding" : "";
    if (item.overdue()) absl::StrAppend(&flags, flags.empty() ? "" : ",", "overdue");
    if (!item.claimed_by().empty()) {
      absl::StrAppend(&flags, flags.empty() ? "" : ",", "claimed by ", item.claimed_by());
    }
    table.AddRow({item.name(), item.referral(), item.queue(), ShortEnum(item.state()),
                  ShortEnum(item.priority()), absl::StrCat(item.sequence()),
                  ShortEnum(item.source_type()), absl::StrJoin(codes, ","), flags});
  }
  table.Print(out);
}

std::string FormatReferralEvent(const v1::ReferralEvent& e) {
  std::string line = absl::StrCat("#", e.sequence(), "  ", FormatTimestamp(e.event_time()), "  ",
                                  e.referral(), "  ", ShortEnum(e.state()));
  if (!e.action().empty()) absl::StrAppend(&line, "  ", e.action());
  if (e.has_recorded_code())
    absl::StrAppend(&line, "  recorded ", FormatConcept(e.recorded_code()));
  if (e.has_outcome()) absl::StrAppend(&line, "  outcome ", ConceptList(e.outcome().codes()));
  return line;
}

std::string FormatWellbeing(const v1::WellbeingScores& w) {
  std::vector<std::string> parts;
  if (w.has_ons4()) {
    const v1::Ons4Scores& o = w.ons4();
    parts.push_back(absl::StrCat("ONS4 ", o.life_satisfaction(), "/", o.worthwhile(), "/",
                                 o.happiness(), "/", o.anxiety()));
  }
  if (w.has_swemwbs()) parts.push_back(absl::StrCat("SWEMWBS ", w.swemwbs().total()));
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

std::string FormatQueueEvent(const v1::QueueEvent& e) {
  const v1::QueueItem& item = e.item();
  std::vector<std::string> parts = {absl::StrCat("#", e.sequence()), ShortEnum(e.type()),
                                    item.name(), item.referral()};
  if (item.state() != v1::QUEUE_ITEM_STATE_UNSPECIFIED) parts.push_back(ShortEnum(item.state()));
  if (item.priority() != v1::PRIORITY_UNSPECIFIED) parts.push_back(ShortEnum(item.priority()));
  parts.push_back(item.queue());
  if (!item.claimed_by().empty()) parts.push_back(absl::StrCat("claimed by ", item.claimed_by()));
  if (item.has_safeguarding_flags()) parts.push_back("safeguarding");
  parts.erase(std::remove(parts.begin(), parts.end(), std::string()), parts.end());
  return absl::StrJoin(parts, "  ");
}

}  // namespace sprout::client::cli
