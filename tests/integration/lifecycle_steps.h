// A referral's life driven over the real gRPC API, for integration tests
// that need a referral in a given state: submit, claim and accept, record a
// contact, close with an outcome.
#ifndef SPROUT_TESTS_INTEGRATION_LIFECYCLE_STEPS_H_
#define SPROUT_TESTS_INTEGRATION_LIFECYCLE_STEPS_H_

#include <string>

#include "absl/status/statusor.h"
#include "sprout/v1/queue_service.grpc.pb.h"
#include "sprout/v1/referral_service.grpc.pb.h"

namespace sprout::testing {

// SubmitReferral with `request_id`.
absl::StatusOr<sprout::v1::Referral> SubmitOver(sprout::v1::ReferralService::Stub& referrer,
                                                const sprout::v1::Referral& referral,
                                                const std::string& request_id);

// Claims referral `name`'s item on `pcn`'s queues ("pcns/U99001"), then
// accepts it.
absl::StatusOr<sprout::v1::Referral> ClaimAndAccept(sprout::v1::QueueService::Stub& link_worker,
                                                    const std::string& pcn,
                                                    const std::string& name);

// Records one phone contact with `notes`.
absl::Status RecordPhoneContact(sprout::v1::QueueService::Stub& link_worker,
                                const std::string& name, const std::string& request_id,
                                const std::string& notes);

// Closes `name` with outcome 1230392000 |Not feeling lonely|, `summary` and
// ONS4 scores.
absl::StatusOr<sprout::v1::Referral> CloseWithOutcome(sprout::v1::QueueService::Stub& link_worker,
                                                      const std::string& name,
                                                      const std::string& summary);

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_INTEGRATION_LIFECYCLE_STEPS_H_
