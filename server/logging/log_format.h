// How sproutd's log lines are written: as text (the default) or, with
// --log_format=json, one JSON object per line with time, level, component
// and message, plus any fields a structured line carries (the access log's
// method, code, latency, caller and resource).
//
// Contract for every log line, text or JSON: no patient data (ADR 0003).
#ifndef SPROUT_SERVER_LOGGING_LOG_FORMAT_H_
#define SPROUT_SERVER_LOGGING_LOG_FORMAT_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace sprout::logging {

// Sets the default logger's format: "text" or "json". INVALID_ARGUMENT
// naming the accepted values otherwise.
absl::Status SetLogFormat(absl::string_view format);

// Whether lines are JSON (after SetLogFormat("json")).
bool JsonLogs();

// Logs one structured line at info: `fields` become fields of the JSON
// object, or follow `message` as key=value pairs in text.
void LogStructured(absl::string_view message, const nlohmann::json& fields);

// Writes the one line that says why sproutd stops at start-up to standard
// error, in the format set: "sproutd: <message>", or a JSON line at level
// "error" with component "sproutd".
void PrintStartupFailure(absl::string_view message);

// The JSON object for one line (exposed for tests): "time" (RFC 3339, UTC,
// milliseconds), "level", "component" (the message's "name: " prefix, e.g.
// "sproutd" or "grpc"; else "sproutd") and "message" (without the prefix).
// A message that is a JSON object (from LogStructured) is merged in.
nlohmann::json JsonLine(absl::string_view time, absl::string_view level, absl::string_view message);

}  // namespace sprout::logging

#endif  // SPROUT_SERVER_LOGGING_LOG_FORMAT_H_
