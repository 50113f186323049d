#include "server/routing/directory_loader.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/read_file.h"

namespace sprout::routing {
namespace {

// "sha256:<hex>" over each file's name, length and bytes, in a fixed order, so
// the version changes when any file (or its name) changes.
absl::StatusOr<std::string> VersionOf(const DirectorySources& sources) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr) return absl::InternalError("EVP_MD_CTX_new failed");
  bool ok = EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1;
  for (const DirectorySources::File* file :
       {&sources.sub_icb_locations, &sources.pcn_details, &sources.core_partners,
        &sources.postcode_coverage, &sources.link_workers, &sources.referrers}) {
    if (file == &sources.referrers && file->name.empty()) continue;  // optional, absent
    const std::string framing = absl::StrCat(file->name, "\n", file->content.size(), "\n");
    ok = ok && EVP_DigestUpdate(ctx, framing.data(), framing.size()) == 1;
    ok = ok && EVP_DigestUpdate(ctx, file->content.data(), file->content.size()) == 1;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, digest, &length) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return absl::InternalError("SHA-256 of the directory files failed");
  return absl::StrCat("sha256:", absl::BytesToHexString(absl::string_view(
                                     reinterpret_cast<const char*>(digest), length)));
}

}  // namespace

DirectoryFiles DirectoryFiles::InFolder(absl::string_view folder) {
  const std::string base = absl::StrCat(folder, folder.empty() || folder.back() == '/' ? "" : "/");
  return DirectoryFiles{
      absl::StrCat(base, "sub_icb_locations.csv"),      absl::StrCat(base, "pcn_details.csv"),
      absl::StrCat(base, "epcncorepartnerdetails.csv"), absl::StrCat(base, "postcode_coverage.csv"),
      absl::StrCat(base, "link_workers.csv"),           absl::StrCat(base, "referrers.csv")};
}

absl::StatusOr<std::shared_ptr<const Directory>> BuildDirectory(
    const DirectorySources& sources, const ConceptPredicateCompiler& compiler) {
  DirectoryContents contents;
  absl::Status status = ParseSubIcbLocationsCsv(sources.sub_icb_locations.content,
                                                sources.sub_icb_locations.name, &contents);
  if (status.ok()) {
    status = ParsePcnDetailsCsv(sources.pcn_details.content, sources.pcn_details.name, &contents);
  }
  if (status.ok()) {
    status =
        ParseCorePartnerCsv(sources.core_partners.content, sources.core_partners.name, &contents);
  }
  if (status.ok()) {
    status = ParsePostcodeCoverageCsv(sources.postcode_coverage.content,
                                      sources.postcode_coverage.name, &contents);
  }
  if (status.ok()) {
    status = ParseLinkWorkersCsv(sources.link_workers.content, sources.link_workers.name, compiler,
                                 &contents);
  }
  if (status.ok() && !sources.referrers.name.empty()) {
    status = ParseReferrersCsv(sources.referrers.content, sources.referrers.name, &contents);
  }
  if (!status.ok()) return status;
  absl::StatusOr<std::string> version = VersionOf(sources);
  if (!version.ok()) return version.status();
  contents.version = *std::move(version);
  return Directory::Create(std::move(contents));
}

absl::StatusOr<std::shared_ptr<const Directory>> LoadDirectory(
    const DirectoryFiles& files, const ConceptPredicateCompiler& compiler) {
  DirectorySources sources;
  const std::pair<const std::string*, DirectorySources::File*> pairs[] = {
      {&files.sub_icb_locations, &sources.sub_icb_locations},
      {&files.pcn_details, &sources.pcn_details},
      {&files.core_partners, &sources.core_partners},
      {&files.postcode_coverage, &sources.postcode_coverage},
      {&files.link_workers, &sources.link_workers}};
  for (const auto& [path, file] : pairs) {
    absl::StatusOr<std::string> content = ReadFileToString(*path);
    if (!content.ok()) return content.status();
    file->name = *path;
    file->content = *std::move(content);
  }
  if (!files.referrers.empty() && std::filesystem::exists(files.referrers)) {
    absl::StatusOr<std::string> content = ReadFileToString(files.referrers);
    if (!content.ok()) return content.status();
    sources.referrers = {files.referrers, *std::move(content)};
  }
  return BuildDirectory(sources, compiler);
}

}  // namespace sprout::routing
