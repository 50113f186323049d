// The worked examples of client/examples/, as integration tests read them.
#ifndef SPROUT_TESTS_INTEGRATION_EXAMPLE_REFERRALS_H_
#define SPROUT_TESTS_INTEGRATION_EXAMPLE_REFERRALS_H_

#include <string>

#include "sprout/v1/referral.pb.h"

namespace sprout::testing {

// The worked example of demo identity `identity` (gp, police, hospital, ...),
// client/examples/{identity}-referral.json; fails the test if it does not
// parse.
sprout::v1::Referral ExampleReferral(const std::string& identity);

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_INTEGRATION_EXAMPLE_REFERRALS_H_
