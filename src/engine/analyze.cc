#include "dedup/engine/analyze.h"

#include <algorithm>
#include <bit>

#include "dedup/base/hash.h"
#include "dedup/base/status.h"
#include "dedup/text/headlines.h"

namespace dedup {

void AnalyzeArticle(const Article& article, const Config& config, AnalyzedArticle& out) {
  out.presigned_by = nullptr;
  if (config.text.include_title && !article.title.empty()) {
    // The title's analysis is the first part of the text's (title, a line break, the body) and
    // also gives its headline hash.
    AnalyzeText(article.title, out.doc);
    HeadlineIndex::Hashes(article.title, out.doc, out.headline_hashes);
    AnalyzeTextAppend(article.body, out.doc);
  } else {
    thread_local Document title;  // reused: workers analyse one article after another
    AnalyzeText(article.title, title);
    HeadlineIndex::Hashes(article.title, title, out.headline_hashes);  // into the kept buffer
    AnalyzeText(article.body, out.doc);
  }
}

std::string_view BoilerplateSourceKey(const Article& article) {
  if (!article.source.empty()) return article.source;
  std::string_view url = article.url;
  const size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  return url.substr(0, url.find('/'));
}

void SignKept(const Document& doc, std::span<const char> drop, const Config& config,
              const MinHasher& hasher, SignedText& out) {
  out.kept_words.clear();
  out.kept_numbers.clear();
  uint32_t dropped = 0;
  // The lead starts at the first line long enough to be prose: short lines before it are
  // navigation, bylines and headline lists, which differ from page to page.
  constexpr uint32_t kProseLineWords = 8;
  size_t lead_start = SIZE_MAX, whole_lead_start = SIZE_MAX;
  for (size_t i = 0; i < doc.lines.size(); ++i) {
    const TextLine& l = doc.lines[i];
    if (l.num_words >= kProseLineWords && whole_lead_start == SIZE_MAX) {
      whole_lead_start = l.first_word;
    }
    if (drop[i]) {
      ++dropped;
      continue;
    }
    if (l.num_words >= kProseLineWords && lead_start == SIZE_MAX) {
      lead_start = out.kept_words.size();
    }
    out.kept_words.insert(out.kept_words.end(), doc.word_hashes.begin() + l.first_word,
                          doc.word_hashes.begin() + l.first_word + l.num_words);
    out.kept_numbers.insert(out.kept_numbers.end(), doc.number_hashes.begin() + l.first_number,
                            doc.number_hashes.begin() + l.first_number + l.num_numbers);
  }
  std::span<const uint64_t> words = out.kept_words;
  std::span<const uint64_t> numbers = out.kept_numbers;
  out.fallback = out.kept_words.size() < static_cast<size_t>(config.boilerplate.min_kept_tokens) &&
                 doc.word_hashes.size() > out.kept_words.size();
  if (out.fallback) {
    // Too little left: this page may be all boilerplate-looking lines (a site re-posting the same
    // story); comparing it whole is better than comparing a fragment.
    words = doc.word_hashes;
    numbers = doc.number_hashes;
    lead_start = whole_lead_start;
    dropped = 0;
  }
  out.dropped_lines = dropped;
  out.words = static_cast<uint32_t>(words.size());
  out.numbers = MakeNumberSketch(numbers);
  // Signature version 4 hashes shingles with XXH3, version 5 folds them (sketch/minhash.h).
  const ShingleHash shingle_hash = hasher.algorithm() == SketchAlgorithm::kMinHash
                                       ? ShingleHash::kXxh3
                                       : ShingleHash::kFold;
  DistinctShingles(words, config.text.shingle_words, shingle_hash, out.shingles);
  if (lead_start == SIZE_MAX) lead_start = 0;
  out.lead_size = LeadShingles(words.subspan(lead_start), config.text.shingle_words,
                               out.lead.data());
  out.sig.resize(static_cast<size_t>(config.sketch.num_hashes));
  hasher.Sign(out.shingles, out.sig);
  out.sig16.resize(out.sig.size());
  for (size_t i = 0; i < out.sig.size(); ++i) out.sig16[i] = static_cast<uint16_t>(out.sig[i]);
}

absl::StatusOr<std::shared_ptr<Presigner>> Presigner::Create(const Config& config) {
  DEDUP_ASSIGN_OR_RETURN(MinHashKernel kernel, SelectMinHashKernel(config.sketch.kernel));
  DEDUP_ASSIGN_OR_RETURN(SketchAlgorithm algorithm,
                         SelectSketchAlgorithm(config.sketch.algorithm));
  return std::shared_ptr<Presigner>(new Presigner(config, kernel, algorithm));
}

Presigner::Presigner(const Config& config, MinHashKernel kernel, SketchAlgorithm algorithm)
    : config_(config),
      hasher_(config.sketch.num_hashes, static_cast<uint64_t>(config.sketch.seed), kernel,
              algorithm),
      buckets_(kBuckets) {}

uint64_t Presigner::SourceHash(std::string_view source_key) {
  return Hash64(source_key.data(), source_key.size());
}

uint64_t Presigner::Key(uint64_t source_hash, uint64_t line_hash) {
  // Both are XXH3 values: a rotation and an XOR keep the pair's key as random. 0 marks an empty
  // entry.
  const uint64_t k = line_hash ^ std::rotl(source_hash, 29);
  return k == 0 ? 1 : k;
}

namespace {
// The table's "source" for the engine's headlines (HeadlineIndex), which drop a line whatever
// the source. A source hash equal to it (2^-64) would only make guesses worse.
constexpr uint64_t kHeadlines = 0x6865'6164'6c69'6e65;  // "headline"
}  // namespace

bool Presigner::Contains(uint64_t key) const {
  for (const std::atomic<uint64_t>& k : BucketOf(key).keys) {
    if (k.load(std::memory_order_relaxed) == key) return true;
  }
  return false;
}

bool Presigner::Guesses(std::string_view source_key, uint64_t line_hash) const {
  return Contains(Key(SourceHash(source_key), line_hash));
}

void Presigner::Presign(const Article& article, AnalyzedArticle& analyzed) {
  const Document& doc = analyzed.doc;
  const uint64_t source = SourceHash(BoilerplateSourceKey(article));
  analyzed.guessed_drop.resize(doc.lines.size());
  const bool headlines = config_.boilerplate.headline_lines;
  const std::vector<uint64_t>& own = analyzed.headline_hashes;
  // Each bucket is a likely cache miss: start loading them all first.
  for (const TextLine& l : doc.lines) {
    __builtin_prefetch(&BucketOf(Key(source, l.hash)));
    if (headlines) __builtin_prefetch(&BucketOf(Key(kHeadlines, l.hash)));
  }
  for (size_t i = 0; i < doc.lines.size(); ++i) {
    const uint64_t h = doc.lines[i].hash;
    analyzed.guessed_drop[i] =
        Contains(Key(source, h)) ||
        (headlines &&
         (Contains(Key(kHeadlines, h)) || std::find(own.begin(), own.end(), h) != own.end()));
  }
  SignKept(doc, analyzed.guessed_drop, config_, hasher_, analyzed.signed_text);
  analyzed.presigned_by = this;
  // The engine remembers this headline before deciding the articles after this one: articles
  // signed from now on guess their lines equal to it dropped.
  if (headlines) AddHeadlines(own);
}

void Presigner::Insert(uint64_t key) {
  Bucket& b = BucketOf(key);
  std::atomic<uint64_t>* victim = &b.keys[(key >> 3) % kWays];  // when the bucket is full
  for (std::atomic<uint64_t>& k : b.keys) {
    const uint64_t v = k.load(std::memory_order_relaxed);
    if (v == key) return;
    if (v == 0) victim = &k;
  }
  victim->store(key, std::memory_order_relaxed);
}

void Presigner::Remove(uint64_t key) {
  for (std::atomic<uint64_t>& k : BucketOf(key).keys) {
    if (k.load(std::memory_order_relaxed) == key) k.store(0, std::memory_order_relaxed);
  }
}

void Presigner::Correct(std::string_view source_key, std::span<const uint64_t> line_hashes,
                        std::span<const char> guess, std::span<const char> drop) {
  const uint64_t source = SourceHash(source_key);
  for (size_t i = 0; i < line_hashes.size(); ++i) {
    if ((guess[i] != 0) == (drop[i] != 0)) continue;
    if (drop[i]) {
      Insert(Key(source, line_hashes[i]));
    } else {
      // Not an own headline (the engine drops those too): an entry under the source or the
      // headlines made the guess.
      Remove(Key(source, line_hashes[i]));
      Remove(Key(kHeadlines, line_hashes[i]));
    }
  }
}

void Presigner::AddLines(std::string_view source_key, std::span<const uint64_t> line_hashes) {
  const uint64_t source = SourceHash(source_key);
  for (const uint64_t h : line_hashes) Insert(Key(source, h));
}

void Presigner::AddHeadlines(std::span<const uint64_t> headline_hashes) {
  for (const uint64_t h : headline_hashes) Insert(Key(kHeadlines, h));
}

}  // namespace dedup
