#include "client/cli/output.h"

#include <sstream>

#include "gtest/gtest.h"
#include "sprout/v1/referral.pb.h"
#include "sprout/v1/terminology_service.pb.h"

namespace sprout::client::cli {
namespace {

namespace v1 = ::sprout::v1;

TEST(TableTest, PadsColumnsToTheWidestCell) {
  Table t({"code", "term"});
  t.AddRow({"267076002", "Feeling lonely"});
  t.AddRow({"1", "x"});
  std::ostringstream out;
  t.Print(out);
  EXPECT_EQ(out.str(),
            "CODE       TERM\n"
            "267076002  Feeling lonely\n"
            "1          x\n");
}

TEST(TableTest, EmptyLastCellLeavesNoTrailingSpaces) {
  Table t({"item", "flags"});
  t.AddRow({"queueItems/q1", ""});
  std::ostringstream out;
  t.Print(out);
  EXPECT_EQ(out.str(),
            "ITEM           FLAGS\n"
            "queueItems/q1\n");
}

TEST(TableTest, EmptyTableSaysNone) {
  std::ostringstream out;
  Table({"a"}).Print(out);
  EXPECT_EQ(out.str(), "(none)\n");
}

TEST(EnumNameTest, DropsTheTypePrefix) {
  EXPECT_EQ(ShortEnum(v1::REFERRAL_STATE_RETURNED_TO_TRIAGE), "RETURNED_TO_TRIAGE");
  EXPECT_EQ(ShortEnum(v1::SOURCE_TYPE_GP_PRACTICE), "GP_PRACTICE");
  EXPECT_EQ(ShortEnum(v1::NHS_NUMBER_VERIFICATION_STATUS_VERIFIED), "VERIFIED");
  EXPECT_EQ(ShortEnum(static_cast<v1::ReferralState>(99)), "99");
}

TEST(PrintFieldsTest, NestedMessagesRepeatedFieldsAndSpecialTypes) {
  v1::Referral r;
  r.set_name("referrals/r1");
  r.set_state(v1::REFERRAL_STATE_QUEUED);
  r.mutable_patient()->mutable_birth_date()->set_year(1946);
  r.mutable_patient()->mutable_birth_date()->set_month(5);
  r.mutable_patient()->mutable_birth_date()->set_day(7);
  r.mutable_create_time()->set_seconds(1790000000);
  r.mutable_service_code()->set_code("871731000000106");
  r.mutable_service_code()->set_display("Referral to social prescribing service");
  r.add_reasons()->set_snomed_code("267076002");
  std::ostringstream out;
  PrintFields(r, out);
  EXPECT_EQ(out.str(),
            "name: referrals/r1\n"
            "state: QUEUED\n"
            "patient:\n"
            "  birth_date: 1946-05-07\n"
            "reasons:\n"
            "  -\n"
            "    snomed_code: 267076002\n"
            "create_time: 2026-09-21T14:13:20Z\n"
            "service_code: 871731000000106 |Referral to social prescribing service|\n");
}

TEST(ToJsonTest, IncludesDefaultsSoScriptsSeeFalse) {
  v1::ValidateCodeResponse r;
  r.set_message("not in the release");
  const std::string json = ToJson(r, /*pretty=*/false);
  EXPECT_NE(json.find("\"valid\":false"), std::string::npos) << json;
  EXPECT_EQ(json.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace sprout::client::cli
