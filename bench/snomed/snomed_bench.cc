// snomed-bench: the SNOMED engine against baselines measured in the same run
// (PERFORMANCE.md P5, P6). Prints target, baseline and ratio for:
//   load          Terminology::Load (everything built) vs a raw scan of the same
//                 files (read + tab split + integer parse, no maps)
//   closure       BuildClosure vs a plain CSR build from the same pair list
//   peak RSS      of a process that only loads, vs the 1.5 GB target and the
//                 minimal bytes of the content
//   cache         restore from the binary cache (target <= 1 s)
//   subsumption   Terminology::Subsumes vs binary search on a plain CSR copy
//   ECL           << 404684003 count / evaluate (target <= 5 ms)
//
//   snomed-bench --release DIR [--reps 3] [--cache FILE] [--load-only]
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "snomed/build.h"
#include "snomed/ecl.h"
#include "snomed/rf2.h"
#include "snomed/search.h"
#include "snomed/terminology.h"

namespace sprout::snomed {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double CpuNow() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}
double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
void Row(const char* what, double target, double baseline, const char* unit, const char* goal) {
  printf("%-34s target %10.3f %-3s baseline %10.3f %-3s ratio %6.2f   (goal %s)\n", what, target,
         unit, baseline, unit, baseline > 0 ? target / baseline : 0.0, goal);
}

std::vector<std::string> ReleaseFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && ClassifyRf2File(e.path().filename().string()) != Rf2Kind::kIgnored) {
      out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The baseline: map each file (as the loader does), split every line on tabs
// and parse every all-digit field as an integer. No maps, no copies.
uint64_t RawScan(const std::vector<std::string>& files, uint64_t* rows) {
  uint64_t sum = 0;
  for (const std::string& path : files) {
    int fd = open(path.c_str(), O_RDONLY);
    struct stat st;
    fstat(fd, &st);
    size_t n = static_cast<size_t>(st.st_size);
    const char* p =
        static_cast<const char*>(mmap(nullptr, n, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0));
    close(fd);
    const char* end = p + n;
    const char* line = static_cast<const char*>(memchr(p, '\n', n)) + 1;  // skip header
    while (line < end) {
      const char* nl = static_cast<const char*>(memchr(line, '\n', end - line));
      if (nl == nullptr) nl = end;
      const char* f = line;
      while (f < nl) {
        const char* tab = static_cast<const char*>(memchr(f, '\t', nl - f));
        const char* fe = tab ? tab : nl;
        uint64_t v = 0;
        bool digits = true;
        for (const char* c = f; c < fe && digits; ++c) {
          unsigned d = static_cast<unsigned char>(*c) - '0';
          if (d > 9)
            digits = *c == '\r';
          else
            v = v * 10 + d;
        }
        if (digits) sum += v;
        f = fe + 1;
      }
      ++*rows;
      line = nl + 1;
    }
    munmap(const_cast<char*>(p), n);
  }
  return sum;
}

long PeakRssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return atol(line.c_str() + 6);
  }
  return -1;
}

// Loads in a child process and returns its peak RSS in KiB (or -1).
long ChildLoadPeakRss(const LoadOptions& options) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    auto t = Terminology::Load(options);
    long kb = t.ok() ? PeakRssKb() : -1;
    if (write(fds[1], &kb, sizeof(kb)) != sizeof(kb)) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  long kb = -1;
  if (read(fds[0], &kb, sizeof(kb)) != sizeof(kb)) kb = -1;
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return kb;
}

int Main(int argc, char** argv) {
  std::string release, cache = "/tmp/snomed-bench.cache";
  int reps = 3;
  bool load_only = false;
  bool cache_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string v = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--load-only") {
      load_only = true;
    } else if (a == "--release") {
      release = v;
      ++i;
    } else if (a == "--reps") {
      reps = std::max(1, atoi(v.c_str()));
      ++i;
    } else if (a == "--cache") {
      cache = v;
      cache_given = true;
      ++i;
    }
  }
  if (release.empty()) {
    fprintf(stderr, "usage: snomed-bench --release DIR [--reps 3] [--cache FILE] [--load-only]\n");
    return 2;
  }
  LoadOptions options;
  options.release_dirs = {release};
  std::vector<std::string> files = ReleaseFiles(release);
  uint64_t bytes = 0;
  for (const std::string& f : files) bytes += std::filesystem::file_size(f);
  printf("release %s: %zu RF2 files, %.1f MB; %d repetitions, interleaved; median shown\n",
         release.c_str(), files.size(), bytes / 1e6, reps);

  if (load_only) {  // for profiling: one load (or restore, with --cache), time and sizes
    if (cache_given) options.cache_path = cache;
    double t0 = Now();
    auto loaded = Terminology::Load(options);
    if (!loaded.ok()) return 1;
    const TerminologyData& d = (*loaded)->data();
    printf("%s %.3f s; concepts %zu, closure pairs %zu, peak RSS %.1f MB\n",
           (*loaded)->release().from_cache ? "restore" : "load", Now() - t0, d.concept_ids.size(),
           d.ancestors.values.size(), PeakRssKb() / 1024.0);
    return 0;
  }

  // Peak RSS first, in a child, before this process holds anything big.
  long rss_kb = ChildLoadPeakRss(options);

  // P5: load vs raw scan, interleaved (baseline, target, ...).
  std::vector<double> scan_s, load_s, scan_cpu, load_cpu;
  uint64_t rows = 0, sink = 0;
  std::shared_ptr<const Terminology> t;
  for (int r = 0; r < reps; ++r) {
    rows = 0;
    double t0 = Now(), c0 = CpuNow();
    sink += RawScan(files, &rows);
    scan_s.push_back(Now() - t0);
    scan_cpu.push_back(CpuNow() - c0);
    t.reset();
    t0 = Now();
    c0 = CpuNow();
    auto loaded = Terminology::Load(options);
    load_s.push_back(Now() - t0);
    load_cpu.push_back(CpuNow() - c0);
    if (!loaded.ok()) {
      fprintf(stderr, "load failed: %s\n", std::string(loaded.status().message()).c_str());
      return 1;
    }
    t = *loaded;
  }
  const TerminologyData& d = t->data();
  size_t active_descs = 0, term_bytes = 0;
  for (const DescriptionRecord& r : d.descriptions) {
    if (r.active) {
      ++active_descs;
      term_bytes += r.term_length;
    }
  }
  printf(
      "rows scanned %llu (%.1f M rows/s raw); concepts %zu, descriptions %zu, "
      "active inferred relationships %zu, closure pairs %zu, words %zu\n",
      static_cast<unsigned long long>(rows), rows / Median(scan_s) / 1e6, d.concept_ids.size(),
      d.descriptions.size(), d.rels_out.values.size(), d.ancestors.values.size(),
      d.word_offsets.empty() ? 0 : d.word_offsets.size() - 1);
  Row("P5 load (everything) vs raw scan", Median(load_s), Median(scan_s), "s", "<= 3x");
  Row("  same, CPU seconds (both threads)", Median(load_cpu), Median(scan_cpu), "s", "info");

  // Closure vs a plain CSR build from the same (descendant, ancestor) pairs.
  std::vector<double> closure_s, csr_s;
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  pairs.reserve(d.ancestors.values.size());
  for (uint32_t a = 0; a < d.concept_ids.size(); ++a) {
    for (uint32_t x : d.descendants.Row(a)) pairs.emplace_back(x, a);
  }
  const uint32_t n = static_cast<uint32_t>(d.concept_ids.size());
  // The baseline builds the same two CSRs (ancestors per concept, descendants
  // per concept) from the pair list, by counting sort.
  auto plain_csr = [&](bool by_descendant) {
    Csr<uint32_t> plain;
    plain.offsets.assign(n + 1, 0);
    for (const auto& p : pairs) ++plain.offsets[(by_descendant ? p.first : p.second) + 1];
    for (uint32_t i = 0; i < n; ++i) plain.offsets[i + 1] += plain.offsets[i];
    plain.values.resize(pairs.size());
    std::vector<uint32_t> fill(plain.offsets.begin(), plain.offsets.end() - 1);
    for (const auto& p : pairs) {
      if (by_descendant)
        plain.values[fill[p.first]++] = p.second;
      else
        plain.values[fill[p.second]++] = p.first;
    }
    return plain;
  };
  for (int r = 0; r < reps; ++r) {
    double t0 = Now();
    Csr<uint32_t> plain_anc = plain_csr(true);
    Csr<uint32_t> plain_desc = plain_csr(false);
    sink += plain_anc.values[plain_anc.values.size() / 2] + plain_desc.values[7];
    csr_s.push_back(Now() - t0);
    t0 = Now();
    Csr<uint32_t> anc, desc;
    absl::Status s = BuildClosure(d.parents, d.concept_ids, &anc, &desc);
    closure_s.push_back(Now() - t0);
    if (!s.ok()) return 1;
    sink += anc.values.size();
  }
  std::vector<std::pair<uint32_t, uint32_t>>().swap(pairs);
  Row("closure vs plain CSRs of the pairs", Median(closure_s), Median(csr_s), "s", "<= 2x");

  // Memory.
  double minimal = d.concept_ids.size() * 8.0 + active_descs * 12.0 + term_bytes +
                   d.rels_out.values.size() * 12.0 + d.ancestors.values.size() * 4.0;
  printf("%-34s %10.1f MB (goal <= 1536 MB); minimal content %.1f MB; ratio %.2f (goal <= 3x)\n",
         "peak RSS of a load", rss_kb / 1024.0, minimal / 1048576.0, rss_kb * 1024.0 / minimal);

  // Cache: write once, then restore (interleaved with nothing; it is absolute).
  std::filesystem::remove(cache);
  LoadOptions cached = options;
  cached.cache_path = cache;
  {
    double t0 = Now();
    auto w = Terminology::Load(cached);
    printf("%-34s %10.3f s (RF2 load + cache write, %.1f MB)\n", "first load with cache",
           Now() - t0,
           std::filesystem::exists(cache) ? std::filesystem::file_size(cache) / 1e6 : 0);
  }
  std::vector<double> restore_s;
  for (int r = 0; r < reps; ++r) {
    double t0 = Now();
    auto c = Terminology::Load(cached);
    restore_s.push_back(Now() - t0);
    if (!c.ok() || !(*c)->release().from_cache) {
      fprintf(stderr, "cache restore failed\n");
      return 1;
    }
  }
  Row("restore from cache vs raw scan", Median(restore_s), Median(scan_s), "s", "<= 1 s absolute");

  // P6: subsumption. Half true pairs (random ancestor), half random pairs.
  std::mt19937_64 rng(7);
  const size_t q = 2000000;
  std::vector<uint32_t> qa(q), qd(q);
  std::vector<uint64_t> ia(q), id(q);
  for (size_t i = 0; i < q; ++i) {
    uint32_t x = rng() % n;
    absl::Span<const uint32_t> anc = d.ancestors.Row(x);
    qd[i] = x;
    qa[i] = (i % 2 == 0 && !anc.empty()) ? anc[rng() % anc.size()] : rng() % n;
    ia[i] = d.concept_ids[qa[i]];
    id[i] = d.concept_ids[qd[i]];
  }
  std::vector<uint32_t> off(d.ancestors.offsets), val(d.ancestors.values);  // plain copy
  absl::flat_hash_map<uint64_t, uint32_t> plain_index;
  for (uint32_t i = 0; i < n; ++i) plain_index.emplace(d.concept_ids[i], i);
  std::vector<double> sub_idx, base_idx, sub_id, base_id;
  for (int r = 0; r < reps; ++r) {
    double t0 = Now();
    size_t hits = 0;
    for (size_t i = 0; i < q; ++i) {
      uint32_t a = qa[i], x = qd[i];
      hits += a == x || std::binary_search(val.begin() + off[x], val.begin() + off[x + 1], a);
    }
    base_idx.push_back((Now() - t0) / q * 1e9);
    t0 = Now();
    for (size_t i = 0; i < q; ++i) hits += t->SubsumesAt(qa[i], qd[i]);
    sub_idx.push_back((Now() - t0) / q * 1e9);
    t0 = Now();
    for (size_t i = 0; i < q; ++i) {
      uint32_t a = plain_index.find(ia[i])->second, x = plain_index.find(id[i])->second;
      hits += a == x || std::binary_search(val.begin() + off[x], val.begin() + off[x + 1], a);
    }
    base_id.push_back((Now() - t0) / q * 1e9);
    t0 = Now();
    for (size_t i = 0; i < q; ++i) hits += t->Subsumes(ia[i], id[i]);
    sub_id.push_back((Now() - t0) / q * 1e9);
    sink += hits;
  }
  Row("subsumption by index", Median(sub_idx), Median(base_idx), "ns", "<= 2x");
  Row("subsumption by SCTID (hashing)", Median(sub_id), Median(base_id), "ns", "<= 2x");

  // P6: ECL << 404684003.
  auto ecl = Ecl::Parse("<< 404684003 |Clinical finding|");
  std::vector<double> count_ms, eval_ms, match_ns;
  size_t count = 0;
  for (int r = 0; r < std::max(reps, 5); ++r) {
    double t0 = Now();
    auto parsed = Ecl::Parse("<< 404684003 |Clinical finding|");
    count = parsed->Count(*t);
    count_ms.push_back((Now() - t0) * 1e3);
    t0 = Now();
    sink += ecl->EvaluateIndexes(*t).size();
    eval_ms.push_back((Now() - t0) * 1e3);
    t0 = Now();
    size_t m = 0;
    for (size_t i = 0; i < 200000; ++i) m += ecl->MatchesIndex(*t, qd[i]);
    match_ns.push_back((Now() - t0) / 200000 * 1e9);
    sink += m;
  }
  printf("%-34s %10.4f ms (count %zu; goal <= 5 ms)\n", "ECL << 404684003 parse+count",
         Median(count_ms), count);
  printf("%-34s %10.4f ms\n", "ECL << 404684003 evaluate (set)", Median(eval_ms));
  printf("%-34s %10.1f ns per concept\n", "ECL << 404684003 Matches()", Median(match_ns));

  // Search, for reference.
  std::vector<double> search_ms;
  std::string word(t->TermAt(d.preferred_term[n / 2]).substr(0, 4));
  for (int r = 0; r < 5; ++r) {
    double t0 = Now();
    sink += Search(*t, word).size();
    search_ms.push_back((Now() - t0) * 1e3);
  }
  printf("%-34s %10.3f ms (query '%s', top 20)\n", "search word prefix", Median(search_ms),
         word.c_str());
  printf("(checksum %llu)\n", static_cast<unsigned long long>(sink));
  return 0;
}

}  // namespace
}  // namespace sprout::snomed

int main(int argc, char** argv) { return sprout::snomed::Main(argc, argv); }
