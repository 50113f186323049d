#include "server/routing/link_worker_selector.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/routing/codes.h"

namespace sprout::routing {
namespace {

// -1, 0, 1 as a/b compares with c/d; b and d are positive.
int CompareRatio(int64_t a, int64_t b, int64_t c, int64_t d) {
  const __int128 left = static_cast<__int128>(a) * d;
  const __int128 right = static_cast<__int128>(c) * b;
  return left < right ? -1 : (left > right ? 1 : 0);
}

// Ranking counts the referrals waiting on a worker's queue as if accepted
// (they most likely will be), so new referrals spread over the PCN before
// anyone accepts one; the caps count only what was accepted.
int CompareAnnual(const Candidate& x, const Candidate& y) {
  return CompareRatio(x.accepted_this_year + x.waiting, x.annual_cap,
                      y.accepted_this_year + y.waiting, y.annual_cap);
}
int CompareOpen(const Candidate& x, const Candidate& y) {
  return CompareRatio(x.open_caseload + x.waiting, x.open_cap, y.open_caseload + y.waiting,
                      y.open_cap);
}

// Orders candidates from least to most loaded; ties broken by id.
bool LessLoaded(const Candidate& x, const Candidate& y) {
  if (const int annual = CompareAnnual(x, y); annual != 0) return annual < 0;
  if (const int open = CompareOpen(x, y); open != 0) return open < 0;
  return x.link_worker_id < y.link_worker_id;
}

std::string LoadText(const Candidate& c) {
  return absl::StrCat(c.accepted_this_year, "/", c.annual_cap, " accepted this year, ",
                      c.open_caseload, "/", c.open_cap, " open, ", c.waiting, " waiting");
}

std::string AgeBands(const LinkWorker& w) {
  std::vector<std::string> bands;
  for (const AgeRange& r : w.age_groups) {
    bands.push_back(r.max ? absl::StrCat(r.min, "-", *r.max) : absl::StrCat(r.min, "+"));
  }
  return absl::StrJoin(bands, ", ");
}

// Narrows `pool` to the members satisfying `keep`, unless none does.
template <typename Pred>
bool Narrow(std::vector<Candidate*>* pool, Pred keep) {
  std::vector<Candidate*> kept;
  for (Candidate* c : *pool) {
    if (keep(*c)) kept.push_back(c);
  }
  if (kept.empty()) return false;
  *pool = std::move(kept);
  return true;
}

}  // namespace

absl::StatusOr<Selection> SelectLinkWorker(const Directory& directory, const Pcn& pcn,
                                           const RoutingRequest& request,
                                           const Preference& preference,
                                           const CaseloadView& caseload) {
  Selection s;
  const std::vector<const LinkWorker*>& workers = directory.LinkWorkersInPcn(pcn.code);
  std::vector<bool> speaks;
  for (const LinkWorker* w : workers) {
    absl::StatusOr<LinkWorkerLoad> load = caseload.LoadOf(w->id, request.referral_date);
    if (!load.ok()) return load.status();
    Candidate c;
    c.link_worker_id = w->id;
    c.pcn_code = w->pcn_code;
    c.accepted_this_year = load->accepted_this_year;
    c.annual_cap = w->annual_cap;
    c.open_caseload = load->open_caseload;
    c.open_cap = w->open_cap;
    c.waiting = load->waiting;
    c.preferred = preference.applies && preference.applies(*w);
    if (!w->AvailableOn(request.referral_date)) {
      c.detail = absl::StrCat("excluded: not available on ", FormatDay(request.referral_date));
    } else if (!w->ServesAge(request.age_years)) {
      c.detail = absl::StrCat("excluded: works with ages ", AgeBands(*w), "; the person is ",
                              *request.age_years);
    } else if (c.accepted_this_year >= c.annual_cap) {
      c.detail = absl::StrCat("excluded: annual caseload cap reached (", c.accepted_this_year, "/",
                              c.annual_cap, ")");
    } else if (c.open_caseload >= c.open_cap) {
      c.detail = absl::StrCat("excluded: open caseload cap reached (", c.open_caseload, "/",
                              c.open_cap, ")");
    } else {
      c.eligible = true;
      c.detail = absl::StrCat("eligible: ", LoadText(c));
    }
    speaks.push_back(request.language && w->Speaks(*request.language));
    s.candidates.push_back(std::move(c));
  }

  std::vector<Candidate*> pool;
  for (Candidate& c : s.candidates) {
    if (c.eligible) pool.push_back(&c);
  }
  const size_t eligible = pool.size();
  s.steps.push_back(
      {"capacity", pcn.code, eligible > 0,
       absl::StrCat(eligible, " of ", workers.size(),
                    " link workers eligible (available, age, annual and open caps)")});

  if (!preference.description.empty() && eligible > 0) {
    if (Narrow(&pool, [](const Candidate& c) { return c.preferred; })) {
      s.steps.push_back(
          {"capacity", preference.description, true,
           absl::StrCat(pool.size(), " eligible link workers with ", preference.description)});
    } else {
      const bool any = std::any_of(s.candidates.begin(), s.candidates.end(),
                                   [](const Candidate& c) { return c.preferred; });
      s.steps.push_back({"capacity", preference.description, false,
                         absl::StrCat(any ? "every link worker with " : "no link worker has ",
                                      preference.description, any ? " is excluded" : "",
                                      "; spilling over to colleagues")});
    }
  }
  if (request.language && eligible > 0) {
    const std::string subject = absl::StrCat("language ", *request.language);
    auto index_of = [&](const Candidate& c) { return &c - s.candidates.data(); };
    if (Narrow(&pool, [&](const Candidate& c) { return speaks[index_of(c)]; })) {
      s.steps.push_back(
          {"fairness", subject, true,
           absl::StrCat(pool.size(), " of the remaining link workers speak ", *request.language)});
    } else {
      s.steps.push_back({"fairness", subject, false,
                         absl::StrCat("no remaining link worker speaks ", *request.language,
                                      "; an interpreter may be needed")});
    }
  }

  if (pool.empty()) {
    s.summary = absl::StrCat("PCN pool of ", pcn.code, ": none of its ", workers.size(),
                             " link workers is eligible");
    s.steps.push_back({"fairness", pcn.code, false, s.summary});
    return s;
  }
  std::sort(pool.begin(), pool.end(),
            [](const Candidate* a, const Candidate* b) { return LessLoaded(*a, *b); });
  Candidate& best = *pool.front();
  std::string tie;
  if (pool.size() > 1) {
    const Candidate& next = *pool[1];
    if (CompareAnnual(best, next) == 0) {
      tie = CompareOpen(best, next) != 0
                ? absl::StrCat("; tie on annual load with ", next.link_worker_id,
                               " broken by open caseload")
                : absl::StrCat("; tie with ", next.link_worker_id, " broken by id");
    }
  }
  best.detail = absl::StrCat("chosen: ", LoadText(best));
  s.winner = directory.FindLinkWorker(best.link_worker_id);
  s.summary = absl::StrCat(best.link_worker_id, ": least loaded of ", pool.size(), " in ", pcn.code,
                           " (", LoadText(best), ")", tie);
  s.steps.push_back({"fairness", best.link_worker_id, true, s.summary});
  return s;
}

}  // namespace sprout::routing
