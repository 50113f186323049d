// File: server/reload_logging.h
//
// The reload paths sproutd offers (SIGHUP, AdminService.ReloadDirectory, the
// certificate timer, ReencryptPatientData), each logging one line either way
// for the operator: what changed, or why nothing did. Never patient data, never
// a key: only versions, key ids and certificate fingerprints.
#ifndef SPROUT_SERVER_RELOAD_LOGGING_H_
#define SPROUT_SERVER_RELOAD_LOGGING_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/auth/server_certificates.h"
#include "server/pipeline/routing_reloader.h"
#include "server/pipeline/terminology_reloader.h"
#include "server/store/body_cipher.h"

namespace sprout {

// How far ahead an expiring server certificate is warned about.
inline constexpr absl::Duration kCertificateExpiryWarning = absl::Hours(24 * 14);

// Reloads the routing configuration (directory and policy) and logs one line.
absl::StatusOr<pipeline::ReloadOutcome> ReloadAndLog(pipeline::RoutingReloader& reloader,
                                                     const pipeline::ReloadActor& actor);

// Reloads the SNOMED CT release (and everything built on it) and logs one line.
absl::StatusOr<pipeline::TerminologyReloadOutcome> ReloadTerminologyAndLog(
    pipeline::TerminologyReloader& reloader, const pipeline::ReloadActor& actor,
    std::vector<std::string> release_dirs);

// Re-reads the data key file into `cipher` and returns the key ids, the write
// key last. Logs one line when the keys changed or the file is refused; the
// old keys stay in force on error.
absl::StatusOr<std::vector<std::string>> ReloadDataKeys(const std::string& path,
                                                        store::BodyCipher& cipher);

// "CN=..., sha256:..., expires 2027-01-01 00:00 UTC; 1 client CA certificate(s)".
std::string SummaryLine(const auth::CertificateSummary& c);

// Re-reads the server certificate, key and client CA and logs one line when
// they changed or were refused, and a warning when the new certificate
// expires within 14 days. With `last_refusal` (the timer, which repeats), a
// refusal is logged only when it differs from the last one, which it then
// records. `by` says who asked ("SIGHUP", "timer", an administrator).
absl::StatusOr<auth::CertificateSummary> ReloadCertificatesAndLog(
    auth::ServerCertificates& certificates, absl::string_view by,
    std::string* last_refusal = nullptr);

}  // namespace sprout

#endif  // SPROUT_SERVER_RELOAD_LOGGING_H_
