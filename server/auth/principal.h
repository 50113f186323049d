// Who is calling: the identity carried by a client certificate.
#ifndef SPROUT_SERVER_AUTH_PRINCIPAL_H_
#define SPROUT_SERVER_AUTH_PRINCIPAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout::auth {

// The role a certificate grants.
enum class Role { kReferrer, kLinkWorker, kAdmin };

// Returns "referrer", "link_worker" or "admin".
absl::string_view RoleName(Role role);

// An authenticated caller. Value type.
struct Principal {
  // ODS code ("A81001", "U00001") or local agency id ("police:WYP").
  std::string organisation_code;
  Role role = Role::kReferrer;
  // For link workers: their id within the PCN named by organisation_code.
  std::string link_worker_id;
};

// The URI scheme carried in the client certificate's subjectAltName:
//
//   urn:sprout:org:{organisation_code}:role:{referrer|link_worker|admin}[:lw:{id}]
//
// organisation_code may itself contain ':' (e.g. "police:WYP"); it runs up to
// the last ":role:". A link_worker URI must carry ":lw:{id}" and its
// organisation is the PCN code. Returns INVALID_ARGUMENT (UNAUTHENTICATED at
// the API) naming what is wrong when the URI does not follow the scheme.
absl::StatusOr<Principal> ParsePrincipalUri(absl::string_view uri);

// The inverse of ParsePrincipalUri.
std::string PrincipalUri(const Principal& principal);

}  // namespace sprout::auth

#endif  // SPROUT_SERVER_AUTH_PRINCIPAL_H_
