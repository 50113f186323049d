// libFuzzer target: arbitrary bytes as a FHIR request body, through the JSON
// parser and the BaRS message reader (server/fhir/message_bundle.h), as the
// FHIR listener takes them from any client with a certificate. No input may
// crash or throw; a read either gives a message or says what is wrong, each
// issue with its type code and a sentence.
// Built only with -DSPROUT_FUZZ=ON; see tests/fuzz/CMakeLists.txt.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "nlohmann/json.hpp"
#include "server/fhir/message_bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const nlohmann::json bundle = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (bundle.is_discarded()) return 0;
  const sprout::fhir::ReadResult read = sprout::fhir::ReadReferralMessage(bundle);
  if (read.issues.empty() != read.message.has_value()) std::abort();
  for (const sprout::fhir::FhirIssue& issue : read.issues) {
    if (issue.code.empty() || issue.diagnostics.empty()) std::abort();
  }
  if (read.message) {
    // Every field path the intake could name maps to somewhere in the Bundle.
    const std::string path = read.message->origins.FhirPathOf("referral.patient.nhs_number");
    if (path.rfind("Bundle", 0) != 0) std::abort();
  }
  return 0;
}
