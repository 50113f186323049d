#include "base/text_proto.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace sprout {
namespace {

// Keeps the first error, 1-based, prefixed with the origin.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  explicit FirstErrorCollector(absl::string_view origin) : origin_(origin) {}
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty())
      first_ = absl::StrCat(origin_, ":", line + 1, ":", column + 1, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string origin_;
  std::string first_;
};

}  // namespace

absl::Status ParseTextProto(absl::string_view text, absl::string_view origin,
                            google::protobuf::Message* out) {
  out->Clear();
  FirstErrorCollector errors(origin);
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  if (!parser.Parse(&input, out)) {
    return absl::InvalidArgumentError(
        errors.first().empty() ? absl::StrCat(origin, ":1:1: not a valid ", out->GetTypeName())
                               : errors.first());
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TextProtoFile>> ReadTextProtoDirectory(const std::string& dir,
                                                                  absl::string_view what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> paths;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    if (it->is_regular_file(ec) && absl::EndsWith(p.filename().string(), ".textproto")) {
      paths.push_back(p.string());
    }
  }
  if (ec) return absl::NotFoundError(absl::StrCat(what, " directory ", dir, ": ", ec.message()));
  std::sort(paths.begin(), paths.end());
  std::vector<TextProtoFile> files;
  for (std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (!in.good() && !in.eof()) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
    files.push_back(TextProtoFile{std::move(path), buffer.str()});
  }
  return files;
}

}  // namespace sprout
