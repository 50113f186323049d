#include "server/routing/router.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/routing/codes.h"
#include "server/routing/link_worker_selector.h"
#include "server/routing/pcn_resolver.h"

namespace sprout::routing {
namespace {

void Append(std::vector<ExplanationStep>* to, std::vector<ExplanationStep> from) {
  for (ExplanationStep& step : from) to->push_back(std::move(step));
}

void SendToTriage(const Directory& dir, const std::string& sicbl, std::string why,
                  RoutingDecision* d) {
  d->outcome = Outcome::kTriage;
  d->triage_queue = sicbl;
  // A triaged referral has no PCN (Route.pcn is empty): the triage team
  // chooses one; the PCN considered stays in the explanation's steps.
  d->pcn_code.clear();
  d->link_worker_id.clear();
  const SubIcbLocation* s = dir.FindSubIcbLocation(sicbl);
  d->explanation.summary =
      absl::StrCat("triage queue of ", sicbl, s ? absl::StrCat(" (", s->name, ")") : "", ": ", why);
  d->explanation.steps.push_back({"triage", sicbl, true, d->explanation.summary});
}

// The link workers the deciding rule favours.
Preference PreferenceFor(const Rule* rule, const RoutingRequest& request) {
  Preference p;
  if (rule == nullptr) return p;
  const RuleSpec& s = rule->spec;
  if (s.action == ActionKind::kAssignLinkWorker) {
    p.description = absl::StrCat("named link worker ", s.target);
    p.applies = [id = s.target](const LinkWorker& w) { return w.id == id; };
  } else if (s.action == ActionKind::kPreferSpecialism && !s.target.empty()) {
    p.description = absl::StrCat("specialism '", s.target, "'");
    p.applies = [label = s.target](const LinkWorker& w) {
      return w.FindSpecialism(label) != nullptr;
    };
  } else if (s.action == ActionKind::kPreferSpecialism) {
    p.description = "a specialism covering a reason";
    p.applies = [reasons = request.reasons](const LinkWorker& w) {
      for (const Specialism& sp : w.specialisms) {
        for (uint64_t id : reasons) {
          if (sp.predicate != nullptr && sp.predicate->Matches(id)) return true;
        }
      }
      return false;
    };
  }
  return p;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Router>> Router::CreateForDirectory(
    std::shared_ptr<const Directory> directory, std::shared_ptr<const RoutingPolicy> policy) {
  if (directory == nullptr || policy == nullptr) {
    return absl::InvalidArgumentError(
        "Router::CreateForDirectory: directory and policy are required");
  }
  absl::Status status = policy->ValidateAgainst(*directory);
  if (!status.ok()) return status;
  return std::unique_ptr<Router>(new Router(std::move(directory), std::move(policy)));
}

absl::StatusOr<RoutingDecision> Router::Route(const RoutingRequest& request,
                                              const CaseloadView& caseload) const {
  const std::shared_ptr<const Directory>& dir = directory_;
  RoutingDecision d;
  d.policy_name = policy_->name();
  d.policy_version = policy_->version();
  d.directory_version = dir->version();
  d.terminology_release = request.terminology_release;
  std::vector<ExplanationStep>& steps = d.explanation.steps;
  steps.reserve(policy_->rules().size() + 12);

  // 1. PCN.
  PcnResolution resolution = ResolvePcn(*dir, request, policy_->default_triage_sub_icb_location());
  d.resolution = resolution.method;
  if (resolution.pcn != nullptr) d.pcn_code = resolution.pcn->code;
  Append(&steps, std::move(resolution.steps));
  d.warnings = std::move(resolution.warnings);

  // 2. Continuity.
  const LinkWorker* continuing = nullptr;
  if (request.person_key.empty()) {
    steps.push_back({"continuity", "person", false, "person not identified"});
  } else {
    absl::StatusOr<std::optional<std::string>> open =
        caseload.OpenEpisodeLinkWorker(request.person_key);
    if (!open.ok()) return open.status();
    if (!open->has_value()) {
      steps.push_back({"continuity", "person", false, "no open episode"});
    } else {
      const LinkWorker* w = dir->FindLinkWorker(**open);
      if (w == nullptr) {
        steps.push_back({"continuity", **open, false,
                         "open episode's link worker is no longer in the directory"});
      } else if (!w->AvailableOn(request.referral_date)) {
        steps.push_back({"continuity", w->id, false,
                         absl::StrCat("open episode's link worker is not available on ",
                                      FormatDay(request.referral_date))});
      } else {
        continuing = w;
        steps.push_back({"continuity", w->id, true,
                         absl::StrCat("open episode with ", w->id, " (", w->pcn_code,
                                      ") continues; caps are not re-checked for it")});
      }
    }
  }

  // 3. Rules: all evaluated and recorded; the first match decides.
  const Rule* deciding = nullptr;
  for (const Rule& rule : policy_->rules()) {
    RuleMatch match = policy_->Evaluate(rule, request, d.pcn_code);
    std::string detail = std::move(match.detail);
    if (match.matched && deciding == nullptr) {
      deciding = &rule;
      absl::StrAppend(&detail, continuing != nullptr ? "; decides (continuity takes precedence "
                                                       "over its action)"
                                                     : "; decides");
    } else if (match.matched) {
      absl::StrAppend(&detail, "; not applied: rule '", deciding->spec.name, "' decided first");
    }
    steps.push_back({"rule", absl::StrCat(rule.position, " ", rule.spec.name), match.matched,
                     std::move(detail)});
  }
  if (deciding == nullptr) {
    steps.push_back({"rule", "default", true, "no rule matched: least loaded in the PCN"});
  }
  const bool urgent = request.priority == Priority::kUrgent ||
                      (deciding != nullptr && deciding->spec.raise_to_urgent);
  d.queue_priority = urgent ? QueuePriority::kUrgent : QueuePriority::kRoutine;
  if (urgent) {
    steps.push_back({"priority", "urgent", true,
                     request.priority == Priority::kUrgent
                         ? std::string("the referral is urgent: queued ahead of routine items")
                         : absl::StrCat("rule '", deciding->spec.name,
                                        "' raises it to urgent: queued ahead of routine items")});
  }

  if (continuing != nullptr) {
    d.deciding_rule = "continuity";
    d.outcome = Outcome::kLinkWorker;
    d.link_worker_id = continuing->id;
    d.pcn_code = continuing->pcn_code;
    d.explanation.summary =
        absl::StrCat(continuing->id, ": continuity of the person's open episode");
    return d;
  }
  d.deciding_rule = deciding == nullptr ? "default" : deciding->spec.name;

  // 3b. The deciding rule's action.
  const Pcn* pcn = resolution.pcn;
  if (deciding != nullptr) {
    const RuleSpec& s = deciding->spec;
    if (s.action == ActionKind::kSendToTriage) {
      SendToTriage(*dir, resolution.triage_sicbl,
                   absl::StrCat("rule '", s.name, "' sends it to triage"), &d);
      return d;
    }
    const Pcn* target = nullptr;
    if (s.action == ActionKind::kRouteToPcn) {
      target = dir->FindPcn(s.target);
    } else if (s.action == ActionKind::kAssignLinkWorker) {
      const LinkWorker* w = dir->FindLinkWorker(s.target);
      if (w != nullptr) target = dir->FindPcn(w->pcn_code);
    }
    if (target != nullptr && target != pcn) {
      steps.push_back(
          {"pcn", target->code, true,
           absl::StrCat("rule '", s.name, "' routes to ", target->code, " (", target->name, ")")});
      pcn = target;
      d.pcn_code = pcn->code;
      d.pcn_from_rule = true;
    }
  }
  if (pcn == nullptr) {
    SendToTriage(*dir, resolution.triage_sicbl, "no PCN could be resolved", &d);
    return d;
  }
  if (pcn->close_date && request.referral_date > *pcn->close_date) {
    steps.push_back(
        {"pcn", pcn->code, false, absl::StrCat("PCN closed on ", FormatDay(*pcn->close_date))});
    SendToTriage(*dir, pcn->sicbl_code, "the PCN had closed", &d);
    return d;
  }

  // 4. Capacity and fairness.
  absl::StatusOr<Selection> selection =
      SelectLinkWorker(*dir, *pcn, request, PreferenceFor(deciding, request), caseload);
  if (!selection.ok()) return selection.status();
  Append(&steps, std::move(selection->steps));
  d.explanation.candidates = std::move(selection->candidates);
  d.explanation.summary = std::move(selection->summary);
  if (selection->winner == nullptr) {
    d.outcome = Outcome::kPcnPool;
  } else {
    d.outcome = Outcome::kLinkWorker;
    d.link_worker_id = selection->winner->id;
  }
  return d;
}

}  // namespace sprout::routing
