// One problem with a FHIR request, as an OperationOutcome.issue says it.
#ifndef SPROUT_SERVER_FHIR_FHIR_ISSUE_H_
#define SPROUT_SERVER_FHIR_FHIR_ISSUE_H_

#include <string>

namespace sprout::fhir {

struct FhirIssue {
  // The FHIR issue-type code: "structure", "required", "value", "invalid",
  // "code-invalid", "not-supported", "duplicate", "security", "throttled",
  // "too-costly", "transient", "exception", "not-found".
  std::string code;
  // The FHIRPath of the element at fault, e.g.
  // "Bundle.entry[2].resource.identifier[0].value"; empty for the request as a whole.
  std::string expression;
  // What is wrong and how to fix it. Never patient data.
  std::string diagnostics;
};

}  // namespace sprout::fhir

#endif  // SPROUT_SERVER_FHIR_FHIR_ISSUE_H_
