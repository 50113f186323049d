// sprout-keys: makes and rotates the data key file that encrypts patient
// data at rest (doc/encryption-at-rest.md). It never prints a key.
//
//   sprout-keys new    <file>           a new key file with one key (k1)
//   sprout-keys rotate <file>           a new write key; the others stay for reading
//   sprout-keys list   <file>           the key ids, the write key last
//   sprout-keys retire <file> <key id>  drop a key no stored value uses any more
//
// After `rotate`, run `sproutctl admin reencrypt`: it has sproutd re-read
// the key file and re-encrypt every older value. With several replicas,
// install the new file on every one and send each SIGHUP first.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "server/store/data_keys.h"

namespace {

using sprout::store::DataKey;
using sprout::store::DataKeyRing;

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "sprout-keys: %s\n", std::string(status.message()).c_str());
  return 1;
}

int Usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s new <file>            make a key file with one new key\n"
               "       %s rotate <file>         add a new write key (older keys stay, to read)\n"
               "       %s list <file>           list the key ids, the write key last\n"
               "       %s retire <file> <id>    remove a key once nothing is sealed with it\n",
               program, program, program, program);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage(argv[0]);
  const std::string command = argv[1];
  const std::string path = argv[2];
  if (command == "new" && argc == 3) {
    const DataKeyRing ring = DataKeyRing::Generate();
    if (absl::Status s = ring.WriteFile(path, /*replace=*/false); !s.ok()) return Fail(s);
    std::printf("%s: new data key file, write key %s\n", path.c_str(), ring.write_key().id.c_str());
    return 0;
  }
  absl::StatusOr<DataKeyRing> ring = DataKeyRing::ReadFile("sprout-keys", path);
  if (!ring.ok()) return Fail(ring.status());
  if (command == "list" && argc == 3) {
    for (const DataKey& key : ring->keys()) {
      std::printf("%s%s\n", key.id.c_str(), &key == &ring->write_key() ? " (write key)" : "");
    }
    return 0;
  }
  if (command == "rotate" && argc == 3) {
    const DataKeyRing next = ring->WithNewWriteKey();
    if (absl::Status s = next.WriteFile(path, /*replace=*/true); !s.ok()) return Fail(s);
    std::printf(
        "%s: write key is now %s (%zu keys). Re-encrypt older values with "
        "`sproutctl --as admin admin reencrypt` (it reloads this file first).\n",
        path.c_str(), next.write_key().id.c_str(), next.keys().size());
    return 0;
  }
  if (command == "retire" && argc == 4) {
    const std::string id = argv[3];
    absl::StatusOr<DataKeyRing> next = ring->Without(id);
    if (!next.ok()) return Fail(next.status());
    if (absl::Status s = next->WriteFile(path, /*replace=*/true); !s.ok()) return Fail(s);
    std::printf("%s: key %s removed (%zu keys left). Reload sproutd.\n", path.c_str(), id.c_str(),
                next->keys().size());
    return 0;
  }
  return Usage(argv[0]);
}
