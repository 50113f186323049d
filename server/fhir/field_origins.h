// File: server/fhir/field_origins.h
//
// Where each Referral field of a FHIR message came from, so that the
// intake's field paths ("referral.patient.nhs_number") can be told back to
// the sender as the FHIRPath of what it wrote.
#ifndef SPROUT_SERVER_FHIR_FIELD_ORIGINS_H_
#define SPROUT_SERVER_FHIR_FIELD_ORIGINS_H_

#include <map>
#include <string>

namespace sprout::fhir {

// Where each Referral field came from: "referral.patient.nhs_number" ->
// "Bundle.entry[2].resource.identifier[0].value". Resources are recorded too
// ("referral.patient" -> "Bundle.entry[2].resource"), so a field the sender
// left out is pointed at the resource it belongs in.
class FieldOrigins {
 public:
  void Record(std::string referral_field, std::string fhir_path);
  // The FHIR path for an intake field path: exact, or that of its nearest
  // recorded ancestor with the FHIR element the field maps to appended
  // ("referral.patient.address.postcode" -> "...resource.address.postalCode").
  // "Bundle" when nothing is known.
  std::string FhirPathOf(const std::string& referral_field) const;

 private:
  std::map<std::string, std::string> origins_;
};

}  // namespace sprout::fhir

#endif  // SPROUT_SERVER_FHIR_FIELD_ORIGINS_H_
