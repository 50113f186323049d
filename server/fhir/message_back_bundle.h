// File: server/fhir/message_back_bundle.h
//
// The message back to GP and referrer (PRSB Social Prescribing Information
// Standard), sent when a referral is accepted, declined or closed: a FHIR R4
// message Bundle (BaRS event servicerequest-response) with the MessageHeader,
// the Task that says how the referral stands and, once it is closed, its
// coded outcome, wellbeing scores and the summary written for the referrer;
// the ServiceRequest with its coded reasons; and the Patient, identified only
// as far as the receiver needs to file it (NHS number, or name and date of
// birth when there is none). Never contact notes, never the link worker.
#ifndef SPROUT_SERVER_FHIR_MESSAGE_BACK_BUNDLE_H_
#define SPROUT_SERVER_FHIR_MESSAGE_BACK_BUNDLE_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "sprout/v1/referral.pb.h"

namespace sprout::fhir {

// Who the message is from and to.
struct MessageBackAddress {
  std::string source_endpoint;       // Sprout's FHIR base, or "urn:sprout:fhir"
  std::string destination_endpoint;  // the referrer's registered endpoint
  std::string receiver_code;         // the referrer's organisation code
};

// The message `message_id` (also the Bundle's id and the MessageHeader's)
// about `referral` as it was when the change was committed, made `now`.
nlohmann::json MessageBackBundle(const sprout::v1::Referral& referral, absl::string_view message_id,
                                 const MessageBackAddress& address, absl::Time now);

}  // namespace sprout::fhir

#endif  // SPROUT_SERVER_FHIR_MESSAGE_BACK_BUNDLE_H_
