#include "server/store/data_keys.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/private_files.h"
#include "base/read_file.h"

namespace sprout::store {
namespace {

bool IsValidKeyId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxDataKeyIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

bool IsHex(absl::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); });
}

std::string RandomSecret() {
  std::string secret(kDataKeyBytes, '\0');
  // RAND_bytes fails only when the system's entropy source does; a key
  // made of anything else would be worse than stopping.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), kDataKeyBytes) != 1) {
    std::fprintf(stderr, "sprout: the system random source failed; no data key made\n");
    std::abort();
  }
  return secret;
}

}  // namespace

absl::StatusOr<DataKeyRing> DataKeyRing::Parse(absl::string_view text) {
  std::vector<DataKey> keys;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line_number, ": expected \"<key id> <", 2 * kDataKeyBytes, " hex digits>\""));
    }
    if (!IsValidKeyId(fields[0])) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_number, ": a key id is 1 to ",
                                                     kMaxDataKeyIdLength,
                                                     " letters, digits, '_' or '-'"));
    }
    if (fields[1].size() != 2 * kDataKeyBytes || !IsHex(fields[1])) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_number, ": key '", fields[0],
                                                     "' must be ", 2 * kDataKeyBytes,
                                                     " hex digits (", kDataKeyBytes, " bytes)"));
    }
    for (const DataKey& seen : keys) {
      if (seen.id == fields[0]) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_number, ": key id '", fields[0], "' appears twice"));
      }
    }
    keys.push_back(DataKey{std::string(fields[0]), absl::HexStringToBytes(fields[1])});
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError("holds no key; make one with `sprout-keys new <file>`");
  }
  return DataKeyRing(std::move(keys));
}

absl::StatusOr<DataKeyRing> DataKeyRing::ReadFile(const std::string& label,
                                                  const std::string& path) {
  absl::Status private_file = CheckKeyFilePrivate(label, path);
  if (!private_file.ok()) return private_file;
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat(label, ": ", text.status().message(),
                                     " (make a data key file with `sprout-keys new ", path, "`)"));
  }
  absl::StatusOr<DataKeyRing> ring = Parse(*text);
  if (!ring.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(label, ": ", path, ": ", ring.status().message()));
  }
  return ring;
}

DataKeyRing DataKeyRing::Generate() { return DataKeyRing({DataKey{"k1", RandomSecret()}}); }

DataKeyRing DataKeyRing::WithNewWriteKey() const {
  int64_t largest = 0;
  for (const DataKey& key : keys_) {
    int64_t n = 0;
    absl::string_view id = key.id;
    if (absl::ConsumePrefix(&id, "k") && absl::SimpleAtoi(id, &n)) largest = std::max(largest, n);
  }
  std::vector<DataKey> keys = keys_;
  std::string id = absl::StrCat("k", largest + 1);
  // A hand-named key could already hold the id; keep ids distinct.
  while (Find(id) != nullptr) id = absl::StrCat("k", ++largest + 1);
  keys.push_back(DataKey{std::move(id), RandomSecret()});
  return DataKeyRing(std::move(keys));
}

absl::StatusOr<DataKeyRing> DataKeyRing::Without(absl::string_view id) const {
  if (Find(id) == nullptr) return absl::NotFoundError(absl::StrCat("no key '", id, "'"));
  if (write_key().id == id) {
    return absl::FailedPreconditionError(absl::StrCat(
        "'", id, "' is the write key; add a new key and re-encrypt before retiring it"));
  }
  std::vector<DataKey> keys;
  for (const DataKey& key : keys_) {
    if (key.id != id) keys.push_back(key);
  }
  return DataKeyRing(std::move(keys));
}

std::string DataKeyRing::Format() const {
  std::string out =
      "# Sprout data keys: they encrypt patient data at rest. One per line,\n"
      "# \"<key id> <64 hex digits>\"; the last line is the write key. Keep this\n"
      "# file secret (mode 0600) and backed up: without it the data cannot be read.\n";
  for (const DataKey& key : keys_) {
    absl::StrAppend(&out, key.id, " ", absl::BytesToHexString(key.secret), "\n");
  }
  return out;
}

absl::Status DataKeyRing::WriteFile(const std::string& path, bool replace) const {
  if (!replace && ::access(path.c_str(), F_OK) == 0) {
    return absl::AlreadyExistsError(absl::StrCat(path, " already exists; `sprout-keys rotate ",
                                                 path, "` adds a new write key to it"));
  }
  const std::string temporary = path + ".new";
  ::unlink(temporary.c_str());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("cannot create ", temporary, ": ", strerror(errno)));
  }
  const std::string text = Format();
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = written && ::fsync(fd) == 0;
  const int saved_errno = errno;
  ::close(fd);
  if (!synced) {
    ::unlink(temporary.c_str());
    return absl::InternalError(
        absl::StrCat("cannot write ", temporary, ": ", strerror(saved_errno)));
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    ::unlink(temporary.c_str());
    return absl::InternalError(absl::StrCat("cannot replace ", path, ": ", strerror(rename_errno)));
  }
  return absl::OkStatus();
}

const DataKey* DataKeyRing::Find(absl::string_view id) const {
  for (const DataKey& key : keys_) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

}  // namespace sprout::store
