#include "dedup/text/shingle.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "dedup/base/hash.h"

namespace dedup {

namespace {

uint16_t Fold16(uint64_t h) { return static_cast<uint16_t>(h ^ (h >> 16) ^ (h >> 32) ^ (h >> 48)); }

uint64_t ShingleHash(const uint64_t* words, size_t k) { return Hash64(words, k * sizeof(uint64_t)); }

}  // namespace

int LeadShingles(std::span<const uint64_t> word_hashes, int k, uint16_t* out) {
  const size_t n = word_hashes.size();
  const size_t kk = static_cast<size_t>(k);
  if (n == 0) return 0;
  if (n <= kk) {
    out[0] = Fold16(ShingleHash(word_hashes.data(), n));
    return 1;
  }
  std::array<uint64_t, kLeadShingles> shingles;
  const size_t count = std::min<size_t>(kLeadShingles, n - kk + 1);
  for (size_t i = 0; i < count; ++i) shingles[i] = ShingleHash(word_hashes.data() + i, kk);
  return LeadFromShingles({shingles.data(), count}, out);
}

int LeadFromShingles(std::span<const uint64_t> shingles, uint16_t* out) {
  const size_t count = std::min<size_t>(kLeadShingles, shingles.size());
  for (size_t i = 0; i < count; ++i) out[i] = Fold16(shingles[i]);
  std::sort(out, out + count);
  return static_cast<int>(count);
}

void DistinctShingles(std::span<const uint64_t> word_hashes, int k, std::vector<uint64_t>& out) {
  out.clear();
  const size_t n = word_hashes.size();
  if (n == 0) return;
  const size_t kk = static_cast<size_t>(k);
  if (n <= kk) {
    out.push_back(Hash64(word_hashes.data(), n * sizeof(uint64_t)));
    return;
  }
  const size_t m = n - kk + 1;
  size_t cap = 64;
  while (cap < 2 * m) cap *= 2;
  // Open addressing over positions in `out` (1 + the index; 0 marks an empty slot): 4 bytes a
  // slot instead of the 8 of a hash, so the table of a long article stays in the L1 cache.
  thread_local std::vector<uint32_t> table;
  table.assign(cap, 0);
  out.reserve(m);
  const auto run = [&](auto shingle_hash) {
    for (size_t i = 0; i < m; ++i) {
      const uint64_t h = shingle_hash(word_hashes.data() + i);
      size_t s = static_cast<size_t>(h >> 32) & (cap - 1);
      while (table[s] != 0 && out[table[s] - 1] != h) s = (s + 1) & (cap - 1);
      if (table[s] != 0) continue;
      out.push_back(h);
      table[s] = static_cast<uint32_t>(out.size());
    }
  };
  // The usual shingle lengths with the hash's input length known at compile time (XXH3 then
  // goes straight to its code for that length).
  switch (kk) {
    case 3: return run([](const uint64_t* w) { return Hash64(w, 3 * sizeof(uint64_t)); });
    case 5: return run([](const uint64_t* w) { return Hash64(w, 5 * sizeof(uint64_t)); });
    default: return run([kk](const uint64_t* w) { return Hash64(w, kk * sizeof(uint64_t)); });
  }
}

bool TextShingles::Contains(uint64_t h) const {
  if (table.empty()) return false;
  const size_t mask = table.size() - 1;
  size_t s = static_cast<size_t>(h >> 32) & mask;
  while (table[s] != 0) {
    if (hashes[table[s] - 1] == h) return true;
    s = (s + 1) & mask;
  }
  return false;
}

void ShingleText(std::span<const uint64_t> word_hashes, int k, TextShingles& out) {
  out.k = k;
  out.distinct = 0;
  const size_t n = word_hashes.size();
  if (n == 0) {
    out.hashes.clear();
    out.repeated.clear();
    out.table.clear();
    return;
  }
  const size_t kk = static_cast<size_t>(k);
  const size_t m = n <= kk ? 1 : n - kk + 1;
  // Every value below is written before it is read: no need to clear the buffers first (the
  // table excepted).
  out.hashes.resize(m);
  out.repeated.resize(m);
  uint64_t* const h = out.hashes.data();
  uint8_t* const repeated = out.repeated.data();
  if (n <= kk) {
    h[0] = ShingleHash(word_hashes.data(), n);
  } else {
    // Every hash first (independent iterations the CPU overlaps), then the table. The usual
    // shingle lengths with the hash's input length known at compile time.
    switch (kk) {
      case 3:
        for (size_t i = 0; i < m; ++i) h[i] = ShingleHash(word_hashes.data() + i, 3);
        break;
      case 5:
        for (size_t i = 0; i < m; ++i) h[i] = ShingleHash(word_hashes.data() + i, 5);
        break;
      default:
        for (size_t i = 0; i < m; ++i) h[i] = ShingleHash(word_hashes.data() + i, kk);
    }
  }
  size_t cap = 64;
  while (cap < 2 * m) cap *= 2;
  out.table.assign(cap, 0);
  uint32_t* const t = out.table.data();
  size_t distinct = 0;
  for (size_t i = 0; i < m; ++i) {
    size_t s = static_cast<size_t>(h[i] >> 32) & (cap - 1);
    while (t[s] != 0 && h[t[s] - 1] != h[i]) s = (s + 1) & (cap - 1);
    if (t[s] != 0) {
      repeated[i] = 1;
      repeated[t[s] - 1] = 1;
      continue;
    }
    repeated[i] = 0;
    t[s] = static_cast<uint32_t>(i + 1);
    ++distinct;
  }
  out.distinct = distinct;
}

KeptShingleSet KeptShingles(const TextShingles& text, std::span<const uint64_t> kept_words,
                            std::span<const WordRun> runs, std::vector<uint64_t>& scratch) {
  const size_t n = kept_words.size();
  if (n == 0) return {};
  const size_t kk = static_cast<size_t>(text.k);
  const size_t text_words = text.hashes.empty() ? 0 : text.hashes.size() + kk - 1;
  if (runs.size() == 1 && runs[0].begin == 0 && n == text_words && n > kk) {
    return {text.hashes, text.distinct};  // every line kept
  }
  scratch.clear();
  if (n <= kk) {
    scratch.push_back(ShingleHash(kept_words.data(), n));
    return {scratch, 1};
  }
  // A kept shingle within one run is the text's (counted at once unless the text repeats it);
  // one across a gap is hashed here. The text's repeated values and the new ones are counted
  // through a sort, which is exact unless a new one equals a value of the text: then all are
  // counted through a sort of all.
  thread_local std::vector<uint64_t> others;
  others.clear();
  size_t unique = 0;
  bool new_in_text = false;
  const size_t m = n - kk + 1;  // kept shingles
  scratch.reserve(m);
  size_t p0 = 0;                // the run's first word among the kept words
  for (const WordRun& r : runs) {
    const size_t len = r.end - r.begin;
    if (len >= kk) {
      const size_t count = len - kk + 1;  // the run's whole shingles, from text position r.begin
      const uint64_t* const h = text.hashes.data() + r.begin;
      const uint8_t* const repeated = text.repeated.data() + r.begin;
      scratch.insert(scratch.end(), h, h + count);
      size_t repeats = 0;
      for (size_t i = 0; i < count; ++i) repeats += repeated[i];
      unique += count - repeats;
      if (repeats != 0) {
        for (size_t i = 0; i < count; ++i) {
          if (repeated[i]) others.push_back(h[i]);
        }
      }
    }
    const size_t end = std::min(p0 + len, m);
    for (size_t p = p0 + (len >= kk ? len - kk + 1 : 0); p < end; ++p) {
      const uint64_t x = ShingleHash(kept_words.data() + p, kk);
      scratch.push_back(x);
      others.push_back(x);
      new_in_text |= text.Contains(x);
    }
    p0 += len;
  }
  if (new_in_text) {
    others.assign(scratch.begin(), scratch.end());
    std::sort(others.begin(), others.end());
    return {scratch, static_cast<size_t>(std::unique(others.begin(), others.end()) - others.begin())};
  }
  std::sort(others.begin(), others.end());
  return {scratch, unique + static_cast<size_t>(std::unique(others.begin(), others.end()) -
                                                others.begin())};
}

void ShingleSet(std::span<const uint64_t> word_hashes, int k, std::vector<uint64_t>& out) {
  DistinctShingles(word_hashes, k, out);
  std::sort(out.begin(), out.end());
}

}  // namespace dedup
