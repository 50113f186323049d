// Referrals for integration tests: complete, valid, fictional.
#ifndef SPROUT_TESTS_INTEGRATION_TEST_REFERRALS_H_
#define SPROUT_TESTS_INTEGRATION_TEST_REFERRALS_H_

#include <cstdint>
#include <string>

#include "sprout/v1/referral.pb.h"

namespace sprout::testing {

// The n-th of a series of distinct NHS numbers with valid modulus 11 check
// digits, in the 999 test range (never issued to a real person).
std::string TestNhsNumber(int64_t n);

// A GP referral from Y99001 (PCN U99001) for loneliness and money worries.
sprout::v1::Referral GpReferral(const std::string& nhs_number = "9434765919");

// A police referral (a local vulnerability code, no NHS number) for someone
// living in PCN U99003's area, routed by postcode.
sprout::v1::Referral PoliceReferral();

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_INTEGRATION_TEST_REFERRALS_H_
