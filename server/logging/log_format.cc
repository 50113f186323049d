#include "server/logging/log_format.h"

#include <spdlog/details/log_msg.h>
#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace sprout::logging {
namespace {

std::atomic<bool> json_logs{false};

// A structured line's message, so the JSON formatter can tell it apart.
constexpr char kStructuredMarker[] = "\x1e";

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const absl::Time time = absl::FromChrono(msg.time);
    const std::string when = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
    const spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    const std::string line = JsonLine(when, absl::string_view(level.data(), level.size()),
                                      absl::string_view(msg.payload.data(), msg.payload.size()))
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

nlohmann::json JsonLine(absl::string_view time, absl::string_view level,
                        absl::string_view message) {
  nlohmann::json line;
  line["time"] = std::string(time);
  line["level"] = std::string(level);
  nlohmann::json fields;
  if (absl::ConsumePrefix(&message, kStructuredMarker)) {
    fields = nlohmann::json::parse(message, nullptr, /*allow_exceptions=*/false);
    message = "";
  }
  std::string component = "sproutd";
  if (fields.is_object() && fields.contains("message")) {
    message = fields["message"].get_ref<const std::string&>();
  }
  if (const size_t colon = message.find(": ");
      colon != absl::string_view::npos && colon < 16 &&
      message.substr(0, colon).find(' ') == absl::string_view::npos) {
    component = std::string(message.substr(0, colon));
    message.remove_prefix(colon + 2);
  }
  line["component"] = component;
  line["message"] = std::string(message);
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      if (it.key() != "message") line[it.key()] = it.value();
    }
  }
  return line;
}

absl::Status SetLogFormat(absl::string_view format) {
  if (format == "text") {
    json_logs = false;
    spdlog::set_pattern("%+");
    return absl::OkStatus();
  }
  if (format == "json") {
    json_logs = true;
    spdlog::set_formatter(std::make_unique<JsonFormatter>());
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--log_format=", format, " is not a format; use text or json"));
}

bool JsonLogs() { return json_logs; }

void PrintStartupFailure(absl::string_view message) {
  std::string line = absl::StrCat("sproutd: ", message);
  if (JsonLogs()) {
    const std::string now =
        absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
    line =
        JsonLine(now, "error", line).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::fprintf(stderr, "%s\n", line.c_str());
}

void LogStructured(absl::string_view message, const nlohmann::json& fields) {
  if (!spdlog::should_log(spdlog::level::info)) return;
  if (JsonLogs()) {
    nlohmann::json object = fields;
    object["message"] = std::string(message);
    spdlog::info("{}{}", kStructuredMarker,
                 object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  std::string text(message);
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    absl::StrAppend(
        &text, " ", it.key(), "=",
        it.value().is_string() ? it.value().get_ref<const std::string&>() : it.value().dump());
  }
  spdlog::info("{}", text);
}

}  // namespace sprout::logging
