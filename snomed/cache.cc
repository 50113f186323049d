#include "snomed/cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <thread>
#include <type_traits>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "snomed/build.h"

namespace sprout::snomed {
namespace {

constexpr char kMagic[16] = {'S', 'P', 'R', 'O', 'U', 'T', 'S', 'N',
                             'O', 'M', 'E', 'D', 'C', 'A', 'C', 'H'};
constexpr size_t kHeaderSize = 16 + 4 + 4 + 8 + 8 + 8;

// Applies `v` to every array of `d`, in the fixed on-disk order.
template <typename D, typename V>
void VisitArrays(D& d, V& v) {
  v(d.release_identity);
  v(d.release_date);
  v(d.concept_ids);
  v(d.concept_modules);
  v(d.concept_times);
  v(d.concept_flags);
  for (auto* csr : {&d.parents, &d.children, &d.ancestors, &d.descendants}) {
    v(csr->offsets);
    v(csr->values);
  }
  v(d.rels_out.offsets);
  v(d.rels_out.values);
  v(d.rels_in.offsets);
  v(d.rels_in.values);
  v(d.concrete_out.offsets);
  v(d.concrete_out.values);
  v(d.concrete_text);
  v(d.alternate_ids);
  v(d.alternate_id_text);
  v(d.description_offsets);
  v(d.descriptions);
  v(d.terms);
  v(d.language_refsets);
  v(d.language.offsets);
  v(d.language.values);
  v(d.preferred_term);
  v(d.preferred_term_source);
  v(d.fsn);
  v(d.modules);
  v(d.module_ids);
  v(d.refset_ids);
  v(d.refset_members.offsets);
  v(d.refset_members.values);
  v(d.refset_rows.offsets);
  v(d.refset_rows.values);
  v(d.history);
  v(d.inactivation);
  v(d.map_refsets);
  v(d.maps);
  v(d.map_strings);
  v(d.word_offsets);
  v(d.word_text);
  v(d.postings.offsets);
  v(d.postings.values);
}

uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// Streaming form of Checksum64: four 64-bit lanes over 32-byte blocks.
class Checksummer {
 public:
  void Update(const char* data, size_t size) {
    size_ += size;
    if (pending_ > 0) {
      size_t take = std::min(size, 32 - pending_);
      memcpy(buf_ + pending_, data, take);
      pending_ += take;
      data += take;
      size -= take;
      if (pending_ < 32) return;
      Block(buf_);
      pending_ = 0;
    }
    for (; size >= 32; data += 32, size -= 32) Block(data);
    memcpy(buf_, data, size);
    pending_ = size;
  }
  uint64_t Finish() const {
    uint64_t tail = 0;
    for (size_t k = 0; k < pending_; ++k) {
      tail |= uint64_t{static_cast<uint8_t>(buf_[k])} << (8 * (k % 8));
    }
    return Mix(h_[0] ^ Mix(h_[1] + 1) ^ Mix(h_[2] + 2) ^ Mix(h_[3] + 3) ^ Mix(tail ^ size_));
  }

 private:
  void Block(const char* p) {
    for (int l = 0; l < 4; ++l) {
      uint64_t w;
      memcpy(&w, p + 8 * l, 8);
      h_[l] = (h_[l] ^ w) * 0x9E3779B97F4A7C15ULL;
      h_[l] ^= h_[l] >> 29;
    }
  }
  uint64_t h_[4] = {0x9E3779B97F4A7C15ULL, 0xC2B2AE3D27D4EB4FULL, 0x165667B19E3779F9ULL,
                    0x27D4EB2F165667C5ULL};
  char buf_[32];
  size_t pending_ = 0;
  uint64_t size_ = 0;
};

struct SizeVisitor {
  size_t bytes = 0;
  template <typename C>
  void operator()(const C& c) {
    bytes += 16 + ((c.size() * sizeof(c[0]) + 7) & ~size_t{7});
  }
};

// First pass: the chained checksum. Second pass: [u64 length][u64 checksum]
// [bytes][padding] per array, written straight from the arrays.
struct ChecksumVisitor {
  uint64_t all = 0;
  std::vector<uint64_t> sums;
  template <typename C>
  void operator()(const C& c) {
    uint64_t n = c.size() * sizeof(c[0]);
    uint64_t sum = Checksum64(n > 0 ? reinterpret_cast<const char*>(c.data()) : "", n);
    sums.push_back(sum);
    all = Mix(all ^ sum) + n;
  }
};

struct WriteVisitor {
  FILE* f;
  const std::vector<uint64_t>* sums;
  size_t next = 0;
  bool ok = true;
  template <typename C>
  void operator()(const C& c) {
    uint64_t n = c.size() * sizeof(c[0]);
    uint64_t prefix[2] = {n, (*sums)[next++]};
    static const char kZeros[8] = {};
    ok = ok && fwrite(prefix, 1, 16, f) == 16;
    ok = ok && (n == 0 || fwrite(c.data(), 1, n, f) == n);
    size_t pad = ((n + 7) & ~uint64_t{7}) - n;
    ok = ok && (pad == 0 || fwrite(kZeros, 1, pad, f) == pad);
  }
};

// One array to restore: where it is in the file and how to fill it.
struct Blob {
  uint64_t offset;  // of the bytes
  uint64_t length;
  uint64_t checksum;
  std::function<char*(uint64_t)> resize;  // resizes the container, returns its bytes
};

struct PlanVisitor {
  std::vector<Blob>* blobs;
  template <typename C>
  void operator()(C& c) {
    using T = std::remove_reference_t<decltype(c[0])>;
    static_assert(std::is_trivially_copyable_v<T>);
    Blob b{};
    b.resize = [&c](uint64_t n) -> char* {
      if (n % sizeof(T) != 0) return nullptr;
      if (n >= (8u << 20)) {
        // Huge pages, if enabled, must be asked for before the first touch.
        c.reserve(n / sizeof(T));
        AdviseHugePages(c.data(), n);
      }
      c.resize(n / sizeof(T));
      return n == 0 ? nullptr : reinterpret_cast<char*>(&c[0]);
    };
    blobs->push_back(std::move(b));
  }
};

bool PreadAll(int fd, char* p, uint64_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t got = pread(fd, p, std::min<uint64_t>(n, 1 << 30), static_cast<off_t>(offset));
    if (got <= 0) {
      if (got < 0 && errno == EINTR) continue;
      return false;
    }
    p += got;
    n -= static_cast<uint64_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return true;
}

}  // namespace

uint64_t Checksum64(const char* data, size_t size) {
  Checksummer c;
  c.Update(data, size);
  return c.Finish();
}

absl::Status WriteCache(const std::string& path, absl::string_view fingerprint,
                        const TerminologyData& data) {
  SizeVisitor sizes;
  VisitArrays(data, sizes);
  ChecksumVisitor sums;
  VisitArrays(data, sums);
  uint64_t payload = sizes.bytes;
  uint64_t fp = Checksum64(fingerprint.data(), fingerprint.size());
  uint32_t version = kCacheVersion, zero = 0;
  char h[kHeaderSize];
  memcpy(h, kMagic, 16);
  memcpy(h + 16, &version, 4);
  memcpy(h + 20, &zero, 4);
  memcpy(h + 24, &fp, 8);
  memcpy(h + 32, &payload, 8);
  memcpy(h + 40, &sums.all, 8);
  std::string tmp = path + ".tmp";
  // 0600 like everything else sproutd keeps beside its database: the cache
  // decides how referrals are coded, so it is the service's alone.
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) fchmod(fd, 0600);  // a temporary left by an older sproutd
  FILE* f = fd < 0 ? nullptr : fdopen(fd, "wb");
  if (f == nullptr) {
    if (fd >= 0) close(fd);
    return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  bool ok = fwrite(h, 1, kHeaderSize, f) == kHeaderSize;
  WriteVisitor w{f, &sums.sums};
  VisitArrays(data, w);
  ok = (fclose(f) == 0) && ok && w.ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    remove(tmp.c_str());
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<TerminologyData> ReadCache(const std::string& path, absl::string_view fingerprint) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("no cache at ", path));
  absl::Cleanup closer = [fd] { close(fd); };
  struct stat st;
  char h[kHeaderSize];
  if (fstat(fd, &st) != 0 || !PreadAll(fd, h, kHeaderSize, 0) || memcmp(h, kMagic, 16) != 0) {
    return absl::DataLossError(absl::StrCat(path, ": not a SNOMED cache file"));
  }
  uint32_t version;
  uint64_t fp, payload, checksum;
  memcpy(&version, h + 16, 4);
  memcpy(&fp, h + 24, 8);
  memcpy(&payload, h + 32, 8);
  memcpy(&checksum, h + 40, 8);
  if (version != kCacheVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": cache version ", version, "; expected ", kCacheVersion));
  }
  if (fp != Checksum64(fingerprint.data(), fingerprint.size())) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": built from other release files"));
  }
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  if (file_size != kHeaderSize + payload) {
    return absl::DataLossError(absl::StrCat(path, ": truncated or oversized cache"));
  }
  // Plan: find every array's place from the length prefixes.
  TerminologyData d;
  std::vector<Blob> blobs;
  PlanVisitor plan{&blobs};
  VisitArrays(d, plan);
  uint64_t at = kHeaderSize;
  for (Blob& b : blobs) {
    char prefix[16];
    if (at + 16 > file_size || !PreadAll(fd, prefix, 16, at)) {
      return absl::DataLossError(absl::StrCat(path, ": malformed payload"));
    }
    memcpy(&b.length, prefix, 8);
    memcpy(&b.checksum, prefix + 8, 8);
    b.offset = at + 16;
    uint64_t padded = (b.length + 7) & ~uint64_t{7};
    if (b.length > file_size || b.offset + padded > file_size) {
      return absl::DataLossError(absl::StrCat(path, ": malformed payload"));
    }
    at = b.offset + padded;
  }
  if (at != file_size) return absl::DataLossError(absl::StrCat(path, ": malformed payload"));
  uint64_t all = 0;
  for (const Blob& b : blobs) all = Mix(all ^ b.checksum) + b.length;
  if (all != checksum) return absl::DataLossError(absl::StrCat(path, ": checksum mismatch"));
  // Fill: the arrays are split between two threads (biggest first, each to
  // the less loaded one); each is read straight into place and checked.
  std::vector<size_t> order(blobs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return blobs[a].length > blobs[b].length; });
  std::vector<size_t> mine[2];
  uint64_t load[2] = {0, 0};
  for (size_t i : order) {
    int t = load[0] <= load[1] ? 0 : 1;
    mine[t].push_back(i);
    load[t] += blobs[i].length;
  }
  std::atomic<bool> ok{true};
  auto fill = [&](const std::vector<size_t>& which) {
    for (size_t i : which) {
      Blob& b = blobs[i];
      char* p = b.resize(b.length);
      if ((b.length > 0 && p == nullptr) ||
          (b.length > 0 && !PreadAll(fd, p, b.length, b.offset)) ||
          Checksum64(b.length > 0 ? p : "", b.length) != b.checksum) {
        ok = false;
        return;
      }
    }
  };
  std::thread helper(fill, std::cref(mine[1]));
  fill(mine[0]);
  helper.join();
  if (!ok) return absl::DataLossError(absl::StrCat(path, ": checksum mismatch"));
  return d;
}

}  // namespace sprout::snomed
