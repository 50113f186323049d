#include "client/referral_builder.h"

#include <string>

#include "gtest/gtest.h"

namespace sprout::client {
namespace {

// A fictional person with an NHS test number (DOMAIN.md §3.1).
ReferralFlags GpFlags() {
  ReferralFlags f;
  f.nhs_number = "943 476 5919";
  f.given_name = "Ada";
  f.family_name = "Example";
  f.birth_date = "1950-02-28";
  f.postcode = "LS1 4AP";
  f.practice = "Y00001";
  f.source = "gp";
  f.organisation = "Y00001";
  f.practitioner = "Dr Test";
  f.reasons = {"267076002", "160932005"};
  f.what_matters = "Getting out of the house";
  f.consent = true;
  return f;
}

TEST(ParseReasonTest, DigitsAreSnomedCode) {
  auto r = ParseReason("267076002");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->reason_case(), v1::ReasonInput::kSnomedCode);
  EXPECT_EQ(r->snomed_code(), "267076002");
}

TEST(ParseReasonTest, TextPrefixIsFreeText) {
  auto r = ParseReason("text: lonely since moving: no friends nearby");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->reason_case(), v1::ReasonInput::kFreeText);
  EXPECT_EQ(r->free_text(), "lonely since moving: no friends nearby");
}

TEST(ParseReasonTest, SystemColonCodeIsLocalCode) {
  auto r = ParseReason("police-vulnerability:PV03");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->reason_case(), v1::ReasonInput::kLocalCode);
  EXPECT_EQ(r->local_code().system(), "police-vulnerability");
  EXPECT_EQ(r->local_code().code(), "PV03");
}

TEST(ParseReasonTest, LocalCodeSplitsAtLastColon) {
  auto r = ParseReason("urn:agency:housing-needs:H7");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->local_code().system(), "urn:agency:housing-needs");
  EXPECT_EQ(r->local_code().code(), "H7");
}

TEST(ParseReasonTest, RejectsWhatItCannotBuild) {
  for (const char* bad :
       {"", "   ", "lonely", "text:", "text:   ", ":PV03", "police-vulnerability:"}) {
    auto r = ParseReason(bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << "input '" << bad << "'";
  }
}

TEST(ParseReasonTest, DoesNotCheckVerhoeffThatIsTheServersJob) {
  auto r = ParseReason("267076003");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->snomed_code(), "267076003");
}

TEST(ParseSourceTypeTest, ShortAndFullNames) {
  EXPECT_EQ(*ParseSourceType("gp"), v1::SOURCE_TYPE_GP_PRACTICE);
  EXPECT_EQ(*ParseSourceType("Police"), v1::SOURCE_TYPE_POLICE);
  EXPECT_EQ(*ParseSourceType("self"), v1::SOURCE_TYPE_SELF_REFERRAL);
  EXPECT_EQ(*ParseSourceType("SOURCE_TYPE_HOUSING_PROVIDER"), v1::SOURCE_TYPE_HOUSING_PROVIDER);
}

TEST(ParseSourceTypeTest, UnknownListsTheChoices) {
  auto s = ParseSourceType("bank");
  ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("gp, pharmacy, police"), absl::string_view::npos);
  EXPECT_FALSE(ParseSourceType("SOURCE_TYPE_UNSPECIFIED").ok());
}

TEST(ParseDateTest, AcceptsRealDatesOnly) {
  auto d = ParseDate("2024-02-29");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->year(), 2024);
  EXPECT_EQ(d->month(), 2);
  EXPECT_EQ(d->day(), 29);
  for (const char* bad :
       {"2023-02-29", "1950-13-01", "1950-00-10", "1950-1-1", "01/02/1950", "1950-02-3x", ""}) {
    EXPECT_FALSE(ParseDate(bad).ok()) << bad;
  }
}

TEST(BuildSubmitRequestTest, GpFlagsFillTheReferral) {
  auto req = BuildSubmitRequest(GpFlags(), "req-1");
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->request_id(), "req-1");
  const v1::Referral& r = req->referral();
  EXPECT_EQ(r.patient().nhs_number(), "943 476 5919");
  EXPECT_EQ(r.patient().nhs_number_verification_status(),
            v1::NHS_NUMBER_VERIFICATION_STATUS_TRACE_REQUIRED);
  EXPECT_EQ(r.patient().given_name(), "Ada");
  EXPECT_EQ(r.patient().birth_date().year(), 1950);
  EXPECT_EQ(r.patient().address().postcode(), "LS1 4AP");
  EXPECT_EQ(r.patient().registered_practice_code(), "Y00001");
  EXPECT_EQ(r.referrer().source_type(), v1::SOURCE_TYPE_GP_PRACTICE);
  EXPECT_EQ(r.referrer().practitioner_name(), "Dr Test");
  EXPECT_EQ(r.priority(), v1::PRIORITY_ROUTINE);
  ASSERT_EQ(r.reasons_size(), 2);
  EXPECT_EQ(r.reasons(0).snomed_code(), "267076002");
  EXPECT_EQ(r.reasons(1).snomed_code(), "160932005");
  EXPECT_EQ(r.what_matters_to_me(), "Getting out of the house");
  EXPECT_TRUE(r.consent().referral_agreed());
  EXPECT_TRUE(r.consent().information_sharing_agreed());
}

TEST(BuildSubmitRequestTest, NoNhsNumberSetsUnavailableReason) {
  ReferralFlags f = GpFlags();
  f.nhs_number.clear();
  auto req = BuildSubmitRequest(f, "req-2");
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->referral().patient().nhs_number_unavailable_reason(),
            v1::NHS_NUMBER_UNAVAILABLE_REASON_NOT_KNOWN);
  f.no_nhs_number_reason = "declined";
  EXPECT_EQ(BuildSubmitRequest(f, "r")->referral().patient().nhs_number_unavailable_reason(),
            v1::NHS_NUMBER_UNAVAILABLE_REASON_DECLINED);
  f.no_nhs_number_reason = "lost";
  EXPECT_FALSE(BuildSubmitRequest(f, "r").ok());
}

TEST(BuildSubmitRequestTest, UrgentSetsPriorityAndReason) {
  ReferralFlags f = GpFlags();
  f.urgent = true;
  f.urgent_reason = "eviction next week";
  auto req = BuildSubmitRequest(f, "r");
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->referral().priority(), v1::PRIORITY_URGENT);
  EXPECT_EQ(req->referral().priority_reason(), "eviction next week");
}

TEST(BuildSubmitRequestTest, WithoutConsentFlagConsentIsFalse) {
  ReferralFlags f = GpFlags();
  f.consent = false;
  auto req = BuildSubmitRequest(f, "r");
  ASSERT_TRUE(req.ok());  // refusing it is the server's job
  EXPECT_FALSE(req->referral().consent().referral_agreed());
}

TEST(BuildSubmitRequestTest, ErrorsNameTheFlag) {
  ReferralFlags f = GpFlags();
  f.birth_date = "28/02/1950";
  EXPECT_EQ(BuildSubmitRequest(f, "r").status().message().substr(0, 13), "--birth-date:");
  f = GpFlags();
  f.reasons.push_back("lonely");
  EXPECT_EQ(BuildSubmitRequest(f, "r").status().message().substr(0, 9), "--reason:");
  f = GpFlags();
  f.source = "bank";
  EXPECT_EQ(BuildSubmitRequest(f, "r").status().message().substr(0, 9), "--source:");
  EXPECT_FALSE(BuildSubmitRequest(GpFlags(), "").ok());
}

TEST(ParseReferralJsonTest, ReferralObject) {
  auto req = ParseReferralJson(R"({"referrer": {"sourceType": "SOURCE_TYPE_POLICE"},
      "reasons": [{"localCode": {"system": "police-vulnerability", "code": "PV03"}}]})");
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_TRUE(req->request_id().empty());
  EXPECT_EQ(req->referral().referrer().source_type(), v1::SOURCE_TYPE_POLICE);
  EXPECT_EQ(req->referral().reasons(0).local_code().code(), "PV03");
}

TEST(ParseReferralJsonTest, WholeRequestObject) {
  auto req = ParseReferralJson(
      R"({"requestId": "abc", "referral": {"reasons": [{"snomedCode": "267076002"}]}})");
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->request_id(), "abc");
  EXPECT_EQ(req->referral().reasons(0).snomed_code(), "267076002");
}

TEST(ParseReferralJsonTest, UnknownFieldAndBadJsonAreErrors) {
  EXPECT_EQ(ParseReferralJson(R"({"pateint": {}})").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseReferralJson("{").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseReferralJson("[]").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ReadReferralJsonFileTest, MissingFileIsNotFoundNamingThePath) {
  auto req = ReadReferralJsonFile("/nonexistent/referral.json");
  EXPECT_EQ(req.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(req.status().message().find("/nonexistent/referral.json"), absl::string_view::npos);
}

}  // namespace
}  // namespace sprout::client
