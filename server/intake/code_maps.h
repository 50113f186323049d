// File: server/intake/code_maps.h
//
// CodeMaps: the agency local code maps (sprout.config.v1.CodeMap, one per
// agency code system), loaded from protobuf text files and validated against
// the loaded SNOMED CT release at start-up (STYLE.md F3, E7).
//
//   SPROUT_ASSIGN_OR_RETURN(std::shared_ptr<const CodeMaps> maps,
//                           CodeMaps::LoadDirectory("deploy/demo/codemaps", *terminology));
//   if (const CodeMaps::Entry* e = maps->Find("police-vulnerability", "PV-ISOL")) {
//     uint64_t concept = e->concept_id;            // 422650009
//     const std::string& version = e->map->version;
//   }
//
// Immutable after construction: thread-safe, shared as
// std::shared_ptr<const CodeMaps>. A map is validated against one release;
// when the terminology is reloaded, load the maps again against the new one.
#ifndef SPROUT_SERVER_INTAKE_CODE_MAPS_H_
#define SPROUT_SERVER_INTAKE_CODE_MAPS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "snomed/terminology.h"
#include "sprout/config/v1/code_map.pb.h"

namespace sprout::intake {

// ConfiguredTarget()
//
// The concept a configuration file (a code map, a lexicon) names as a
// target: `code` must be a valid concept SCTID, present and active in
// `terminology`. INVALID_ARGUMENT otherwise, saying which ("target 123 is
// inactive in the loaded SNOMED CT release; map to its replacement").
absl::StatusOr<uint64_t> ConfiguredTarget(absl::string_view code,
                                          const snomed::Terminology& terminology);

// A parsed map and where it came from (a file name, for messages).
struct CodeMapSource {
  std::string origin;
  sprout::config::v1::CodeMap map;
};

class CodeMaps {
 public:
  struct Map;
  // One local code, resolved.
  struct Entry {
    std::string code;
    std::string display;  // the agency's term
    uint64_t concept_id = 0;
    std::string note;
    const Map* map = nullptr;  // the map it belongs to; lives as long as the CodeMaps
  };
  // One code system's map.
  struct Map {
    std::string system;
    std::string version;
    std::string title;
    std::string origin;  // file it was loaded from
    absl::flat_hash_map<std::string, Entry> entries;
  };

  // LoadDirectory()
  //
  // Parses every "*.textproto" file directly in `dir` (in name order) as a
  // CodeMap and validates them all (see Build). Returns NOT_FOUND if `dir`
  // cannot be read, INVALID_ARGUMENT "<file>:<line>:<column>: <parser message>"
  // for a syntax error, or Build's error. A directory with no map files gives
  // an empty CodeMaps.
  static absl::StatusOr<std::shared_ptr<const CodeMaps>> LoadDirectory(
      const std::string& dir, const snomed::Terminology& terminology);

  // ParseText()
  //
  // Parses one map in protobuf text format. `origin` prefixes error messages.
  static absl::StatusOr<sprout::config::v1::CodeMap> ParseText(absl::string_view text,
                                                               absl::string_view origin);

  // Build()
  //
  // Validates `maps` and builds the lookup. INVALID_ARGUMENT naming the origin
  // (and the entry, 1-based, with its code) for the first problem found:
  // system missing or not lower-case letters, digits and hyphens; system used
  // by two maps; version missing; entry code missing or repeated; target not
  // a valid concept SCTID, not in `terminology`, or inactive.
  static absl::StatusOr<std::shared_ptr<const CodeMaps>> Build(
      const std::vector<CodeMapSource>& maps, const snomed::Terminology& terminology);

  // An empty set of maps (every local code is unknown).
  static std::shared_ptr<const CodeMaps> Empty();

  // FindSystem()
  //
  // The map for `system`, or null if there is none.
  const Map* FindSystem(absl::string_view system) const;

  // Find()
  //
  // The entry for `code` in `system`'s map, or null if either is unknown.
  const Entry* Find(absl::string_view system, absl::string_view code) const;

  // EntriesMatching()
  //
  // The entries whose display (the agency's own term) matches `query` word
  // by word as a SNOMED search does (snomed::MatchesWordPrefixes), by system
  // then code: the deployment's related terms for concepts, e.g. "debt"
  // finds a job centre's "Debt or money problems" mapped to 160932005.
  std::vector<const Entry*> EntriesMatching(absl::string_view query) const;

  // The code systems, sorted.
  std::vector<std::string> systems() const;
  size_t size() const { return maps_.size(); }

  CodeMaps(const CodeMaps&) = delete;
  CodeMaps& operator=(const CodeMaps&) = delete;

 private:
  CodeMaps() = default;
  // Maps by system; node-stable so Entry::map pointers stay valid.
  absl::flat_hash_map<std::string, std::unique_ptr<Map>> maps_;
};

}  // namespace sprout::intake

#endif  // SPROUT_SERVER_INTAKE_CODE_MAPS_H_
