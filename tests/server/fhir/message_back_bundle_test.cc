#include "server/fhir/message_back_bundle.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sprout::fhir {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

sprout::v1::Referral ClosedReferral() {
  sprout::v1::Referral r;
  r.set_name("referrals/r1");
  r.set_state(sprout::v1::REFERRAL_STATE_CLOSED);
  r.mutable_patient()->set_nhs_number("9434765919");
  r.mutable_patient()->set_given_name("Ada");
  r.mutable_patient()->set_family_name("Lovelace");
  r.mutable_route()->set_pcn("pcns/U99001");
  r.mutable_route()->set_link_worker("pcns/U99001/linkWorkers/lw-1");
  r.mutable_outcome()->add_codes()->set_code("1230392000");
  r.mutable_outcome()->set_summary("Goes to the lunch club");
  sprout::v1::Ons4Scores& first = *r.mutable_first_wellbeing()->mutable_ons4();
  first.set_life_satisfaction(4);
  first.set_worthwhile(5);
  first.set_happiness(4);
  first.set_anxiety(7);
  r.mutable_last_wellbeing()->mutable_swemwbs()->set_total(27);
  r.mutable_last_wellbeing()->mutable_swemwbs()->add_items(4);
  return r;
}

json Resource(const json& bundle, const std::string& type) {
  for (const json& entry : bundle["entry"]) {
    if (entry["resource"]["resourceType"] == type) return entry["resource"];
  }
  return nullptr;
}

TEST(MessageBackBundleTest, CarriesTheOutcomeScoresAndSummaryAddressedToTheReferrer) {
  const json bundle = MessageBackBundle(
      ClosedReferral(), "r1-5",
      {"https://sprout/FHIR/R4", "https://gp/FHIR/R4/$process-message", "Y99001"}, kNow);
  EXPECT_EQ(bundle["type"], "message");
  EXPECT_EQ(bundle["id"], "r1-5");
  EXPECT_EQ(bundle["timestamp"], "2026-01-01T00:00:00.000+00:00");
  const json header = Resource(bundle, "MessageHeader");
  EXPECT_EQ(header["id"], "r1-5");
  EXPECT_EQ(header["eventCoding"]["code"], "servicerequest-response");
  EXPECT_EQ(header["source"]["endpoint"], "https://sprout/FHIR/R4");
  EXPECT_EQ(header["destination"][0]["receiver"]["identifier"]["value"], "Y99001");
  EXPECT_EQ(header["focus"][0]["reference"], "Task/r1");
  const json task = Resource(bundle, "Task");
  EXPECT_EQ(task["status"], "completed");
  EXPECT_EQ(task["for"]["reference"], "Patient/patient");
  const std::string outputs = task["output"].dump();
  EXPECT_THAT(outputs, HasSubstr("1230392000"));
  EXPECT_THAT(outputs, HasSubstr("wellbeing score (first): ONS4 anxiety"));
  EXPECT_THAT(outputs, HasSubstr("wellbeing score (latest): SWEMWBS total"));
  EXPECT_THAT(outputs, HasSubstr("Goes to the lunch club"));
  EXPECT_EQ(Resource(bundle, "ServiceRequest")["subject"]["reference"], "Patient/patient");
}

TEST(MessageBackBundleTest, IdentifiesThePersonByNhsNumberOnlyAndNeverNamesTheLinkWorker) {
  const std::string text = MessageBackBundle(ClosedReferral(), "r1-5",
                                             {"urn:sprout:fhir", "https://gp/", "Y99001"}, kNow)
                               .dump();
  EXPECT_THAT(text, HasSubstr("9434765919"));
  EXPECT_THAT(text, Not(HasSubstr("Lovelace")));
  EXPECT_THAT(text, Not(HasSubstr("lw-1")));
}

TEST(MessageBackBundleTest, WithoutAnNhsNumberThePersonIsNamedWithTheirBirthDate) {
  sprout::v1::Referral r = ClosedReferral();
  r.mutable_patient()->clear_nhs_number();
  r.mutable_patient()->mutable_birth_date()->set_year(1950);
  r.mutable_patient()->mutable_birth_date()->set_month(3);
  r.mutable_patient()->mutable_birth_date()->set_day(7);
  const json patient = Resource(
      MessageBackBundle(r, "r1-5", {"urn:sprout:fhir", "https://gp/", "Y99001"}, kNow), "Patient");
  EXPECT_FALSE(patient.contains("identifier"));
  EXPECT_EQ(patient["name"][0]["family"], "Lovelace");
  EXPECT_EQ(patient["birthDate"], "1950-03-07");
}

}  // namespace
}  // namespace sprout::fhir
