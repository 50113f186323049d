#include "server/auth/principal.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sprout::auth {
namespace {

constexpr absl::string_view kPrefix = "urn:sprout:org:";
constexpr absl::string_view kRoleMarker = ":role:";
constexpr absl::string_view kLinkWorkerMarker = ":lw:";

bool IsPlainToken(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == ':' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kReferrer:
      return "referrer";
    case Role::kLinkWorker:
      return "link_worker";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

absl::StatusOr<Principal> ParsePrincipalUri(absl::string_view uri) {
  if (!absl::StartsWith(uri, kPrefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity URI must start with \"", kPrefix, "\""));
  }
  absl::string_view rest = uri.substr(kPrefix.size());
  const size_t role_at = rest.rfind(kRoleMarker);
  if (role_at == absl::string_view::npos) {
    return absl::InvalidArgumentError("identity URI has no \":role:\" part");
  }
  Principal p;
  p.organisation_code = std::string(rest.substr(0, role_at));
  if (!IsPlainToken(p.organisation_code)) {
    return absl::InvalidArgumentError(
        "identity URI organisation must be 1 to 64 letters, digits or - _ : .");
  }
  // Split at the last ":role:", a second one can only be in the organisation:
  // refused, so no organisation code can carry a role of its own.
  if (absl::StrContains(p.organisation_code, kRoleMarker)) {
    return absl::InvalidArgumentError("identity URI has more than one \":role:\" part");
  }
  absl::string_view role = rest.substr(role_at + kRoleMarker.size());
  absl::string_view lw;
  if (const size_t lw_at = role.find(kLinkWorkerMarker); lw_at != absl::string_view::npos) {
    lw = role.substr(lw_at + kLinkWorkerMarker.size());
    role = role.substr(0, lw_at);
  }
  if (role == "referrer") {
    p.role = Role::kReferrer;
  } else if (role == "link_worker") {
    p.role = Role::kLinkWorker;
  } else if (role == "admin") {
    p.role = Role::kAdmin;
  } else {
    return absl::InvalidArgumentError("identity URI role must be referrer, link_worker or admin");
  }
  if (p.role == Role::kLinkWorker) {
    if (lw.empty()) {
      return absl::InvalidArgumentError("a link_worker identity URI needs \":lw:{id}\"");
    }
    if (!IsPlainToken(lw)) {
      return absl::InvalidArgumentError(
          "identity URI link worker id must be 1 to 64 letters, digits or - _ : .");
    }
    if (absl::StrContains(lw, kLinkWorkerMarker)) {
      return absl::InvalidArgumentError("identity URI has more than one \":lw:\" part");
    }
    p.link_worker_id = std::string(lw);
  } else if (!lw.empty()) {
    return absl::InvalidArgumentError("only a link_worker identity URI may carry \":lw:\"");
  }
  return p;
}

std::string PrincipalUri(const Principal& principal) {
  std::string uri =
      absl::StrCat(kPrefix, principal.organisation_code, kRoleMarker, RoleName(principal.role));
  if (principal.role == Role::kLinkWorker)
    absl::StrAppend(&uri, kLinkWorkerMarker, principal.link_worker_id);
  return uri;
}

}  // namespace sprout::auth
