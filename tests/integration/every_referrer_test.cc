// Every kind of referrer the API names submits its worked example from
// client/examples/ as its demo identity (certs/make-dev-certs) to the real
// sproutd, and the referral is coded and routed as the demo directory, code
// maps and starter release say it should be.
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sprout/v1/referral_service.grpc.pb.h"
#include "tests/integration/example_referrals.h"
#include "tests/integration/sproutd_suite.h"

namespace sprout::testing {
namespace {

struct Example {
  // The demo identity (certs/README.md); its example is
  // client/examples/{identity}-referral.json.
  const char* identity;
  v1::SourceType source;
  const char* pcn;                         // where the demo directory routes it
  std::vector<v1::CodingMethod> coded_as;  // one per reason, in order
};

const std::vector<Example>& Examples() {
  using M = v1::CodingMethod;
  static const auto* examples = new std::vector<Example>{
      {"gp",
       v1::SOURCE_TYPE_GP_PRACTICE,
       "pcns/U99001",
       {M::CODING_METHOD_SNOMED, M::CODING_METHOD_SNOMED}},
      {"pharmacy",
       v1::SOURCE_TYPE_COMMUNITY_PHARMACY,
       "pcns/U99003",
       {M::CODING_METHOD_LOCAL_MAP, M::CODING_METHOD_LOCAL_MAP}},
      {"police",
       v1::SOURCE_TYPE_POLICE,
       "pcns/U99002",
       {M::CODING_METHOD_LOCAL_MAP, M::CODING_METHOD_LOCAL_MAP}},
      {"fire",
       v1::SOURCE_TYPE_FIRE_AND_RESCUE,
       "pcns/U99007",
       {M::CODING_METHOD_LOCAL_MAP, M::CODING_METHOD_LOCAL_MAP}},
      {"housing",
       v1::SOURCE_TYPE_HOUSING_PROVIDER,
       "pcns/U99003",
       {M::CODING_METHOD_FREE_TEXT_MATCH, M::CODING_METHOD_LEXICON_MATCH,
        M::CODING_METHOD_LEXICON_MATCH}},
      {"jobcentre",
       v1::SOURCE_TYPE_JOB_CENTRE,
       "pcns/U99005",
       {M::CODING_METHOD_LOCAL_MAP, M::CODING_METHOD_LOCAL_MAP}},
      {"local-authority",
       v1::SOURCE_TYPE_LOCAL_AUTHORITY,
       "pcns/U99009",
       {M::CODING_METHOD_LOCAL_MAP, M::CODING_METHOD_LOCAL_MAP}},
      {"hospital",
       v1::SOURCE_TYPE_HOSPITAL_DISCHARGE,
       "pcns/U99002",
       {M::CODING_METHOD_SNOMED, M::CODING_METHOD_SNOMED}},
      {"mental-health",
       v1::SOURCE_TYPE_MENTAL_HEALTH_SERVICE,
       "pcns/U99004",
       {M::CODING_METHOD_SNOMED, M::CODING_METHOD_FREE_TEXT_MATCH}},
      {"community-health",
       v1::SOURCE_TYPE_COMMUNITY_HEALTH_SERVICE,
       "pcns/U99006",
       {M::CODING_METHOD_SNOMED, M::CODING_METHOD_SNOMED}},
      {"vcse",
       v1::SOURCE_TYPE_VCSE,
       "pcns/U99010",
       {M::CODING_METHOD_FREE_TEXT_MATCH, M::CODING_METHOD_SNOMED}},
      {"self",
       v1::SOURCE_TYPE_SELF_REFERRAL,
       "pcns/U99002",
       {M::CODING_METHOD_SNOMED, M::CODING_METHOD_NEEDS_REVIEW}},
  };
  return *examples;
}

class EveryReferrerTest : public SproutdSuite<EveryReferrerTest>,
                          public ::testing::WithParamInterface<Example> {
 protected:
  static void SetUpTestSuite() { StartServer("every_referrer"); }
};

TEST(EveryReferrerCoverageTest, EverySourceTypeHasAnExample) {
  std::set<int> covered;
  for (const Example& e : Examples()) {
    EXPECT_TRUE(covered.insert(e.source).second) << "two examples for " << e.source;
  }
  const auto* type = v1::SourceType_descriptor();
  for (int i = 0; i < type->value_count(); ++i) {
    const int value = type->value(i)->number();
    if (value == v1::SOURCE_TYPE_UNSPECIFIED) continue;
    EXPECT_EQ(covered.count(value), 1u) << type->value(i)->name() << " has no example";
  }
}

TEST_P(EveryReferrerTest, SubmitsItsExampleAndItIsCodedAndRouted) {
  const Example& example = GetParam();
  v1::SubmitReferralRequest request;
  const std::string file = std::string(example.identity) + "-referral.json";
  *request.mutable_referral() = ExampleReferral(example.identity);
  ASSERT_EQ(request.referral().referrer().source_type(), example.source) << file;
  request.set_request_id(std::string("every-referrer-") + example.identity);

  auto stub = v1::ReferralService::NewStub(server_->Channel(example.identity));
  v1::SubmitReferralResponse response;
  grpc::Status status = stub->SubmitReferral(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << example.identity << ": " << status.error_code() << " "
                           << status.error_message();

  const v1::Referral& stored = response.referral();
  EXPECT_EQ(stored.state(), v1::REFERRAL_STATE_QUEUED);
  EXPECT_EQ(stored.route().pcn(), example.pcn);
  EXPECT_TRUE(stored.route().link_worker().empty()) << "a referrer is not told the link worker";
  ASSERT_EQ(stored.coded_reasons_size(), static_cast<int>(example.coded_as.size()));
  bool needs_review = false;
  for (int i = 0; i < stored.coded_reasons_size(); ++i) {
    const v1::CodedReason& reason = stored.coded_reasons(i);
    EXPECT_EQ(reason.method(), example.coded_as[i]) << "reason " << i;
    if (reason.method() == v1::CODING_METHOD_NEEDS_REVIEW) {
      needs_review = true;
    } else {
      EXPECT_FALSE(reason.concept().code().empty()) << "reason " << i;
    }
  }
  EXPECT_EQ(stored.needs_coding_review(), needs_review);

  // The referrer reads it back as its own organisation's referral.
  v1::GetReferralRequest get;
  get.set_name(stored.name());
  v1::Referral read;
  status = stub->GetReferral(Context().get(), get, &read);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(read.referrer().source_type(), example.source);
  EXPECT_EQ(read.discharge().ward().empty(), example.source != v1::SOURCE_TYPE_HOSPITAL_DISCHARGE);
}

INSTANTIATE_TEST_SUITE_P(Examples, EveryReferrerTest, ::testing::ValuesIn(Examples()),
                         [](const ::testing::TestParamInfo<Example>& info) {
                           std::string name = info.param.identity;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace sprout::testing
