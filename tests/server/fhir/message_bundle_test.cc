#include "server/fhir/message_bundle.h"

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/repo_path.h"

namespace sprout::fhir {
namespace {

using nlohmann::json;

json Example(const std::string& name) {
  std::ifstream in(testing::RepoPath("client/examples/fhir/" + name));
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// The entry of `bundle` holding a resource of `type`.
json& EntryOf(json& bundle, const std::string& type) {
  for (json& entry : bundle["entry"]) {
    if (entry["resource"]["resourceType"] == type) return entry["resource"];
  }
  static json none;
  return none;
}

TEST(ReadReferralMessageTest, AGpMessageBecomesTheReferralSubmitReferralTakes) {
  ReadResult read = ReadReferralMessage(Example("gp-referral.json"));
  ASSERT_TRUE(read.issues.empty())
      << read.issues[0].expression << ": " << read.issues[0].diagnostics;
  const ReferralMessage& message = *read.message;
  EXPECT_EQ(message.message_id, "0c7b1e6a-5d2f-4e8b-a1c3-9f6d2b8e4a10");
  EXPECT_EQ(message.bundle_id, "4f8d3c52-0b6e-4a53-9d1e-6b2a7f1c9e01");
  EXPECT_EQ(message.source_endpoint, "urn:nhs-uk:addressing:ods:Y99001");
  EXPECT_EQ(message.reason, MessageReason::kNew);
  const sprout::v1::Referral& r = message.referral;
  EXPECT_EQ(r.patient().nhs_number(), "9434765919");
  EXPECT_EQ(r.patient().nhs_number_verification_status(),
            sprout::v1::NHS_NUMBER_VERIFICATION_STATUS_VERIFIED);
  EXPECT_EQ(r.patient().given_name(), "Hettie");
  EXPECT_EQ(r.patient().family_name(), "Quillfeather");
  EXPECT_EQ(r.patient().birth_date().year(), 1946);
  EXPECT_EQ(r.patient().birth_date().day(), 17);
  EXPECT_EQ(r.patient().gender(), sprout::v1::GENDER_FEMALE);
  EXPECT_EQ(r.patient().address().postcode(), "ZW1 4QA");
  EXPECT_EQ(r.patient().address().town(), "Northgate");
  EXPECT_EQ(r.patient().registered_practice_code(), "Y99001");
  EXPECT_EQ(r.patient().contact().phone(), "0113 496 0456");
  EXPECT_EQ(r.referrer().source_type(), sprout::v1::SOURCE_TYPE_GP_PRACTICE);
  EXPECT_EQ(r.referrer().organisation_code(), "Y99001");
  EXPECT_EQ(r.referrer().organisation_name(), "Northgate Surgery");
  EXPECT_EQ(r.referrer().practitioner_name(), "Dr A Demo");
  EXPECT_EQ(r.referrer().practitioner_role(), "GP");
  EXPECT_EQ(r.referrer().callback_email(), "northgate.surgery@example.nhs.uk");
  ASSERT_EQ(r.reasons_size(), 2);
  EXPECT_EQ(r.reasons(0).snomed_code(), "267076002");
  EXPECT_EQ(r.priority(), sprout::v1::PRIORITY_ROUTINE);
  EXPECT_TRUE(r.has_authored_time());
  EXPECT_TRUE(r.consent().referral_agreed());
  EXPECT_TRUE(r.consent().information_sharing_agreed());
  EXPECT_EQ(r.consent().obtained_by(), "Dr A Demo");
  EXPECT_FALSE(r.what_matters_to_me().empty());
}

TEST(ReadReferralMessageTest, ReasonsAreSnomedElseLocalCodesElseText) {
  json bundle = Example("gp-referral.json");
  EntryOf(bundle, "ServiceRequest")["reasonCode"] = {
      {{"coding", {{{"system", "police-vulnerability"}, {"code", "PV-ISOLATED"}}}}},
      {{"coding",
        {{{"system", "housing-needs"}, {"code", "H1"}},
         {{"system", kSnomedSystem}, {"code", "422650009"}}}}},
      {{"text", "worried about money"}}};
  ReadResult read = ReadReferralMessage(bundle);
  ASSERT_TRUE(read.issues.empty());
  const sprout::v1::Referral& r = read.message->referral;
  ASSERT_EQ(r.reasons_size(), 3);
  EXPECT_EQ(r.reasons(0).local_code().system(), "police-vulnerability");
  EXPECT_EQ(r.reasons(0).local_code().code(), "PV-ISOLATED");
  EXPECT_EQ(r.reasons(1).snomed_code(), "422650009");
  EXPECT_EQ(r.reasons(2).free_text(), "worried about money");
  EXPECT_EQ(read.message->origins.FhirPathOf("referral.reasons[1].snomed_code"),
            "Bundle.entry[1].resource.reasonCode[1].coding[1].code");
  EXPECT_EQ(read.message->origins.FhirPathOf("referral.reasons[2].free_text"),
            "Bundle.entry[1].resource.reasonCode[2].text");
}

TEST(ReadReferralMessageTest, AFieldLeftOutIsPointedAtWhereItBelongs) {
  json bundle = Example("gp-referral.json");
  EntryOf(bundle, "Patient").erase("address");
  ReadResult read = ReadReferralMessage(bundle);
  ASSERT_TRUE(read.issues.empty());
  EXPECT_EQ(read.message->origins.FhirPathOf("referral.patient.address.postcode"),
            "Bundle.entry[2].resource.address.postalCode");
  EXPECT_EQ(read.message->origins.FhirPathOf("referral.patient.birth_date"),
            "Bundle.entry[2].resource.birthDate");
  EXPECT_EQ(read.message->origins.FhirPathOf("request_id"), "Bundle.entry[0].resource.id");
  EXPECT_EQ(read.message->origins.FhirPathOf("something.else"), "Bundle");
}

TEST(ReadReferralMessageTest, ReferencesResolveByFullUrlToo) {
  json bundle = Example("gp-referral.json");
  for (json& entry : bundle["entry"]) {
    if (entry["resource"]["resourceType"] == "Patient") {
      entry["fullUrl"] = "urn:uuid:6b1f3a52-2c1d-4a55-8e0f-3c2b1a0f9e77";
    }
  }
  EntryOf(bundle, "ServiceRequest")["subject"]["reference"] =
      "urn:uuid:6b1f3a52-2c1d-4a55-8e0f-3c2b1a0f9e77";
  ReadResult read = ReadReferralMessage(bundle);
  ASSERT_TRUE(read.issues.empty());
  EXPECT_EQ(read.message->referral.patient().family_name(), "Quillfeather");
}

TEST(ReadReferralMessageTest, APatientAsRequesterIsASelfReferral) {
  ReadResult read = ReadReferralMessage(Example("self-referral.json"));
  ASSERT_TRUE(read.issues.empty());
  EXPECT_EQ(read.message->referral.referrer().source_type(), sprout::v1::SOURCE_TYPE_SELF_REFERRAL);
}

TEST(ReadReferralMessageTest, NoNhsNumberNeedsItsReason) {
  ReadResult read = ReadReferralMessage(Example("pharmacy-referral.json"));
  ASSERT_TRUE(read.issues.empty());
  EXPECT_EQ(read.message->referral.patient().nhs_number_unavailable_reason(),
            sprout::v1::NHS_NUMBER_UNAVAILABLE_REASON_NOT_KNOWN);
  EXPECT_EQ(read.message->referral.reasons(0).local_code().code(), "CP-LONELY");
}

TEST(ReadReferralMessageTest, AsapIsUrgentAndAnUnknownPriorityIsRefused) {
  json bundle = Example("gp-referral.json");
  EntryOf(bundle, "ServiceRequest")["priority"] = "asap";
  ReadResult read = ReadReferralMessage(bundle);
  ASSERT_TRUE(read.issues.empty());
  EXPECT_EQ(read.message->referral.priority(), sprout::v1::PRIORITY_URGENT);
  EntryOf(bundle, "ServiceRequest")["priority"] = "whenever";
  read = ReadReferralMessage(bundle);
  ASSERT_EQ(read.issues.size(), 1u);
  EXPECT_EQ(read.issues[0].code, "code-invalid");
  EXPECT_EQ(read.issues[0].expression, "Bundle.entry[1].resource.priority");
}

TEST(ReadReferralMessageTest, EveryStructuralFaultIsReportedAtOnce) {
  json bundle = Example("gp-referral.json");
  json& request = EntryOf(bundle, "ServiceRequest");
  request["intent"] = "order";
  request["status"] = "draft";
  request["code"]["coding"][0]["code"] = "3457005";
  request.erase("authoredOn");
  ReadResult read = ReadReferralMessage(bundle);
  ASSERT_EQ(read.issues.size(), 4u);
  EXPECT_EQ(read.issues[0].expression, "Bundle.entry[1].resource.status");
  EXPECT_EQ(read.issues[1].expression, "Bundle.entry[1].resource.intent");
  EXPECT_EQ(read.issues[2].expression, "Bundle.entry[1].resource.code");
  EXPECT_EQ(read.issues[3].expression, "Bundle.entry[1].resource.authoredOn");
  EXPECT_FALSE(read.message.has_value());
}

TEST(ReadReferralMessageTest, AStringWhereAnObjectBelongsIsAStructureFault) {
  json bundle = Example("gp-referral.json");
  EntryOf(bundle, "Patient")["birthDate"] = 19460517;
  ReadResult read = ReadReferralMessage(bundle);
  ASSERT_EQ(read.issues.size(), 1u);
  EXPECT_EQ(read.issues[0].code, "structure");
  EXPECT_EQ(read.issues[0].expression, "Bundle.entry[2].resource.birthDate");
}

TEST(ReadReferralMessageTest, TheMessageHeaderComesFirstAndNamesItsEvent) {
  json bundle = Example("gp-referral.json");
  bundle["entry"][0]["resource"]["eventCoding"]["code"] = "booking-request";
  ReadResult read = ReadReferralMessage(bundle);
  ASSERT_EQ(read.issues.size(), 1u);
  EXPECT_EQ(read.issues[0].code, "code-invalid");
  EXPECT_EQ(read.issues[0].expression, "Bundle.entry[0].resource.eventCoding");
  std::swap(bundle["entry"][0], bundle["entry"][1]);
  read = ReadReferralMessage(bundle);
  ASSERT_EQ(read.issues.size(), 1u);
  EXPECT_EQ(read.issues[0].expression, "Bundle.entry[0].resource");
}

TEST(ReadReferralMessageTest, AnEntryWithoutAResourceIsReportedNotFollowed) {
  json bundle = Example("gp-referral.json");
  bundle["entry"].push_back(5);
  bundle["entry"].push_back({{"fullUrl", "urn:uuid:x"}});
  ReadResult read = ReadReferralMessage(bundle);
  ASSERT_EQ(read.issues.size(), 2u);
  EXPECT_EQ(read.issues[0].expression, "Bundle.entry[7]");
  EXPECT_EQ(read.issues[1].expression, "Bundle.entry[8].resource");
}

TEST(ReadReferralMessageTest, ACancellationNamesTheSproutReferral) {
  ReadResult read = ReadReferralMessage(Example("cancel.json"));
  ASSERT_TRUE(read.issues.empty()) << read.issues[0].diagnostics;
  EXPECT_EQ(read.message->reason, MessageReason::kDelete);
  EXPECT_EQ(read.message->cancelled_referral_id, "REFERRAL-ID");
  json bundle = Example("cancel.json");
  EntryOf(bundle, "ServiceRequest").erase("identifier");
  EntryOf(bundle, "ServiceRequest")["status"] = "active";
  read = ReadReferralMessage(bundle);
  ASSERT_EQ(read.issues.size(), 2u);
  EXPECT_EQ(read.issues[0].expression, "Bundle.entry[1].resource.status");
  EXPECT_EQ(read.issues[1].expression, "Bundle.entry[1].resource.identifier");
}

TEST(ReadReferralMessageTest, AnUpdateIsReadAsSuch) {
  ReadResult read = ReadReferralMessage(Example("update.json"));
  ASSERT_TRUE(read.issues.empty());
  EXPECT_EQ(read.message->reason, MessageReason::kUpdate);
}

// Every element of every example replaced in turn by a value of each other
// JSON type, and removed: the reader reports or reads, and never crashes.
void Visit(json& node, const std::function<void(json&)>& each) {
  each(node);
  if (node.is_object() || node.is_array()) {
    for (json& child : node) Visit(child, each);
  }
}

TEST(ReadReferralMessageTest, NoElementOfTheWrongTypeCrashesTheReader) {
  const json replacements[] = {json(), json(5), json("x"), json::array(), json::object()};
  int reads = 0;
  for (const char* name : {"gp-referral.json", "pharmacy-referral.json", "self-referral.json",
                           "cancel.json", "update.json"}) {
    const json original = Example(name);
    json paths = json::array();
    // Number the nodes by a pre-order walk, then change one at a time.
    int count = 0;
    json walk = original;
    Visit(walk, [&](json&) { ++count; });
    for (int target = 1; target < count; ++target) {
      for (const json& replacement : replacements) {
        json bundle = original;
        int index = 0;
        Visit(bundle, [&](json& node) {
          if (index++ == target) node = replacement;
        });
        ReadResult read = ReadReferralMessage(bundle);
        ++reads;
        ASSERT_EQ(read.issues.empty(), read.message.has_value()) << name << " node " << target;
        for (const FhirIssue& issue : read.issues) {
          ASSERT_FALSE(issue.code.empty());
          ASSERT_FALSE(issue.diagnostics.empty());
        }
      }
    }
  }
  EXPECT_GT(reads, 1000);
}

}  // namespace
}  // namespace sprout::fhir
