#include "server/intake/bindings.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/read_file.h"
#include "base/text_proto.h"
#include "snomed/ecl.h"
#include "snomed/sctid.h"
#include "sprout/config/v1/bindings.pb.h"

namespace sprout::intake {
namespace {

absl::Status FieldError(absl::string_view origin, absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(origin, ": ", field, ": ", what));
}

absl::Status CheckEcl(absl::string_view origin, absl::string_view field, const std::string& text) {
  if (text.empty()) return FieldError(origin, field, "is required (an ECL expression)");
  absl::StatusOr<snomed::Ecl> ecl = snomed::Ecl::Parse(text);
  if (!ecl.ok()) return FieldError(origin, field, ecl.status().message());
  return absl::OkStatus();
}

absl::Status CheckEclConcepts(absl::string_view origin, absl::string_view field,
                              const std::string& text, const snomed::Terminology& t) {
  absl::StatusOr<snomed::Ecl> ecl = snomed::Ecl::Parse(text);
  if (!ecl.ok()) return FieldError(origin, field, ecl.status().message());
  std::vector<uint64_t> unknown = ecl->UnknownConcepts(t);
  if (unknown.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      origin, ": ", field, ": names concepts not in the release ", t.release().identity, ": ",
      absl::StrJoin(unknown, ", "), "; write bindings for the concepts this release holds"));
}

}  // namespace

absl::StatusOr<Bindings> ParseBindings(absl::string_view text, absl::string_view origin) {
  sprout::config::v1::Bindings proto;
  absl::Status parsed = ParseTextProto(text, origin, &proto);
  if (!parsed.ok()) return parsed;
  if (proto.name().empty()) return FieldError(origin, "name", "is required");
  if (proto.version().empty()) return FieldError(origin, "version", "is required");
  absl::Status s = CheckEcl(origin, "reason_ecl", proto.reason_ecl());
  if (s.ok()) s = CheckEcl(origin, "referral_source_ecl", proto.referral_source_ecl());
  if (s.ok() && !proto.free_text_auto_code_ecl().empty()) {
    s = CheckEcl(origin, "free_text_auto_code_ecl", proto.free_text_auto_code_ecl());
  }
  if (!s.ok()) return s;
  absl::StatusOr<uint64_t> service =
      snomed::ParseSctid(proto.service_code(), snomed::kConceptPartitions);
  if (!service.ok()) return FieldError(origin, "service_code", service.status().message());
  Bindings b;
  b.name = proto.name();
  b.version = proto.version();
  b.reason_ecl = proto.reason_ecl();
  b.referral_source_ecl = proto.referral_source_ecl();
  b.service_code = *service;
  b.free_text_auto_code_ecl = proto.free_text_auto_code_ecl();
  return b;
}

absl::Status CheckBindings(const Bindings& b, const snomed::Terminology& terminology,
                           absl::string_view origin) {
  absl::Status s = CheckEclConcepts(origin, "reason_ecl", b.reason_ecl, terminology);
  if (s.ok()) {
    s = CheckEclConcepts(origin, "referral_source_ecl", b.referral_source_ecl, terminology);
  }
  if (s.ok() && !b.free_text_auto_code_ecl.empty()) {
    s = CheckEclConcepts(origin, "free_text_auto_code_ecl", b.free_text_auto_code_ecl, terminology);
  }
  if (!s.ok()) return s;
  if (!terminology.IsActive(b.service_code)) {
    return absl::FailedPreconditionError(absl::StrCat(origin, ": service_code: ", b.service_code,
                                                      " is not an active concept in the release ",
                                                      terminology.release().identity));
  }
  return absl::OkStatus();
}

absl::StatusOr<Bindings> LoadBindings(const std::string& path,
                                      const snomed::Terminology& terminology) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<Bindings> b = ParseBindings(*text, path);
  if (!b.ok()) return b.status();
  absl::Status checked = CheckBindings(*b, terminology, path);
  if (!checked.ok()) return checked;
  return b;
}

void ApplyBindings(const Bindings& b, IntakeOptions* options) {
  options->coder.reason_binding_ecl = b.reason_ecl;
  options->coder.auto_code_ecl = b.free_text_auto_code_ecl;
  options->referral_source_ecl = b.referral_source_ecl;
  options->service_code = b.service_code;
}

}  // namespace sprout::intake
