#include "snomed/release_files.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"

namespace sprout::snomed {
namespace {

class MappedContent final : public Content {
 public:
  MappedContent(void* p, size_t n) : p_(p), n_(n) {}
  ~MappedContent() override {
    if (n_ > 0) munmap(p_, n_);
  }
  absl::string_view data() const override {
    return absl::string_view(static_cast<const char*>(p_), n_);
  }
  void Prefetch(size_t begin, size_t end) const override {
#ifdef MADV_POPULATE_READ
    Range(begin, end, /*outer=*/true, MADV_POPULATE_READ);
#else
    Range(begin, end, /*outer=*/true, MADV_WILLNEED);
#endif
  }
  // Parsed pages are dropped so resident memory stays about one chunk per
  // thread rather than the whole file.
  void Drop(size_t begin, size_t end) const override {
    Range(begin, end, /*outer=*/false, MADV_DONTNEED);
  }

 private:
  void Range(size_t begin, size_t end, bool outer, int advice) const {
    const size_t page = 4096;
    size_t b = outer ? begin / page * page : (begin + page - 1) / page * page;
    size_t e = outer ? std::min(n_, (end + page - 1) / page * page) : end / page * page;
    if (e > b) madvise(static_cast<char*>(p_) + b, e - b, advice);
  }

  void* p_;
  size_t n_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Content>> MapFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat(path, ": ", strerror(errno)));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return absl::InternalError(absl::StrCat(path, ": ", strerror(errno)));
  }
  size_t n = static_cast<size_t>(st.st_size);
  void* p = nullptr;
  if (n > 0) {
    p = mmap(nullptr, n, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      close(fd);
      return absl::InternalError(absl::StrCat(path, ": mmap: ", strerror(errno)));
    }
    madvise(p, n, MADV_SEQUENTIAL);
  }
  close(fd);
  return std::unique_ptr<Content>(new MappedContent(p, n));
}

// Runs fn(i) for i in [0, n) on up to `threads` threads, in index order of
// claim; returns the first error (by index) or OK.
absl::Status ParallelFor(size_t n, int threads, const std::function<absl::Status(size_t)>& fn) {
  std::vector<absl::Status> results(n);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) results[i] = fn(i);
  };
  std::vector<std::thread> pool;
  int extra = std::max(0, std::min<int>(threads, static_cast<int>(n)) - 1);
  for (int t = 0; t < extra; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  for (absl::Status& s : results) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace sprout::snomed
