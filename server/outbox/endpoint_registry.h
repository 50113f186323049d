// File: server/outbox/endpoint_registry.h
//
// Where each referring organisation takes its outcome messages: the
// message-back endpoint it registered (BaRS resolves a sender's endpoint
// through the Endpoint Catalogue; Sprout reads the same facts from a file,
// --message_back_endpoints). Only the submitting organisation's own
// registration is used, never an address sent in a referral, so a sender
// cannot make Sprout post patient data somewhere else.
//
// The file: one "organisation_code,url" per line, '#' starts a comment, blank
// lines ignored; the URL is https://host[:port]/path (the path is where the
// Bundle is POSTed, e.g. /FHIR/R4/$process-message).
#ifndef SPROUT_SERVER_OUTBOX_ENDPOINT_REGISTRY_H_
#define SPROUT_SERVER_OUTBOX_ENDPOINT_REGISTRY_H_

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sprout::outbox {

// A parsed https URL.
struct Endpoint {
  std::string url;  // as registered
  std::string host;
  int port = 443;
  std::string path;  // starts with '/'
};

// INVALID_ARGUMENT, saying what is wrong, unless `url` is
// https://host[:port]/path with a port in 1..65535.
absl::StatusOr<Endpoint> ParseEndpoint(absl::string_view url);

// Immutable once loaded; thread-safe to read.
class EndpointRegistry {
 public:
  EndpointRegistry() = default;  // empty: nobody registered

  // Reads `path`. INVALID_ARGUMENT naming the file and line of the first bad
  // entry (a malformed line, a bad URL, an organisation listed twice);
  // NOT_FOUND when the file cannot be read.
  static absl::StatusOr<EndpointRegistry> Load(const std::string& path);
  // Parses the file's text; `source` names it in errors.
  static absl::StatusOr<EndpointRegistry> Parse(absl::string_view text, absl::string_view source);

  // The organisation's endpoint, if it registered one.
  std::optional<Endpoint> Find(absl::string_view organisation_code) const;
  size_t size() const { return endpoints_.size(); }

 private:
  absl::flat_hash_map<std::string, Endpoint> endpoints_;
};

}  // namespace sprout::outbox

#endif  // SPROUT_SERVER_OUTBOX_ENDPOINT_REGISTRY_H_
