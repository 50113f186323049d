// The word-prefix index over active descriptions: a sorted vocabulary of
// lower-case words, each with the ascending list of descriptions using it.
#include <algorithm>
#include <memory>
#include <numeric>

#include "absl/container/flat_hash_map.h"
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

// Stable storage for vocabulary strings (views into it stay valid).
class Arena {
 public:
  absl::string_view Copy(absl::string_view s) {
    if (blocks_.empty() || used_ + s.size() > kBlock) {
      blocks_.emplace_back(new char[std::max(kBlock, s.size())]);
      used_ = 0;
    }
    char* p = blocks_.back().get() + used_;
    std::copy(s.begin(), s.end(), p);
    used_ += s.size();
    return absl::string_view(p, s.size());
  }

 private:
  static constexpr size_t kBlock = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0;
};

}  // namespace

void SplitWords(absl::string_view text, std::vector<std::string>* words) {
  std::string buf;
  ForEachWord(text, &buf, [&](absl::string_view w) { words->emplace_back(w); });
}

void BuildSearchIndex(TerminologyData* d) {
  Arena arena;
  absl::flat_hash_map<absl::string_view, uint32_t> vocab;
  std::vector<absl::string_view> words;
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (word id, description)
  pairs.reserve(d->descriptions.size() * 4);
  std::string buf;
  std::vector<uint32_t> seen;  // word ids of the current description
  const uint32_t nd = static_cast<uint32_t>(d->descriptions.size());
  for (uint32_t i = 0; i < nd; ++i) {
    const DescriptionRecord& r = d->descriptions[i];
    if (!r.active || r.type == kDefinition) continue;
    absl::string_view term(d->terms.data() + r.term_offset, r.term_length);
    seen.clear();
    ForEachWord(term, &buf, [&](absl::string_view w) {
      auto it = vocab.find(w);
      uint32_t id;
      if (it == vocab.end()) {
        id = static_cast<uint32_t>(words.size());
        absl::string_view stored = arena.Copy(w);
        words.push_back(stored);
        vocab.emplace(stored, id);
      } else {
        id = it->second;
      }
      if (std::find(seen.begin(), seen.end(), id) == seen.end()) {
        seen.push_back(id);
        pairs.emplace_back(id, i);
      }
    });
  }
  vocab = {};
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
