// The word-prefix index over active descriptions: a sorted vocabulary of
// lower-case words, each with the ascending list of descriptions using it.
#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>

#include "snomed/build.h"

namespace sprout::snomed {
namespace {

inline bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}
inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Calls fn(word) for each lower-cased word of `text`, using `buf` as scratch.
template <typename Fn>
void ForEachWord(absl::string_view text, std::string* buf, Fn fn) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(text[i])) ++i;
    size_t b = i;
    while (i < text.size() && IsWordByte(text[i])) ++i;
    if (i > b) {
      buf->assign(text.data() + b, i - b);
      for (char& c : *buf) c = Lower(c);
      fn(absl::string_view(*buf));
    }
  }
}

}  // namespace

void SplitWords(absl::string_view text, std::vector<std::string>* words) {
  std::string buf;
  ForEachWord(text, &buf, [&](absl::string_view w) { words->emplace_back(w); });
}

namespace {

// Open-addressing table from lower-cased word to word id; the words live in
// `text`. Faster here than a general map because hashing happens in the same
// pass as lower-casing and no temporary strings are made.
class Vocabulary {
 public:
  Vocabulary() : slots_(1 << 16, 0) {}

  // Returns the id of the lower-cased `raw` (ASCII letters folded), adding it.
  uint32_t Intern(const char* raw, size_t n) {
    // Lower-case and hash in one pass, eight bytes per multiply, with the
    // bytes gathered in a register (a byte-serial hash, and re-reading the
    // lowered bytes as words, both stalled this loop).
    lowered_.resize(n);
    uint64_t h = n * 0x9E3779B97F4A7C15ull;
    uint64_t w = 0;
    unsigned k = 0;
    for (size_t i = 0; i < n; ++i) {
      char c = Lower(raw[i]);
      lowered_[i] = c;
      w |= uint64_t{static_cast<unsigned char>(c)} << (8 * k);
      if (++k == 8) {
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
        w = 0;
        k = 0;
      }
    }
    if (k != 0) h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 32;
    size_t mask = slots_.size() - 1;
    for (size_t at = h & mask;; at = (at + 1) & mask) {
      uint32_t slot = slots_[at];
      if (slot == 0) break;
      uint32_t id = slot - 1;
      if (hashes_[id] == h && Word(id) == absl::string_view(lowered_.data(), n)) return id;
    }
    uint32_t id = static_cast<uint32_t>(hashes_.size());
    hashes_.push_back(h);
    offsets_.push_back(static_cast<uint32_t>(text_.size()));
    text_.append(lowered_.data(), n);
    if ((hashes_.size() + 1) * 2 > slots_.size()) {
      Grow();
    } else {
      Place(id);
    }
    return id;
  }

  uint32_t size() const { return static_cast<uint32_t>(hashes_.size()); }
  absl::string_view Word(uint32_t id) const {
    uint32_t end =
        id + 1 < offsets_.size() ? offsets_[id + 1] : static_cast<uint32_t>(text_.size());
    return absl::string_view(text_.data() + offsets_[id], end - offsets_[id]);
  }

 private:
  void Place(uint32_t id) {
    size_t mask = slots_.size() - 1;
    size_t at = hashes_[id] & mask;
    while (slots_[at] != 0) at = (at + 1) & mask;
    slots_[at] = id + 1;
  }
  void Grow() {
    slots_.assign(slots_.size() * 2, 0);
    for (uint32_t id = 0; id < hashes_.size(); ++id) Place(id);
  }

  std::vector<uint32_t> slots_;  // word id + 1, 0 = empty
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> offsets_;
  std::string text_;
  std::string lowered_;
};

}  // namespace

void BuildSearchIndex(TerminologyData* d) {
  Vocabulary vocab;
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (word id, description)
  pairs.reserve(d->descriptions.size() * 4);
  std::vector<uint32_t> seen;  // word ids of the current description
  const uint32_t nd = static_cast<uint32_t>(d->descriptions.size());
  for (uint32_t i = 0; i < nd; ++i) {
    const DescriptionRecord& r = d->descriptions[i];
    if (!r.active || r.type == kDefinition) continue;
    const char* p = d->terms.data() + r.term_offset;
    const char* end = p + r.term_length;
    seen.clear();
    while (p < end) {
      while (p < end && !IsWordByte(*p)) ++p;
      const char* b = p;
      while (p < end && IsWordByte(*p)) ++p;
      if (p == b) continue;
      uint32_t id = vocab.Intern(b, p - b);
      if (std::find(seen.begin(), seen.end(), id) == seen.end()) {
        seen.push_back(id);
        pairs.emplace_back(id, i);
      }
    }
  }
  std::vector<absl::string_view> words(vocab.size());
  for (uint32_t w = 0; w < vocab.size(); ++w) words[w] = vocab.Word(w);
  // Number words alphabetically so a prefix is a contiguous range.
  const uint32_t nw = static_cast<uint32_t>(words.size());
  std::vector<uint32_t> order(nw);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return words[a] < words[b]; });
  std::vector<uint32_t> rank(nw);
  for (uint32_t k = 0; k < nw; ++k) rank[order[k]] = k;
  d->word_offsets.assign(nw + 1, 0);
  d->word_text.clear();
  for (uint32_t k = 0; k < nw; ++k) {
    d->word_offsets[k] = static_cast<uint32_t>(d->word_text.size());
    d->word_text.append(words[order[k]].data(), words[order[k]].size());
  }
  d->word_offsets[nw] = static_cast<uint32_t>(d->word_text.size());
  // Postings: pairs are in description order, so each list comes out sorted.
  d->postings.offsets.assign(nw + 1, 0);
  for (const auto& p : pairs) ++d->postings.offsets[rank[p.first] + 1];
  for (uint32_t k = 0; k < nw; ++k) d->postings.offsets[k + 1] += d->postings.offsets[k];
  d->postings.values.resize(pairs.size());
  std::vector<uint32_t> fill(d->postings.offsets.begin(), d->postings.offsets.end() - 1);
  for (const auto& p : pairs) d->postings.values[fill[rank[p.first]]++] = p.second;
}

}  // namespace sprout::snomed
