// File: server/routing/directory.h
//
// The PCN directory: who is where, as an immutable snapshot. It holds ICBs and
// their Sub-ICB Locations (each with a triage queue for referrals that cannot be
// placed), PCNs, GP practices with their dated practice -> PCN relationships
// (history kept, so a referral is routed as at its own date), postcode coverage
// by sector ("AB1 2") and by district ("AB1"), and link workers.
//
// A Directory is built once by Directory::Create() (usually through the loaders
// in directory_loader.h), validated as a whole, and then shared read-only as
// std::shared_ptr<const Directory>; readers take no lock. A reload builds a new
// snapshot and swaps it in a DirectoryHolder (directory_holder.h).
//
//   SPROUT_ASSIGN_OR_RETURN(std::shared_ptr<const Directory> dir,
//                           LoadDirectory(files, compiler));
//   const Pcn* pcn = dir->PcnForPractice("Y00001", absl::CivilDay(2025, 4, 1));
#ifndef SPROUT_SERVER_ROUTING_DIRECTORY_H_
#define SPROUT_SERVER_ROUTING_DIRECTORY_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "server/routing/concept_predicate.h"

namespace sprout::routing {

// Annual caseload cap per whole-time equivalent when a link worker row leaves it
// blank (DOMAIN.md §1.1: 200-250 people a year).
inline constexpr int kDefaultAnnualCapPerWte = 250;
// Open-caseload cap per whole-time equivalent when left blank. A local choice:
// about 3 months of referrals at 250 a year, each open for 6-12 contacts.
inline constexpr int kDefaultOpenCapPerWte = 60;

// Every record may carry `source`, "file:line" of the row it came from, so that
// validation errors say where to look. Empty for records built in code.

struct Icb {
  std::string code;  // "Q" + 2 alphanumerics.
  std::string name;
  std::string source;
};

// A Sub-ICB Location (the former CCG). Referrals that cannot be placed in a PCN
// go to its triage queue, identified by the SICBL code.
struct SubIcbLocation {
  std::string code;  // e.g. "08X" or "D4U1Y".
  std::string name;
  std::string icb_code;
  std::string source;
};

struct Pcn {
  std::string code;  // "U" + 5 digits.
  std::string name;
  std::string sicbl_code;  // Parent Sub-ICB Location (ODS RE4).
  std::optional<absl::CivilDay> open_date;
  std::optional<absl::CivilDay> close_date;  // Inclusive: open on this day.
  std::string source;
};

// One ePCN "PCN Core Partner Details" row: the practice was a core partner of
// `pcn_code` from `start` to `end`, both days INCLUSIVE (ODS end dates are the
// last day of the relationship; the next relationship starts the day after).
// No end date means the relationship is current.
struct PcnMembership {
  std::string pcn_code;
  absl::CivilDay start;
  std::optional<absl::CivilDay> end;
  std::string source;

  bool ActiveOn(absl::CivilDay day) const { return day >= start && (!end || day <= *end); }
};

struct Practice {
  std::string code;  // GP practice ODS code.
  std::string name;
  std::string sicbl_code;              // Practice parent Sub-ICB Location.
  std::vector<PcnMembership> history;  // Sorted by start; never overlapping.
};

// A postcode coverage row: referrals with no registered practice whose postcode
// falls in `key` (a sector "AB1 2" or a district "AB1") go to `pcn_code`.
struct PostcodeCoverage {
  std::string key;
  std::string pcn_code;
  std::string source;
};

// An organisation that refers (not a practice: those are in the ePCN files),
// e.g. a pharmacy, a police force, a trust's discharge team: where it works,
// so a referral it sends that finds no PCN waits on its own area's triage
// queue rather than the policy's default.
struct ReferrerOrganisation {
  std::string code;  // As in the caller's identity: an ODS code or "kind:id".
  std::string name;
  std::string sicbl_code;  // The Sub-ICB Location it serves.
  std::string source;
};

// An age band a link worker works with, both ends inclusive; no max = no limit.
struct AgeRange {
  int min = 0;
  std::optional<int> max;
  bool Contains(int age) const { return age >= min && (!max || age <= *max); }
};

// A named area of expertise, written as ECL over referral reasons.
struct Specialism {
  std::string label;                                  // e.g. "debt"; what routing rules refer to.
  std::string ecl;                                    // e.g. "<< 160932005".
  std::shared_ptr<const ConceptPredicate> predicate;  // Compiled `ecl`; set by loaders.
};

struct LinkWorker {
  std::string id;  // Lower-case letters, digits and '-', e.g. "lw-u99001-01".
  std::string pcn_code;
  std::string display_name;
  double wte = 1.0;    // Whole-time equivalent, (0, 1.5].
  int annual_cap = 0;  // Accepted referrals a year; > 0.
  int open_cap = 0;    // Open caseload at any time; > 0.
  std::vector<Specialism> specialisms;
  std::vector<std::string> languages;            // Lower-case language tags, e.g. "en", "pl".
  std::vector<AgeRange> age_groups;              // Empty = all ages.
  std::optional<absl::CivilDay> available_from;  // Inclusive; none = always was.
  std::optional<absl::CivilDay> available_to;    // Inclusive; none = open ended.
  std::string source;

  bool AvailableOn(absl::CivilDay day) const {
    return (!available_from || day >= *available_from) && (!available_to || day <= *available_to);
  }
  // True if the worker takes this age; an unknown age is never excluded.
  bool ServesAge(std::optional<int> age) const;
  bool Speaks(absl::string_view language) const;
  const Specialism* FindSpecialism(absl::string_view label) const;
};

// Everything a Directory is built from. Filled by the loaders, or in code.
struct DirectoryContents {
  std::vector<Icb> icbs;
  std::vector<SubIcbLocation> sub_icb_locations;
  std::vector<Pcn> pcns;
  std::vector<Practice> practices;  // History rows may arrive unsorted.
  std::vector<PostcodeCoverage> coverage;
  std::vector<LinkWorker> link_workers;
  std::vector<ReferrerOrganisation> referrers;  // Optional: may be empty.
  std::string version;                          // Recorded on every routing decision.
};

// How a postcode was matched to a PCN.
struct PostcodeMatch {
  const Pcn* pcn = nullptr;  // Null when neither sector nor district is covered.
  std::string matched_key;   // The sector or district that matched.
  bool by_sector = false;
};

// An immutable, validated directory snapshot. Thread-safe (const after Create).
class Directory {
 public:
  // Create()
  //
  // Validates `contents` as a whole and indexes it. Returns INVALID_ARGUMENT with
  // one line naming the offending record's source ("file:line: ...") when a code
  // is malformed, a code or id is duplicated, a referenced ICB, SICBL or PCN does
  // not exist, a practice's PCN relationships overlap or end before they start,
  // a coverage key is not a sector or district, or a link worker's WTE or caps
  // are not positive (blank caps must already have been defaulted by the caller;
  // see kDefaultAnnualCapPerWte).
  static absl::StatusOr<std::shared_ptr<const Directory>> Create(DirectoryContents contents);

  // Not copyable or movable: the indexes point into the snapshot itself.
  Directory(const Directory&) = delete;
  Directory& operator=(const Directory&) = delete;

  // A content hash of the loaded files (see LoadDirectory), "sha256:<hex>".
  const std::string& version() const { return contents_.version; }

  const Icb* FindIcb(absl::string_view code) const;
  const SubIcbLocation* FindSubIcbLocation(absl::string_view code) const;
  const Pcn* FindPcn(absl::string_view code) const;
  const Practice* FindPractice(absl::string_view code) const;
  const LinkWorker* FindLinkWorker(absl::string_view id) const;
  const ReferrerOrganisation* FindReferrer(absl::string_view code) const;

  // PcnForPractice()
  //
  // The PCN the practice was a core partner of on `date` (relationship start and
  // end dates both inclusive), or null if the practice is unknown or had no PCN
  // on that date. MembershipOn() also gives the relationship row used.
  const Pcn* PcnForPractice(absl::string_view practice_code, absl::CivilDay date) const;
  const PcnMembership* MembershipOn(absl::string_view practice_code, absl::CivilDay date) const;

  // PcnForPostcode()
  //
  // Looks the sector of `postcode` ("AB1 2CD" form) up first, then its district.
  // Pseudo-postcodes (ZZ99 ...) and malformed postcodes never match.
  PostcodeMatch PcnForPostcode(absl::string_view postcode) const;

  // The link workers of a PCN, sorted by id (empty if none or unknown PCN).
  const std::vector<const LinkWorker*>& LinkWorkersInPcn(absl::string_view pcn_code) const;

  const std::vector<Icb>& icbs() const { return contents_.icbs; }
  const std::vector<SubIcbLocation>& sub_icb_locations() const {
    return contents_.sub_icb_locations;
  }
  const std::vector<Pcn>& pcns() const { return contents_.pcns; }
  const std::vector<Practice>& practices() const { return contents_.practices; }
  const std::vector<PostcodeCoverage>& coverage() const { return contents_.coverage; }
  const std::vector<LinkWorker>& link_workers() const { return contents_.link_workers; }

 private:
  explicit Directory(DirectoryContents contents) : contents_(std::move(contents)) {}
  absl::Status Index();

  // Constant after construction; the maps point into contents_.
  DirectoryContents contents_;
  absl::flat_hash_map<std::string, const Icb*> icbs_;
  absl::flat_hash_map<std::string, const SubIcbLocation*> sicbls_;
  absl::flat_hash_map<std::string, const Pcn*> pcns_;
  absl::flat_hash_map<std::string, const Practice*> practices_;
  absl::flat_hash_map<std::string, const PostcodeCoverage*> coverage_;
  absl::flat_hash_map<std::string, const LinkWorker*> link_workers_;
  absl::flat_hash_map<std::string, const ReferrerOrganisation*> referrers_;
  absl::flat_hash_map<std::string, std::vector<const LinkWorker*>> workers_by_pcn_;
};

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_DIRECTORY_H_
