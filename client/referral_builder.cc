#include "client/referral_builder.h"

#include <cctype>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace sprout::client {
namespace {

struct SourceName {
  const char* name;
  v1::SourceType type;
};

constexpr SourceName kSourceNames[] = {
    {"gp", v1::SOURCE_TYPE_GP_PRACTICE},
    {"pharmacy", v1::SOURCE_TYPE_COMMUNITY_PHARMACY},
    {"police", v1::SOURCE_TYPE_POLICE},
    {"fire", v1::SOURCE_TYPE_FIRE_AND_RESCUE},
    {"housing", v1::SOURCE_TYPE_HOUSING_PROVIDER},
    {"jobcentre", v1::SOURCE_TYPE_JOB_CENTRE},
    {"local-authority", v1::SOURCE_TYPE_LOCAL_AUTHORITY},
    {"hospital", v1::SOURCE_TYPE_HOSPITAL_DISCHARGE},
    {"mental-health", v1::SOURCE_TYPE_MENTAL_HEALTH_SERVICE},
    {"community-health", v1::SOURCE_TYPE_COMMUNITY_HEALTH_SERVICE},
    {"vcse", v1::SOURCE_TYPE_VCSE},
    {"self", v1::SOURCE_TYPE_SELF_REFERRAL},
};

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

absl::Status FlagError(absl::string_view flag, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", status.message()));
}

absl::StatusOr<v1::NhsNumberUnavailableReason> ParseUnavailableReason(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t.empty() || t == "not-known") return v1::NHS_NUMBER_UNAVAILABLE_REASON_NOT_KNOWN;
  if (t == "declined") return v1::NHS_NUMBER_UNAVAILABLE_REASON_DECLINED;
  if (t == "not-issued") return v1::NHS_NUMBER_UNAVAILABLE_REASON_NOT_ISSUED;
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not one of not-known, declined, not-issued"));
}

}  // namespace

absl::StatusOr<v1::ReasonInput> ParseReason(absl::string_view text) {
  v1::ReasonInput reason;
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) return absl::InvalidArgumentError("a reason cannot be empty");
  if (AllDigits(text)) {
    reason.set_snomed_code(std::string(text));
    return reason;
  }
  if (absl::ConsumePrefix(&text, "text:")) {
    text = absl::StripAsciiWhitespace(text);
    if (text.empty()) return absl::InvalidArgumentError("free text after 'text:' is empty");
    reason.set_free_text(std::string(text));
    return reason;
  }
  const size_t colon = text.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "reason '", text,
        "' is neither a SNOMED id (digits), a local code 'system:code', nor free text 'text:...'"));
  }
  const absl::string_view system = absl::StripAsciiWhitespace(text.substr(0, colon));
  const absl::string_view code = absl::StripAsciiWhitespace(text.substr(colon + 1));
  if (system.empty() || code.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("local code '", text, "' needs both a system and a code: 'system:code'"));
  }
  reason.mutable_local_code()->set_system(std::string(system));
  reason.mutable_local_code()->set_code(std::string(code));
  return reason;
}

absl::StatusOr<v1::SourceType> ParseSourceType(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  std::vector<std::string> names;
  for (const SourceName& s : kSourceNames) {
    if (lower == s.name) return s.type;
    names.push_back(s.name);
  }
  v1::SourceType full;
  if (v1::SourceType_Parse(absl::AsciiStrToUpper(lower), &full) &&
      full != v1::SOURCE_TYPE_UNSPECIFIED) {
    return full;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown source '", text, "'; one of ", absl::StrJoin(names, ", ")));
}

absl::StatusOr<v1::Date> ParseDate(absl::string_view text) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  int year = 0, month = 0, day = 0;
  const bool shaped = parts.size() == 3 && parts[0].size() == 4 && parts[1].size() == 2 &&
                      parts[2].size() == 2 && AllDigits(parts[0]) && AllDigits(parts[1]) &&
                      AllDigits(parts[2]) && absl::SimpleAtoi(parts[0], &year) &&
                      absl::SimpleAtoi(parts[1], &month) && absl::SimpleAtoi(parts[2], &day);
  if (!shaped) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a date YYYY-MM-DD"));
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a calendar date"));
  }
  v1::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

absl::StatusOr<v1::SubmitReferralRequest> BuildSubmitRequest(const ReferralFlags& flags,
                                                             absl::string_view request_id) {
  if (request_id.empty()) return absl::InvalidArgumentError("--request-id: empty");
  v1::SubmitReferralRequest request;
  request.set_request_id(std::string(request_id));
  v1::Referral& referral = *request.mutable_referral();

  v1::Patient& patient = *referral.mutable_patient();
  if (!flags.nhs_number.empty()) {
    patient.set_nhs_number(flags.nhs_number);
    patient.set_nhs_number_verification_status(v1::NHS_NUMBER_VERIFICATION_STATUS_TRACE_REQUIRED);
  } else {
    auto reason = ParseUnavailableReason(flags.no_nhs_number_reason);
    if (!reason.ok()) return FlagError("no-nhs-number-reason", reason.status());
    patient.set_nhs_number_unavailable_reason(*reason);
  }
  patient.set_given_name(flags.given_name);
  patient.set_family_name(flags.family_name);
  if (!flags.birth_date.empty()) {
    auto date = ParseDate(flags.birth_date);
    if (!date.ok()) return FlagError("birth-date", date.status());
    *patient.mutable_birth_date() = *date;
  }
  if (!flags.postcode.empty() || !flags.address_lines.empty()) {
    for (const std::string& line : flags.address_lines) patient.mutable_address()->add_lines(line);
    patient.mutable_address()->set_postcode(flags.postcode);
  }
  patient.set_registered_practice_code(flags.practice);
  if (!flags.phone.empty()) patient.mutable_contact()->set_phone(flags.phone);

  v1::Referrer& referrer = *referral.mutable_referrer();
  if (!flags.source.empty()) {
    auto source = ParseSourceType(flags.source);
    if (!source.ok()) return FlagError("source", source.status());
    referrer.set_source_type(*source);
  }
  referrer.set_organisation_code(flags.organisation);
  referrer.set_organisation_name(flags.organisation_name);
  referrer.set_practitioner_name(flags.practitioner);
  referrer.set_practitioner_role(flags.practitioner_role);
  referrer.set_callback_phone(flags.callback_phone);

  referral.set_priority(flags.urgent ? v1::PRIORITY_URGENT : v1::PRIORITY_ROUTINE);
  referral.set_priority_reason(flags.urgent_reason);
  for (const std::string& text : flags.reasons) {
    auto reason = ParseReason(text);
    if (!reason.ok()) return FlagError("reason", reason.status());
    *referral.add_reasons() = *std::move(reason);
  }
  referral.set_what_matters_to_me(flags.what_matters);
  referral.mutable_consent()->set_referral_agreed(flags.consent);
  referral.mutable_consent()->set_information_sharing_agreed(flags.consent);
  referral.mutable_consent()->set_obtained_by(flags.consent_by);
  return request;
}

absl::StatusOr<v1::SubmitReferralRequest> ParseReferralJson(absl::string_view json) {
  // Sniff the top level first: it picks the message type, and nlohmann's
  // syntax errors say where (line and column) better than protobuf's.
  nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr,
                                             /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  const bool whole_request =
      doc.contains("referral") || doc.contains("requestId") || doc.contains("request_id");
  v1::SubmitReferralRequest request;
  google::protobuf::Message* target =
      whole_request ? static_cast<google::protobuf::Message*>(&request)
                    : static_cast<google::protobuf::Message*>(request.mutable_referral());
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), target, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(status.message().ToString());
  }
  return request;
}

absl::StatusOr<v1::SubmitReferralRequest> ReadReferralJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::stringstream contents;
  contents << in.rdbuf();
  auto request = ParseReferralJson(contents.str());
  if (!request.ok()) {
    return absl::Status(request.status().code(),
                        absl::StrCat(path, ": ", request.status().message()));
  }
  return request;
}

}  // namespace sprout::client
