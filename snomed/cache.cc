#include "snomed/cache.h"

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

struct ReadVisitor {
  const char* p;
  const char* end;
  bool ok = true;
  template <typename C>
  void operator()(C& c) {
    using T = std::remove_reference_t<decltype(c[0])>;
    static_assert(std::is_trivially_copyable_v<T>);
    uint64_t n;
    if (!ok || end - p < 8) {
      ok = false;
      return;
    }
    memcpy(&n, p, 8);
    p += 8;
    uint64_t padded = (n + 7) & ~uint64_t{7};
    if (n % sizeof(T) != 0 || static_cast<uint64_t>(end - p) < padded) {
      ok = false;
      return;
    }
    c.resize(n / sizeof(T));
    if (n > 0) memcpy(&c[0], p, n);
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

}  // namespace

uint64_t Checksum64(const char* data, size_t size) {
  uint64_t h[4] = {0x9E3779B97F4A7C15ULL, 0xC2B2AE3D27D4EB4FULL, 0x165667B19E3779F9ULL,
                   0x27D4EB2F165667C5ULL};
  size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    for (int l = 0; l < 4; ++l) {
      uint64_t w;
      memcpy(&w, data + i + 8 * l, 8);
      h[l] = (h[l] ^ w) * 0x9E3779B97F4A7C15ULL;
      h[l] ^= h[l] >> 29;
    }
  }
  uint64_t tail = 0;
  for (size_t k = 0; i + k < size; ++k)
    tail |= uint64_t{static_cast<uint8_t>(data[i + k])} << (8 * (k % 8));
  return Mix(h[0] ^ Mix(h[1] + 1) ^ Mix(h[2] + 2) ^ Mix(h[3] + 3) ^ Mix(tail ^ size));
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
  std::string buf;
  buf.resize(payload);
  size_t got = fread(buf.data(), 1, payload, f);
  bool trailing = fgetc(f) != EOF;
  fclose(f);
  if (got != payload || trailing) {
    return absl::DataLossError(absl::StrCat(path, ": truncated or oversized cache"));
  }
  if (Checksum64(buf.data(), buf.size()) != checksum) {
    return absl::DataLossError(absl::StrCat(path, ": checksum mismatch"));
  }
  TerminologyData d;
  ReadVisitor r{buf.data(), buf.data() + buf.size()};
  VisitArrays(d, r);
  if (!r.ok || r.p != r.end) return absl::DataLossError(absl::StrCat(path, ": malformed payload"));
  return d;
}

}  // namespace sprout::snomed
