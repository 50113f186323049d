#include "server/routing/directory.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/routing/codes.h"

namespace sprout::routing {
namespace {

// "file:line: " when the record knows where it came from.
std::string Where(const std::string& source) {
  return source.empty() ? std::string() : absl::StrCat(source, ": ");
}

absl::Status Invalid(const std::string& source, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(Where(source), message));
}

bool IsLinkWorkerId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return id.front() != '-';
}

}  // namespace

bool LinkWorker::ServesAge(std::optional<int> age) const {
  if (!age || age_groups.empty()) return true;
  for (const AgeRange& range : age_groups) {
    if (range.Contains(*age)) return true;
  }
  return false;
}

bool LinkWorker::Speaks(absl::string_view language) const {
  return std::find(languages.begin(), languages.end(), language) != languages.end();
}

const Specialism* LinkWorker::FindSpecialism(absl::string_view label) const {
  for (const Specialism& s : specialisms) {
    if (s.label == label) return &s;
  }
  return nullptr;
}

absl::StatusOr<std::shared_ptr<const Directory>> Directory::Create(DirectoryContents contents) {
  std::shared_ptr<Directory> dir(new Directory(std::move(contents)));
  absl::Status status = dir->Index();
  if (!status.ok()) return status;
  return std::shared_ptr<const Directory>(std::move(dir));
}

absl::Status Directory::Index() {
  for (const Icb& icb : contents_.icbs) {
    if (!IsIcbCode(icb.code)) {
      return Invalid(icb.source,
                     absl::StrCat("'", icb.code, "' is not an ICB code (Q + 2 letters or digits)"));
    }
    if (!icbs_.emplace(icb.code, &icb).second) {
      return Invalid(icb.source, absl::StrCat("duplicate ICB '", icb.code, "'"));
    }
  }
  for (const SubIcbLocation& s : contents_.sub_icb_locations) {
    if (!IsSubIcbLocationCode(s.code)) {
      return Invalid(s.source, absl::StrCat("'", s.code, "' is not a Sub-ICB Location code"));
    }
    if (!icbs_.contains(s.icb_code)) {
      return Invalid(s.source, absl::StrCat("Sub-ICB Location '", s.code,
                                            "' references unknown ICB '", s.icb_code, "'"));
    }
    if (!sicbls_.emplace(s.code, &s).second) {
      return Invalid(s.source, absl::StrCat("duplicate Sub-ICB Location '", s.code, "'"));
    }
  }
  for (const Pcn& pcn : contents_.pcns) {
    if (!IsPcnCode(pcn.code)) {
      return Invalid(pcn.source, absl::StrCat("'", pcn.code, "' is not a PCN code (U + 5 digits)"));
    }
    if (!sicbls_.contains(pcn.sicbl_code)) {
      return Invalid(pcn.source,
                     absl::StrCat("PCN '", pcn.code, "' references unknown Sub-ICB Location '",
                                  pcn.sicbl_code, "'"));
    }
    if (pcn.open_date && pcn.close_date && *pcn.close_date < *pcn.open_date) {
      return Invalid(pcn.source, absl::StrCat("PCN '", pcn.code, "' closes before it opens"));
    }
    if (!pcns_.emplace(pcn.code, &pcn).second) {
      return Invalid(pcn.source, absl::StrCat("duplicate PCN '", pcn.code, "'"));
    }
  }
  for (Practice& practice : contents_.practices) {
    const std::string source = practice.history.empty() ? "" : practice.history.front().source;
    if (!IsPracticeCode(practice.code)) {
      return Invalid(source, absl::StrCat("'", practice.code, "' is not a GP practice code"));
    }
    if (!sicbls_.contains(practice.sicbl_code)) {
      return Invalid(source, absl::StrCat("practice '", practice.code,
                                          "' references unknown Sub-ICB Location '",
                                          practice.sicbl_code, "'"));
    }
    std::sort(practice.history.begin(), practice.history.end(),
              [](const PcnMembership& a, const PcnMembership& b) { return a.start < b.start; });
    // A row repeated verbatim (same PCN and dates) adds nothing: keep the first.
    practice.history.erase(std::unique(practice.history.begin(), practice.history.end(),
                                       [](const PcnMembership& a, const PcnMembership& b) {
                                         return a.pcn_code == b.pcn_code && a.start == b.start &&
                                                a.end == b.end;
                                       }),
                           practice.history.end());
    for (size_t i = 0; i < practice.history.size(); ++i) {
      const PcnMembership& m = practice.history[i];
      if (!pcns_.contains(m.pcn_code)) {
        return Invalid(m.source, absl::StrCat("practice '", practice.code,
                                              "' references unknown PCN '", m.pcn_code, "'"));
      }
      if (m.end && *m.end < m.start) {
        return Invalid(m.source, absl::StrCat("practice '", practice.code, "' relationship with '",
                                              m.pcn_code, "' ends (", FormatDay(*m.end),
                                              ") before it starts (", FormatDay(m.start), ")"));
      }
      if (i > 0) {
        const PcnMembership& prev = practice.history[i - 1];
        if (!prev.end || *prev.end >= m.start) {
          return Invalid(
              m.source,
              absl::StrCat("practice '", practice.code, "' relationship with '", m.pcn_code,
                           "' starting ", FormatDay(m.start), " overlaps its relationship with '",
                           prev.pcn_code, "' (", prev.source.empty() ? "earlier row" : prev.source,
                           "); end dates are inclusive"));
        }
      }
    }
    if (!practices_.emplace(practice.code, &practice).second) {
      return Invalid(source, absl::StrCat("duplicate practice '", practice.code,
                                          "' (give all its relationship rows together)"));
    }
  }
  for (const PostcodeCoverage& c : contents_.coverage) {
    if (!IsPostcodeSector(c.key) && !IsPostcodeDistrict(c.key)) {
      return Invalid(c.source, absl::StrCat("'", c.key,
                                            "' is not a postcode sector (\"AB1 2\") or district "
                                            "(\"AB1\")"));
    }
    if (!pcns_.contains(c.pcn_code)) {
      return Invalid(c.source, absl::StrCat("coverage '", c.key, "' references unknown PCN '",
                                            c.pcn_code, "'"));
    }
    if (!coverage_.emplace(c.key, &c).second) {
      return Invalid(c.source, absl::StrCat("postcode '", c.key, "' is covered twice"));
    }
  }
  for (const ReferrerOrganisation& org : contents_.referrers) {
    if (!sicbls_.contains(org.sicbl_code)) {
      return Invalid(org.source,
                     absl::StrCat("referrer '", org.code, "' references unknown Sub-ICB Location '",
                                  org.sicbl_code, "'"));
    }
    if (practices_.contains(org.code)) {
      return Invalid(org.source, absl::StrCat("referrer '", org.code,
                                              "' is a practice of the ePCN files; list only "
                                              "organisations that are not practices"));
    }
    if (!referrers_.emplace(org.code, &org).second) {
      return Invalid(org.source, absl::StrCat("duplicate referrer '", org.code, "'"));
    }
  }
  for (const LinkWorker& lw : contents_.link_workers) {
    if (!IsLinkWorkerId(lw.id)) {
      return Invalid(lw.source, absl::StrCat("'", lw.id,
                                             "' is not a link worker id (lower-case letters, "
                                             "digits and '-', at most 63)"));
    }
    if (!pcns_.contains(lw.pcn_code)) {
      return Invalid(lw.source, absl::StrCat("link worker '", lw.id, "' references unknown PCN '",
                                             lw.pcn_code, "'"));
    }
    if (!(lw.wte > 0.0 && lw.wte <= 1.5)) {
      return Invalid(lw.source,
                     absl::StrCat("link worker '", lw.id, "' WTE ", lw.wte, " is not in (0, 1.5]"));
    }
    if (lw.annual_cap <= 0 || lw.open_cap <= 0) {
      return Invalid(lw.source, absl::StrCat("link worker '", lw.id,
                                             "' caseload caps must be positive (annual ",
                                             lw.annual_cap, ", open ", lw.open_cap, ")"));
    }
    if (lw.available_from && lw.available_to && *lw.available_to < *lw.available_from) {
      return Invalid(lw.source,
                     absl::StrCat("link worker '", lw.id, "' is available to a day before from"));
    }
    if (!link_workers_.emplace(lw.id, &lw).second) {
      return Invalid(lw.source, absl::StrCat("duplicate link worker '", lw.id, "'"));
    }
    workers_by_pcn_[lw.pcn_code].push_back(&lw);
  }
  for (auto& [pcn, workers] : workers_by_pcn_) {
    std::sort(workers.begin(), workers.end(),
              [](const LinkWorker* a, const LinkWorker* b) { return a->id < b->id; });
  }
  return absl::OkStatus();
}

namespace {
template <typename T>
const T* FindIn(const absl::flat_hash_map<std::string, const T*>& map, absl::string_view key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : it->second;
}
}  // namespace

const Icb* Directory::FindIcb(absl::string_view code) const { return FindIn(icbs_, code); }
const SubIcbLocation* Directory::FindSubIcbLocation(absl::string_view code) const {
  return FindIn(sicbls_, code);
}
const Pcn* Directory::FindPcn(absl::string_view code) const { return FindIn(pcns_, code); }
const ReferrerOrganisation* Directory::FindReferrer(absl::string_view code) const {
  return FindIn(referrers_, code);
}
const Practice* Directory::FindPractice(absl::string_view code) const {
  return FindIn(practices_, code);
}
const LinkWorker* Directory::FindLinkWorker(absl::string_view id) const {
  return FindIn(link_workers_, id);
}

const PcnMembership* Directory::MembershipOn(absl::string_view practice_code,
                                             absl::CivilDay date) const {
  const Practice* practice = FindPractice(practice_code);
  if (practice == nullptr) return nullptr;
  for (const PcnMembership& m : practice->history) {
    if (m.ActiveOn(date)) return &m;
  }
  return nullptr;
}

const Pcn* Directory::PcnForPractice(absl::string_view practice_code, absl::CivilDay date) const {
  const PcnMembership* m = MembershipOn(practice_code, date);
  return m == nullptr ? nullptr : FindPcn(m->pcn_code);
}

PostcodeMatch Directory::PcnForPostcode(absl::string_view postcode) const {
  PostcodeMatch match;
  const std::optional<PostcodeParts> parts = SplitPostcode(postcode);
  if (!parts || parts->pseudo) return match;
  if (const PostcodeCoverage* c = FindIn(coverage_, parts->sector)) {
    match.pcn = FindPcn(c->pcn_code);
    match.matched_key = c->key;
    match.by_sector = true;
  } else if (const PostcodeCoverage* d = FindIn(coverage_, parts->outward)) {
    match.pcn = FindPcn(d->pcn_code);
    match.matched_key = d->key;
  }
  return match;
}

const std::vector<const LinkWorker*>& Directory::LinkWorkersInPcn(
    absl::string_view pcn_code) const {
  static const std::vector<const LinkWorker*>* const kEmpty = new std::vector<const LinkWorker*>();
  auto it = workers_by_pcn_.find(pcn_code);
  return it == workers_by_pcn_.end() ? *kEmpty : it->second;
}

}  // namespace sprout::routing
