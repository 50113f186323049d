#include "server/intake/code_maps.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/text_proto.h"
#include "snomed/sctid.h"
#include "snomed/search.h"

namespace sprout::intake {
namespace {

bool IsSystemName(absl::string_view s) {
  if (s.empty() || s.size() > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<uint64_t> ConfiguredTarget(absl::string_view code,
                                          const snomed::Terminology& terminology) {
  absl::StatusOr<uint64_t> id = snomed::ParseSctid(code, snomed::kConceptPartitions);
  if (!id.ok()) return id.status();
  if (!terminology.Exists(*id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("target ", *id, " is not in the loaded SNOMED CT release"));
  }
  if (!terminology.IsActive(*id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target ", *id, " is inactive in the loaded SNOMED CT release; map to its replacement"));
  }
  return *id;
}

absl::StatusOr<sprout::config::v1::CodeMap> CodeMaps::ParseText(absl::string_view text,
                                                                absl::string_view origin) {
  sprout::config::v1::CodeMap map;
  absl::Status parsed = ParseTextProto(text, origin, &map);
  if (!parsed.ok()) return parsed;
  return map;
}

absl::StatusOr<std::shared_ptr<const CodeMaps>> CodeMaps::LoadDirectory(
    const std::string& dir, const snomed::Terminology& terminology) {
  absl::StatusOr<std::vector<TextProtoFile>> files = ReadTextProtoDirectory(dir, "code map");
  if (!files.ok()) return files.status();
  std::vector<CodeMapSource> sources;
  for (const TextProtoFile& file : *files) {
    absl::StatusOr<sprout::config::v1::CodeMap> map = ParseText(file.contents, file.path);
    if (!map.ok()) return map.status();
    sources.push_back(CodeMapSource{file.path, *std::move(map)});
  }
  return Build(sources, terminology);
}

absl::StatusOr<std::shared_ptr<const CodeMaps>> CodeMaps::Build(
    const std::vector<CodeMapSource>& sources, const snomed::Terminology& terminology) {
  std::shared_ptr<CodeMaps> maps(new CodeMaps());
  for (const CodeMapSource& source : sources) {
    const sprout::config::v1::CodeMap& in = source.map;
    auto fail = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(source.origin, ": ", what));
    };
    if (in.system().empty()) return fail("system is missing");
    if (!IsSystemName(in.system())) {
      return fail(absl::StrCat("system \"", in.system(),
                               "\" must be lower-case letters, digits and hyphens (at most 64)"));
    }
    if (in.version().empty()) return fail("version is missing");
    if (maps->maps_.contains(in.system())) {
      return fail(absl::StrCat("system \"", in.system(), "\" is already defined by ",
                               maps->maps_[in.system()]->origin));
    }
    auto map = std::make_unique<Map>();
    map->system = in.system();
    map->version = in.version();
    map->title = in.title();
    map->origin = source.origin;
    for (int i = 0; i < in.entries_size(); ++i) {
      const sprout::config::v1::CodeMapEntry& e = in.entries(i);
      std::string where = absl::StrCat("entry ", i + 1, " (code \"", e.code(), "\")");
      if (e.code().empty()) return fail(absl::StrCat("entry ", i + 1, ": code is missing"));
      if (map->entries.contains(e.code())) return fail(absl::StrCat(where, ": code is repeated"));
      absl::StatusOr<uint64_t> id = ConfiguredTarget(e.snomed_code(), terminology);
      if (!id.ok()) return fail(absl::StrCat(where, ": ", id.status().message()));
      Entry entry;
      entry.code = e.code();
      entry.display = e.display();
      entry.concept_id = *id;
      entry.note = e.note();
      entry.map = map.get();
      map->entries.emplace(e.code(), std::move(entry));
    }
    maps->maps_.emplace(in.system(), std::move(map));
  }
  return std::shared_ptr<const CodeMaps>(std::move(maps));
}

std::shared_ptr<const CodeMaps> CodeMaps::Empty() {
  static const auto* empty = new std::shared_ptr<const CodeMaps>(new CodeMaps());
  return *empty;
}

const CodeMaps::Map* CodeMaps::FindSystem(absl::string_view system) const {
  auto it = maps_.find(system);
  return it == maps_.end() ? nullptr : it->second.get();
}

const CodeMaps::Entry* CodeMaps::Find(absl::string_view system, absl::string_view code) const {
  const Map* map = FindSystem(system);
  if (map == nullptr) return nullptr;
  auto it = map->entries.find(code);
  return it == map->entries.end() ? nullptr : &it->second;
}

std::vector<const CodeMaps::Entry*> CodeMaps::EntriesMatching(absl::string_view query) const {
  std::vector<const Entry*> out;
  for (const auto& [system, map] : maps_) {
    for (const auto& [code, entry] : map->entries) {
      if (snomed::MatchesWordPrefixes(query, entry.display)) out.push_back(&entry);
    }
  }
  std::sort(out.begin(), out.end(), [](const Entry* a, const Entry* b) {
    return a->map->system != b->map->system ? a->map->system < b->map->system : a->code < b->code;
  });
  return out;
}

std::vector<std::string> CodeMaps::systems() const {
  std::vector<std::string> out;
  for (const auto& [system, map] : maps_) out.push_back(system);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sprout::intake
