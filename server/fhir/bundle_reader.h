// File: server/fhir/bundle_reader.h
//
// The reader behind ReadReferralMessage (message_bundle.h), shared by its two
// halves: message_bundle.cc reads the message (Bundle, MessageHeader,
// ServiceRequest, reasons) and message_parties.cc the people and
// organisations in it (Patient, requester, Organization, Consent, Flag).
// Internal to server/fhir/.
#ifndef SPROUT_SERVER_FHIR_BUNDLE_READER_H_
#define SPROUT_SERVER_FHIR_BUNDLE_READER_H_

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "nlohmann/json.hpp"
#include "server/fhir/message_bundle.h"

namespace sprout::fhir::internal {

using nlohmann::json;
using sprout::v1::Referral;

struct Entry {
  const json* resource = nullptr;
  std::string path;  // "Bundle.entry[3].resource"
  std::string type;  // resourceType
};

class Reader {
 public:
  explicit Reader(const json& bundle) : bundle_(bundle) {}

  ReadResult Read();

 private:
  void Issue(std::string code, std::string expression, std::string diagnostics) {
    issues_.push_back({std::move(code), std::move(expression), std::move(diagnostics)});
  }
  // The member `key` of `object` when it is a string; nullopt when absent
  // (and an issue when present but not a string).
  std::optional<std::string> String(const json& object, const char* key, const std::string& path);
  // The member `key` when it is an array (empty when absent; an issue when
  // present but not an array).
  const json& Array(const json& object, const char* key, const std::string& path);
  const json* Object(const json& object, const char* key, const std::string& path);
  // The entry a reference names ("Patient/p1" or a fullUrl), with an issue at
  // `path` when it names none or one of another type than `want`.
  const Entry* Resolve(const json& reference_holder, const std::string& path,
                       std::initializer_list<absl::string_view> want);
  std::optional<google::protobuf::Timestamp> DateTime(const std::string& text,
                                                      const std::string& path);
  std::optional<sprout::v1::Date> Date(const std::string& text, const std::string& path);

  void IndexEntries();
  void ReadHeader(const Entry& header);
  void ReadServiceRequest(const Entry& request);
  void ReadCancellation(const Entry& request);
  void ReadReasons(const Entry& request);
  void ReadPatient(const Entry& patient);
  void ReadRequester(const Entry& requester);
  void ReadOrganisation(const Entry& organisation);
  void ReadTelecom(const json& resource, const std::string& path, std::string* phone,
                   std::string* email, const std::string& phone_field,
                   const std::string& email_field);
  void ReadConsentsAndFlags();

  const json& bundle_;
  std::vector<FhirIssue> issues_;
  std::vector<Entry> entries_;
  ReferralMessage message_;
  Referral& referral_ = message_.referral;
  FieldOrigins& origins_ = message_.origins;
  const Entry* service_request_ = nullptr;
};

// An empty JSON array, for members that are absent.
const json& EmptyArray();

}  // namespace sprout::fhir::internal

#endif  // SPROUT_SERVER_FHIR_BUNDLE_READER_H_
