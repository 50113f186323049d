#include "snomed/cache.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "absl/strings/str_cat.h"

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
  v(d.description_offsets);
  v(d.descriptions);
  v(d.terms);
  v(d.language_refsets);
  v(d.language.offsets);
  v(d.language.values);
  v(d.preferred_term);
  v(d.fsn);
  v(d.refset_ids);
  v(d.refset_members.offsets);
  v(d.refset_members.values);
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

struct SizeVisitor {
  size_t bytes = 0;
  template <typename C>
  void operator()(const C& c) {
    bytes += 8 + ((c.size() * sizeof(c[0]) + 7) & ~size_t{7});
  }
};

struct WriteVisitor {
  char* p;
  template <typename C>
  void operator()(const C& c) {
    uint64_t n = c.size() * sizeof(c[0]);
    memcpy(p, &n, 8);
    p += 8;
    if (n > 0) memcpy(p, c.data(), n);
    size_t padded = (n + 7) & ~uint64_t{7};
    memset(p + n, 0, padded - n);
    p += padded;
  }
};

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

// Reads the payload arrays straight into their vectors (no staging copy),
// checksumming as it goes.
struct StreamReadVisitor {
  FILE* f;
  uint64_t remaining;
  Checksummer sum;
  bool ok = true;
  bool Read(void* p, size_t n) {
    if (!ok || n > remaining || fread(p, 1, n, f) != n) return ok = false;
    remaining -= n;
    sum.Update(static_cast<const char*>(p), n);
    return true;
  }
  template <typename C>
  void operator()(C& c) {
    using T = std::remove_reference_t<decltype(c[0])>;
    static_assert(std::is_trivially_copyable_v<T>);
    uint64_t n;
    if (!Read(&n, 8)) return;
    if (n % sizeof(T) != 0 || n > remaining) {
      ok = false;
      return;
    }
    c.resize(n / sizeof(T));
    if (n > 0 && !Read(&c[0], n)) return;
    char pad[8];
    Read(pad, ((n + 7) & ~uint64_t{7}) - n);
  }
};

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
  std::string buf(kHeaderSize + sizes.bytes, '\0');
  WriteVisitor w{buf.data() + kHeaderSize};
  VisitArrays(data, w);
  uint64_t payload = sizes.bytes;
  uint64_t checksum = Checksum64(buf.data() + kHeaderSize, payload);
  uint64_t fp = Checksum64(fingerprint.data(), fingerprint.size());
  uint32_t version = kCacheVersion, zero = 0;
  char* h = buf.data();
  memcpy(h, kMagic, 16);
  memcpy(h + 16, &version, 4);
  memcpy(h + 20, &zero, 4);
  memcpy(h + 24, &fp, 8);
  memcpy(h + 32, &payload, 8);
  memcpy(h + 40, &checksum, 8);
  std::string tmp = path + ".tmp";
  FILE* f = fopen(tmp.c_str(), "wb");
  if (f == nullptr) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  bool ok = fwrite(buf.data(), 1, buf.size(), f) == buf.size();
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    remove(tmp.c_str());
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<TerminologyData> ReadCache(const std::string& path, absl::string_view fingerprint) {
  FILE* f = fopen(path.c_str(), "rb");
  if (f == nullptr) return absl::NotFoundError(absl::StrCat("no cache at ", path));
  char h[kHeaderSize];
  if (fread(h, 1, kHeaderSize, f) != kHeaderSize || memcmp(h, kMagic, 16) != 0) {
    fclose(f);
    return absl::DataLossError(absl::StrCat(path, ": not a SNOMED cache file"));
  }
  uint32_t version;
  uint64_t fp, payload, checksum;
  memcpy(&version, h + 16, 4);
  memcpy(&fp, h + 24, 8);
  memcpy(&payload, h + 32, 8);
  memcpy(&checksum, h + 40, 8);
  if (version != kCacheVersion) {
    fclose(f);
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": cache version ", version, "; expected ", kCacheVersion));
  }
  if (fp != Checksum64(fingerprint.data(), fingerprint.size())) {
    fclose(f);
    return absl::FailedPreconditionError(absl::StrCat(path, ": built from other release files"));
  }
  TerminologyData d;
  StreamReadVisitor r{f, payload, {}, true};
  VisitArrays(d, r);
  bool trailing = fgetc(f) != EOF;
  fclose(f);
  if (!r.ok || r.remaining != 0 || trailing) {
    return absl::DataLossError(absl::StrCat(path, ": truncated or malformed cache"));
  }
  if (r.sum.Finish() != checksum) {
    return absl::DataLossError(absl::StrCat(path, ": checksum mismatch"));
  }
  return d;
}

}  // namespace sprout::snomed
