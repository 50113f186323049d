// The IS-A transitive closure as two CSRs of sorted uint32 lists.
#include <sys/mman.h>

#include <algorithm>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "snomed/build.h"

namespace sprout::snomed {
namespace {

// The error for a hierarchy with a cycle, naming one cycle. `pending` is
// Kahn's count of unfinished parents: a concept with pending parents is on a
// cycle or below one, and has a pending parent itself, so following pending
// parents from any such concept must come back to a concept already seen.
absl::Status CycleError(const Csr<uint32_t>& parents, const std::vector<uint64_t>& ids,
                        const std::vector<uint32_t>& pending) {
  const uint32_t n = static_cast<uint32_t>(ids.size());
  uint32_t c = 0;
  while (c < n && pending[c] == 0) ++c;
  std::vector<uint32_t> path;
  std::vector<uint32_t> seen_at(n, kNoIndex);
  while (seen_at[c] == kNoIndex) {
    seen_at[c] = static_cast<uint32_t>(path.size());
    path.push_back(c);
    for (uint32_t p : parents.Row(c)) {
      if (pending[p] != 0) {
        c = p;
        break;
      }
    }
  }
  std::vector<IsACycleEdge> cycle;
  std::string text;
  for (size_t k = seen_at[c]; k < path.size(); ++k) {
    const uint32_t parent = k + 1 < path.size() ? path[k + 1] : c;
    cycle.push_back(IsACycleEdge{ids[path[k]], ids[parent]});
    absl::StrAppend(&text, k == seen_at[c] ? "" : ", ", ids[path[k]], " is-a ", ids[parent]);
  }
  absl::Status status = absl::FailedPreconditionError(
      absl::StrCat("the inferred IS-A hierarchy has a cycle: ", text));
  SetIsACycle(cycle, &status);
  return status;
}

}  // namespace

absl::Status BuildClosure(const Csr<uint32_t>& parents, const std::vector<uint64_t>& ids,
                          Csr<uint32_t>* ancestors, Csr<uint32_t>* descendants) {
  const uint32_t n = static_cast<uint32_t>(ids.size());
  // Kahn's algorithm over child -> parent edges: a concept is ready once all
  // of its parents have their ancestor lists.
  std::vector<uint32_t> pending(n);
  std::vector<uint32_t> child_offsets(n + 1, 0);
  for (uint32_t c = 0; c < n; ++c) {
    pending[c] = static_cast<uint32_t>(parents.Row(c).size());
    for (uint32_t p : parents.Row(c)) ++child_offsets[p + 1];
  }
  for (uint32_t i = 0; i < n; ++i) child_offsets[i + 1] += child_offsets[i];
  std::vector<uint32_t> kids(child_offsets[n]);
  {
    std::vector<uint32_t> fill(child_offsets.begin(), child_offsets.end() - 1);
    for (uint32_t c = 0; c < n; ++c) {
      for (uint32_t p : parents.Row(c)) kids[fill[p]++] = c;
    }
  }
  std::vector<uint32_t> queue;
  queue.reserve(n);
  for (uint32_t c = 0; c < n; ++c) {
    if (pending[c] == 0) queue.push_back(c);
  }
  // Lists are appended to `buf` in topological order; start/len per concept.
  // A raw buffer rather than a vector: no zero-filling of what is then copied.
  size_t cap = static_cast<size_t>(n) * 24 + 1024, used = 0;
  std::unique_ptr<uint32_t[]> buf(new uint32_t[cap]);
  AdviseHugePages(buf.get(), cap * sizeof(uint32_t));
  auto reserve = [&](size_t more) {
    if (used + more <= cap) return;
    size_t bigger = std::max(cap * 2, used + more);
    std::unique_ptr<uint32_t[]> next(new uint32_t[bigger]);
    std::copy(buf.get(), buf.get() + used, next.get());
    buf.swap(next);
    cap = bigger;
  };
  std::vector<uint64_t> start(n, 0);
  std::vector<uint32_t> len(n, 0);
  std::vector<uint32_t> scratch, one, merged;
  for (size_t head = 0; head < queue.size(); ++head) {
    uint32_t c = queue[head];
    absl::Span<const uint32_t> ps = parents.Row(c);
    size_t at = used;
    if (ps.size() == 1) {
      // One parent: its list with the parent inserted in order; no sort.
      uint32_t p = ps[0];
      uint32_t m = len[p];
      reserve(m + 1);
      const uint32_t* a = buf.get() + start[p];
      uint32_t split = static_cast<uint32_t>(std::lower_bound(a, a + m, p) - a);
      uint32_t* out = buf.get() + at;
      std::copy(a, a + split, out);
      out[split] = p;
      std::copy(a + split, a + m, out + split + 1);
      len[c] = m + 1;
    } else if (!ps.empty()) {
      // Several parents: a running set union of (parent + its ancestors).
      scratch.clear();
      for (uint32_t p : ps) {
        const uint32_t* a = buf.get() + start[p];
        one.assign(a, a + len[p]);
        one.insert(std::lower_bound(one.begin(), one.end(), p), p);
        merged.clear();
        std::set_union(scratch.begin(), scratch.end(), one.begin(), one.end(),
                       std::back_inserter(merged));
        scratch.swap(merged);
      }
      reserve(scratch.size());
      std::copy(scratch.begin(), scratch.end(), buf.get() + at);
      len[c] = static_cast<uint32_t>(scratch.size());
    }
    used = at + len[c];
    start[c] = at;
    for (uint32_t k = child_offsets[c]; k < child_offsets[c + 1]; ++k) {
      if (--pending[kids[k]] == 0) queue.push_back(kids[k]);
    }
  }
  if (queue.size() != n) return CycleError(parents, ids, pending);
  if (used >= 0xFFFFFFFFull) {
    return absl::ResourceExhaustedError("IS-A closure exceeds 2^32 pairs");
  }
  // Re-lay out in index order.
  ancestors->offsets.assign(n + 1, 0);
  for (uint32_t c = 0; c < n; ++c) ancestors->offsets[c + 1] = ancestors->offsets[c] + len[c];
  ancestors->values.clear();
  ReserveHuge(&ancestors->values, ancestors->offsets[n]);
  for (uint32_t c = 0; c < n; ++c) {
    ancestors->values.insert(ancestors->values.end(), buf.get() + start[c],
                             buf.get() + start[c] + len[c]);
  }
  buf.reset();
  // Transpose; scanning descendants in index order keeps each list sorted.
  descendants->offsets.assign(n + 1, 0);
  for (uint32_t a : ancestors->values) ++descendants->offsets[a + 1];
  for (uint32_t i = 0; i < n; ++i) descendants->offsets[i + 1] += descendants->offsets[i];
  descendants->values.clear();
  ReserveHuge(&descendants->values, ancestors->values.size());
  descendants->values.resize(ancestors->values.size());
  std::vector<uint32_t> fill(descendants->offsets.begin(), descendants->offsets.end() - 1);
  for (uint32_t c = 0; c < n; ++c) {
    for (uint32_t a : ancestors->Row(c)) descendants->values[fill[a]++] = c;
  }
  return absl::OkStatus();
}

// Measured on the 2-vCPU VM (THP "madvise", defrag "madvise"): huge pages made
// the cache restore bimodal (0.47 s or 1.6 s: direct compaction on fault) and
// the RF2 load about 12% more CPU, so the advice is off here. This is the one
// switch for machines where huge pages are cheap.
constexpr bool kUseHugePages = false;

void AdviseHugePages(const void* p, size_t n) {
  if (!kUseHugePages) return;
  const uintptr_t huge = 2u << 20;
  uintptr_t b = (reinterpret_cast<uintptr_t>(p) + huge - 1) & ~(huge - 1);
  uintptr_t e = (reinterpret_cast<uintptr_t>(p) + n) & ~(huge - 1);
  if (e > b) madvise(reinterpret_cast<void*>(b), e - b, MADV_HUGEPAGE);
}

}  // namespace sprout::snomed
