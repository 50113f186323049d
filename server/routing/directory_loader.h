// File: server/routing/directory_loader.h
//
// Loads a Directory from its files. Each file format has a string entry point so
// tests can feed tiny inputs and pin exact errors. Every error is one line:
// "<file>:<line>: column <n> (<column name>): <what is wrong>" for a bad field,
// "<file>:<line>: <what is wrong>" for a bad row or a broken cross-reference.
//
// Formats (all CSV, UTF-8, RFC 4180 quoting, LF or CRLF):
//
//  * sub_icb_locations.csv -- header required:
//      ICB Code,ICB Name,Sub ICB Location Code,Sub ICB Location Name
//    One row per Sub-ICB Location; an ICB is declared by its first row (its name
//    must then agree on every row).
//  * pcn_details.csv -- the ePCN "PCN Details" sheet / ODS "epcn" report, with or
//    without its header row. Columns: PCN Code, PCN Name, Current Sub ICB Loc
//    Code, Sub ICB Location, Open Date, Close Date, then (ignored) Address Lines
//    1-5 and Postcode. At least the first 6 columns are required.
//  * epcncorepartnerdetails.csv -- the ePCN "PCN Core Partner Details" sheet /
//    ODS report of that name: exactly the 11 columns of DOMAIN.md §3.3, with or
//    without the header row. Dates YYYYMMDD (YYYY-MM-DD also accepted); the end
//    date is inclusive and blank for a current relationship. Several rows per
//    practice make its history.
//  * postcode_coverage.csv -- header required:
//      Postcode Sector or District,PCN Code
//    e.g. "ZX1 4,U99001" (sector) or "ZX2,U99002" (district). A sector row wins
//    over its district's row.
//  * link_workers.csv -- header required:
//      link_worker_id,pcn_code,display_name,wte,annual_caseload_cap,
//      open_caseload_cap,specialisms,languages,age_groups,available_from,
//      available_to
//    wte: decimal in (0, 1.5]. Caps: positive integers, or blank for the
//    defaults floor(250 * wte) and floor(60 * wte) (at least 1). specialisms:
//    ';'-separated "label=ECL" (label: a-z, 0-9, '_' or '-'), e.g.
//    "debt=<< 160932005;housing=<< 81877007". languages: ';'-separated lower-case
//    tags ("en;pl"). age_groups: ';'-separated "min-max" or "min+" ("0-17;65+"),
//    blank = all ages. available_from / available_to: inclusive YYYYMMDD dates,
//    blank = unbounded.
//  * referrers.csv -- optional; header required:
//      Organisation Code,Organisation Name,Sub ICB Location Code
//    Organisations that refer but are not practices (pharmacies, police,
//    trusts, councils, VCSE groups), by the organisation code of their
//    identity, with the Sub-ICB Location they serve: a referral from one that
//    finds no PCN goes to that Sub-ICB Location's triage queue.
#ifndef SPROUT_SERVER_ROUTING_DIRECTORY_LOADER_H_
#define SPROUT_SERVER_ROUTING_DIRECTORY_LOADER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/routing/concept_predicate.h"
#include "server/routing/directory.h"

namespace sprout::routing {

// Each parser appends what it reads to `*out`; `filename` is used only in
// errors and record sources. They check each field's syntax; references
// between files are checked by Directory::Create(). INVALID_ARGUMENT on error.
absl::Status ParseSubIcbLocationsCsv(absl::string_view content, absl::string_view filename,
                                     DirectoryContents* out);
absl::Status ParsePcnDetailsCsv(absl::string_view content, absl::string_view filename,
                                DirectoryContents* out);
absl::Status ParseCorePartnerCsv(absl::string_view content, absl::string_view filename,
                                 DirectoryContents* out);
absl::Status ParsePostcodeCoverageCsv(absl::string_view content, absl::string_view filename,
                                      DirectoryContents* out);
absl::Status ParseReferrersCsv(absl::string_view content, absl::string_view filename,
                               DirectoryContents* out);
// Compiles each specialism's ECL with `compiler`.
absl::Status ParseLinkWorkersCsv(absl::string_view content, absl::string_view filename,
                                 const ConceptPredicateCompiler& compiler, DirectoryContents* out);

// The text of the directory files, with the names used in errors.
struct DirectorySources {
  struct File {
    std::string name;
    std::string content;
  };
  File sub_icb_locations;
  File pcn_details;
  File core_partners;
  File postcode_coverage;
  File link_workers;
  // Optional: an empty name means there is none.
  File referrers;
};

// BuildDirectory()
//
// Parses all the sources, sets the version to "sha256:<hex>" of their names
// and bytes, and validates the whole (Directory::Create). The string entry
// point of LoadDirectory().
absl::StatusOr<std::shared_ptr<const Directory>> BuildDirectory(
    const DirectorySources& sources, const ConceptPredicateCompiler& compiler);

// Paths of the files.
struct DirectoryFiles {
  std::string sub_icb_locations;
  std::string pcn_details;
  std::string core_partners;
  std::string postcode_coverage;
  std::string link_workers;
  // Optional: read only when the file exists.
  std::string referrers;

  // The standard names inside `folder`: sub_icb_locations.csv, pcn_details.csv,
  // epcncorepartnerdetails.csv, postcode_coverage.csv, link_workers.csv,
  // referrers.csv.
  static DirectoryFiles InFolder(absl::string_view folder);
};

// LoadDirectory()
//
// Reads the files and builds the directory. NOT_FOUND / PERMISSION_DENIED (with
// the path) if a file cannot be read; otherwise as BuildDirectory(). Errors name
// files by their path as given.
absl::StatusOr<std::shared_ptr<const Directory>> LoadDirectory(
    const DirectoryFiles& files, const ConceptPredicateCompiler& compiler);

}  // namespace sprout::routing

#endif  // SPROUT_SERVER_ROUTING_DIRECTORY_LOADER_H_
