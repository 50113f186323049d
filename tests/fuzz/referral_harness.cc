#include "tests/fuzz/referral_harness.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "google/protobuf/util/json_util.h"
#include "server/intake/code_maps.h"
#include "server/intake/intake.h"
#include "server/intake/violations.h"
#include "snomed/terminology.h"
#include "sprout/v1/referral.pb.h"

namespace sprout::intake::fuzz {
namespace {

struct Harness {
  std::unique_ptr<FakeClock> clock;
  std::unique_ptr<ReferralIntake> intake;
};

Harness* harness = nullptr;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "referral harness: contract broken: %s\n", what);
  std::abort();
}

void Check(const sprout::v1::Referral& referral) {
  absl::StatusOr<IntakeResult> r = harness->intake->Process(referral);
  if (r.ok()) {
    if (r->referral.service_code().code() != "871731000000106") Fail("service code missing");
    // Each reason gives one coded reason, or one per need a free text names
    // (at most 5), in order, each keeping the reason as given.
    int next = 0;
    for (const sprout::v1::CodedReason& coded : r->referral.coded_reasons()) {
      const std::string original = coded.original().SerializeAsString();
      if (next < referral.reasons_size() &&
          original == referral.reasons(next).SerializeAsString()) {
        ++next;
      } else if (next == 0 || original != referral.reasons(next - 1).SerializeAsString()) {
        Fail("coded reason out of order or not from an input reason");
      }
    }
    if (next != referral.reasons_size()) Fail("coded reason missing");
    if (r->referral.coded_reasons_size() > 5 * referral.reasons_size()) {
      Fail("a free text split into more than 5 needs");
    }
    if (r->person_match_key.empty()) Fail("empty person match key");
    return;
  }
  if (r.status().code() != absl::StatusCode::kInvalidArgument) Fail("not INVALID_ARGUMENT");
  std::optional<google::rpc::BadRequest> br = GetBadRequest(r.status());
  if (!br.has_value() || br->field_violations_size() == 0) Fail("no BadRequest");
  for (const auto& v : br->field_violations()) {
    if (v.field().rfind("referral", 0) != 0) Fail("field path not rooted at referral");
    if (v.description().empty()) Fail("empty description");
  }
  if (!GetErrorInfo(r.status()).has_value()) Fail("no ErrorInfo");
}

}  // namespace

bool InitReferralHarness(const std::string& source_dir, std::string* error) {
  if (harness != nullptr) return true;
  snomed::LoadOptions options;
  options.release_dirs = {source_dir + "/snomed/data/starter"};
  auto terminology = snomed::Terminology::Load(options);
  if (!terminology.ok()) {
    *error = std::string(terminology.status().message());
    return false;
  }
  auto maps = CodeMaps::LoadDirectory(source_dir + "/deploy/demo/codemaps", **terminology);
  if (!maps.ok()) {
    *error = std::string(maps.status().message());
    return false;
  }
  auto h = std::make_unique<Harness>();
  h->clock = std::make_unique<FakeClock>(
      absl::FromCivil(absl::CivilSecond(2026, 11, 21, 10, 0, 0), absl::UTCTimeZone()));
  auto intake = ReferralIntake::Create(*terminology, *maps, h->clock.get(), IntakeOptions());
  if (!intake.ok()) {
    *error = std::string(intake.status().message());
    return false;
  }
  h->intake = *std::move(intake);
  harness = h.release();
  return true;
}

void RunReferralInput(const uint8_t* data, size_t size) {
  sprout::v1::Referral binary;
  if (binary.ParseFromArray(data, static_cast<int>(size))) Check(binary);
  sprout::v1::Referral json;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  std::string text(reinterpret_cast<const char*>(data), size);
  if (google::protobuf::util::JsonStringToMessage(text, &json, options).ok()) Check(json);
}

}  // namespace sprout::intake::fuzz
