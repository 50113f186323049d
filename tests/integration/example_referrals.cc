#include "tests/integration/example_referrals.h"

#include <fstream>
#include <sstream>

#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/integration/sproutd_process.h"

namespace sprout::testing {

sprout::v1::Referral ExampleReferral(const std::string& identity) {
  const std::string file = identity + "-referral.json";
  std::ifstream in(SourceDir() + "/client/examples/" + file);
  std::stringstream text;
  text << in.rdbuf();
  sprout::v1::Referral referral;
  const auto parsed = google::protobuf::util::JsonStringToMessage(text.str(), &referral);
  EXPECT_TRUE(parsed.ok()) << file << ": " << parsed.ToString();
  return referral;
}

}  // namespace sprout::testing
