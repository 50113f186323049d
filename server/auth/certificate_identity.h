// Who a client certificate says the caller is (certs/README.md, "Identity
// scheme"). The one place a certificate becomes a Principal.
#ifndef SPROUT_SERVER_AUTH_CERTIFICATE_IDENTITY_H_
#define SPROUT_SERVER_AUTH_CERTIFICATE_IDENTITY_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth/principal.h"

namespace sprout::auth {

// PrincipalFromCertificate()
//
// The principal named by a PEM client certificate that has already been
// verified against the Sprout CA (TLS did that):
//  - its extended key usage must include clientAuth (a certificate without
//    the extension, or with serverAuth only, is not a client certificate);
//  - its subjectAltName must hold exactly one URI starting "urn:sprout:org:"
//    (none, two different ones or the same one twice are all refused: the
//    identity must never depend on which one is read first);
//  - that URI must parse with ParsePrincipalUri.
// Other SAN entries (DNS names, other URIs) are ignored; the subject CN is
// informational and never read.
//
// Returns UNAUTHENTICATED with an ErrorInfo (reason BAD_CLIENT_CERTIFICATE)
// whose message says what is wrong; it names no patient data.
absl::StatusOr<Principal> PrincipalFromCertificate(absl::string_view pem);

}  // namespace sprout::auth

#endif  // SPROUT_SERVER_AUTH_CERTIFICATE_IDENTITY_H_
