#include "server/audit/audit_anchor.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sprout::audit {
namespace {

constexpr char kMagic[] = "sprout-audit-anchor";
constexpr char kVersion[] = "1";

std::string SignedPart(const AuditAnchor& anchor) {
  return absl::StrCat(kMagic, " ", kVersion, " ", anchor.sequence, " ",
                      absl::BytesToHexString(anchor.hash));
}

absl::Status Malformed(const std::string& path, absl::string_view why) {
  return absl::DataLossError(absl::StrCat("audit anchor ", path, " ", why,
                                          "; keep the file sproutd wrote, or move it aside to "
                                          "start a new anchor from the chain as it is"));
}

}  // namespace

std::string FormatAnchorFile(const AuditAnchor& anchor, const KeyedHasher& key) {
  const std::string signed_part = SignedPart(anchor);
  return absl::StrCat(signed_part, " ", key.HexDigest(signed_part), "\n");
}

absl::StatusOr<std::optional<AuditAnchor>> ReadAnchorFile(const std::string& path,
                                                          const KeyedHasher& key) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::optional<AuditAnchor>();
    return absl::DataLossError(
        absl::StrCat("cannot read audit anchor ", path, ": ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::vector<std::string> fields =
      absl::StrSplit(absl::StripTrailingAsciiWhitespace(text.str()), ' ');
  if (fields.size() != 5 || fields[0] != kMagic || fields[1] != kVersion) {
    return Malformed(path, "is not an audit anchor file");
  }
  AuditAnchor anchor;
  if (!absl::SimpleAtoi(fields[2], &anchor.sequence) || anchor.sequence < 1 ||
      fields[3].size() != 64) {
    return Malformed(path, "is not an audit anchor file");
  }
  anchor.hash = absl::HexStringToBytes(fields[3]);
  if (key.HexDigest(SignedPart(anchor)) != fields[4]) {
    return Malformed(path, "does not verify: it was changed, or signed with another key");
  }
  return std::optional<AuditAnchor>(anchor);
}

absl::Status WriteAnchorFile(const std::string& path, const AuditAnchor& anchor,
                             const KeyedHasher& key) {
  const std::string tmp = path + ".tmp";
  const std::string content = FormatAnchorFile(anchor, key);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot write audit anchor ", tmp, ": ", std::strerror(errno)));
  }
  const bool written =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
      ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!written || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot write audit anchor ", path, ": ",
                                            std::strerror(written ? errno : saved)));
  }
  return absl::OkStatus();
}

AuditVerification CheckAgainstAnchor(const AuditVerification& chain,
                                     const std::optional<std::string>& hash_at_anchor,
                                     const AuditAnchor& anchor) {
  if (!chain.intact()) return chain;
  AuditVerification result = chain;
  if (!hash_at_anchor.has_value()) {
    // An intact chain holds records 1..records_checked.
    result.first_bad_sequence = chain.records_checked + 1;
    result.message = absl::StrCat("records from ", chain.records_checked + 1,
                                  " on are missing: the trail ends at ", chain.records_checked,
                                  " but its anchor says it reached ", anchor.sequence);
    return result;
  }
  if (*hash_at_anchor != anchor.hash) {
    result.first_bad_sequence = anchor.sequence;
    result.message = absl::StrCat("record ", anchor.sequence,
                                  " does not match the audit anchor: the trail was rewritten "
                                  "from there or before");
    return result;
  }
  return result;
}

}  // namespace sprout::audit
