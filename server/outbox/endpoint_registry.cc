#include "server/outbox/endpoint_registry.h"

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace sprout::outbox {

absl::StatusOr<Endpoint> ParseEndpoint(absl::string_view url) {
  Endpoint endpoint;
  endpoint.url = std::string(url);
  absl::string_view rest = url;
  if (!absl::ConsumePrefix(&rest, "https://")) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", url, "\" is not an https:// URL (outcome messages carry patient data)"));
  }
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  endpoint.path = slash == absl::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (absl::StrContains(authority, '@')) {
    return absl::InvalidArgumentError(absl::StrCat("\"", url, "\" has user information"));
  }
  const size_t colon = authority.rfind(':');
  if (colon != absl::string_view::npos) {
    int port = 0;
    if (!absl::SimpleAtoi(authority.substr(colon + 1), &port) || port < 1 || port > 65535) {
      return absl::InvalidArgumentError(absl::StrCat("\"", url, "\" has a bad port"));
    }
    endpoint.port = port;
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("\"", url, "\" has no host"));
  }
  endpoint.host = std::string(authority);
  if (absl::StrContains(endpoint.path, '?') || absl::StrContains(endpoint.path, '#')) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", url, "\" has a query or fragment; give the path only"));
  }
  return endpoint;
}

absl::StatusOr<EndpointRegistry> EndpointRegistry::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

absl::StatusOr<EndpointRegistry> EndpointRegistry::Parse(absl::string_view text,
                                                         absl::string_view source) {
  EndpointRegistry registry;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    const size_t hash = line.find('#');
    if (hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    auto fail = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(source, ":", line_number, ": ", what));
    };
    std::vector<absl::string_view> fields = absl::StrSplit(line, ',');
    if (fields.size() != 2) return fail("expected \"organisation_code,https://host/path\"");
    const std::string code(absl::StripAsciiWhitespace(fields[0]));
    if (code.empty()) return fail("no organisation code");
    absl::StatusOr<Endpoint> endpoint = ParseEndpoint(absl::StripAsciiWhitespace(fields[1]));
    if (!endpoint.ok()) return fail(endpoint.status().message());
    if (!registry.endpoints_.emplace(code, *std::move(endpoint)).second) {
      return fail(absl::StrCat("organisation ", code, " is registered twice"));
    }
  }
  return registry;
}

std::optional<Endpoint> EndpointRegistry::Find(absl::string_view organisation_code) const {
  auto it = endpoints_.find(organisation_code);
  if (it == endpoints_.end()) return std::nullopt;
  return it->second;
}

}  // namespace sprout::outbox
