#include "dedup/filemode/file_mode.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "dedup/base/reject.h"
#include "dedup/base/status.h"
#include "dedup/base/strings.h"
#include "dedup/engine/analyze.h"
#include "dedup/filemode/line_reader.h"
#include "dedup/parse/article_json.h"
#include "dedup/workers/worker_pool.h"

namespace dedup {

namespace {

constexpr size_t kOutputBlock = size_t{64} << 10;

// Output is written in blocks, and whenever `flush` (then the stream is flushed too): before
// the reader may wait for more input, so from a pipe decisions come out as the lines come in.
// Writes `buf` to `out` (emptying it) once it holds a block, or when `flush`; an error when the
// stream failed.
absl::Status WriteOut(std::ostream& out, std::string& buf, bool flush) {
  if (!flush && buf.size() < kOutputBlock) return absl::OkStatus();
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  buf.clear();
  if (flush) out.flush();
  return out ? absl::OkStatus() : absl::DataLossError("write to output failed");
}

bool IsBlank(std::string_view line) { return absl::StripAsciiWhitespace(AV(line)).empty(); }

// One input line as the worker pool's message: a view into the reader's buffer, which it holds
// (LineReader::buffer()) until the engine is done with it.
struct LineMessage {
  std::shared_ptr<const char[]> buffer;
  std::string_view text;  // empty for a line cut at input.max_article_bytes
  bool cut = false;
  std::string_view payload() const { return text; }
  bool padded() const { return true; }  // LineReader's lines are
  std::optional<int64_t> timestamp_ms() const { return std::nullopt; }
};

// The engine's half: each line's output record, in input order, appended to `buf`.
class LineDecider {
 public:
  LineDecider(const Config& config, Engine& engine, FileModeSummary& s, std::string& buf)
      : parser_(config.input),
        max_article_bytes_(config.input.max_article_bytes),
        engine_(engine),
        s_(s),
        buf_(buf) {}

  // `parsed` is how parsing `line` into `article` went; when it went well, `analyzed` holds
  // the article's analysis. A line `cut` (LineReader::truncated) is too large, whatever it holds.
  void Decide(std::string_view line, bool cut, const absl::Status& parsed, const Article& article,
              AnalyzedArticle& analyzed) {
    if (cut) {
      AppendErrorJson(buf_, std::nullopt, false,
                      RejectError("too_large", Cat("line is over input.max_article_bytes = ",
                                                   max_article_bytes_, " bytes")));
      ++s_.errors;
    } else if (IsBlank(line)) {
      AppendErrorJson(buf_, std::nullopt, false, RejectError("empty_line", "blank input line"));
      ++s_.errors;
    } else {
      absl::Status decided = parsed;
      if (parsed.ok()) decided = engine_.ProcessInto(article, analyzed, nullptr, decision_);
      if (decided.ok()) {
        AppendDecisionJson(buf_, decision_);
      } else {
        std::optional<std::string> id;
        bool is_number = false;
        if (parsed.ok()) {
          id = article.id;
          is_number = article.id_is_number;
        } else {
          id = parser_.TryExtractId(line);
        }
        AppendErrorJson(buf_, id, is_number, decided);
        ++s_.errors;
      }
    }
    buf_.push_back('\n');
  }

 private:
  ArticleParser parser_;  // for the id of a line that did not parse
  int64_t max_article_bytes_;
  Engine& engine_;
  FileModeSummary& s_;
  std::string& buf_;
  Decision decision_;  // its strings keep their memory
};

// Every line on the calling thread.
absl::Status RunInline(const Config& config, LineReader& lines, std::ostream& out,
                       LineDecider& decider, FileModeSummary& s, std::string& buf) {
  ArticleParser parser(config.input);
  std::string_view line;
  // One of each for every line: their strings and buffers keep their memory.
  Article article;
  AnalyzedArticle analyzed;
  while (lines.Next(line)) {
    ++s.lines;
    const bool cut = lines.truncated();
    absl::Status parsed;
    if (!cut && !IsBlank(line)) {
      parsed = parser.ParseIntoPadded(line, article);
      if (parsed.ok()) AnalyzeArticle(article, config, analyzed);
    }
    decider.Decide(line, cut, parsed, article, analyzed);
    DEDUP_RETURN_IF_ERROR(WriteOut(out, buf, /*flush=*/!lines.line_ready()));
  }
  return absl::OkStatus();
}

// Parsing, analysis and presigning on `workers` threads, the engine on the calling thread.
absl::Status RunWithWorkers(const Config& config, int workers, std::shared_ptr<Presigner> presigner,
                            LineReader& lines, std::ostream& out, LineDecider& decider,
                            FileModeSummary& s, std::string& buf) {
  // Enough lines queued that a worker always has the next one (waking one costs more than an
  // article's analysis), few enough that their buffers stay in the cache.
  const size_t max_queued = 64 * static_cast<size_t>(workers);
  // The workers always sign ahead: the input is all there, so the engine's thread, which
  // would otherwise sign, is the bottleneck.
  WorkerPool<LineMessage> pool(config, workers, std::move(presigner),
                               WorkerPool<LineMessage>::Presign::kAlways);
  std::string_view line;
  bool more = true;
  for (;;) {
    while (more && pool.HasRoom() && pool.Pending() < max_queued) {
      if (!lines.line_ready()) {
        // Reading on may wait for input (a pipe): decide what is in flight first, and write
        // out what is decided before waiting.
        if (pool.Pending() > 0) break;
        DEDUP_RETURN_IF_ERROR(WriteOut(out, buf, /*flush=*/true));
      }
      if (!lines.Next(line)) {
        more = false;
        break;
      }
      ++s.lines;
      const bool cut = lines.truncated();
      pool.Submit(LineMessage{lines.buffer(), cut ? std::string_view() : line, cut});
    }
    if (pool.Pending() == 0) {
      if (!more) break;
      continue;
    }
    pool.WaitReady(/*timeout_ms=*/1000);
    while (std::unique_ptr<Parsed<LineMessage>> m = pool.TakeReady()) {
      static const Article kNone;
      decider.Decide(m->msg.payload(), m->msg.cut, m->article.status(),
                     m->article.ok() ? *m->article : kNone, m->analyzed);
      pool.Recycle(std::move(m));
      DEDUP_RETURN_IF_ERROR(WriteOut(out, buf, /*flush=*/false));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunFileMode(const Config& config, std::istream& in, std::ostream& out,
                         FileModeSummary* summary, const FileModeOptions& options) {
  return RunFileMode(config, LineReader::FromStream(in), out, summary, options);
}

absl::Status RunFileMode(const Config& config, LineReader::ReadFn in, std::ostream& out,
                         FileModeSummary* summary, const FileModeOptions& options) {
  // By default the engine's thread has a CPU of its own and the workers the rest, up to
  // kMaxDefaultWorkers: a worker's part of an article takes ~1.5x the engine's (wire-dev), so
  // two keep the engine's thread busy and more would only wait.
  constexpr int kMaxDefaultWorkers = 4;
  const int workers = options.workers >= 0 ? options.workers
                                           : std::min(DefaultWorkerCount(), kMaxDefaultWorkers);
  std::shared_ptr<Presigner> presigner;
  if (workers > 0) {
    DEDUP_ASSIGN_OR_RETURN(presigner, Presigner::Create(config));
  }
  DEDUP_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine,
                         Engine::Create(config, /*clock=*/nullptr, presigner));
  FileModeSummary s;
  s.kernel = std::string(engine->kernel_name());
  s.lsh = engine->lsh_params();
  s.workers = workers;
  const auto start = std::chrono::steady_clock::now();
  // A line past input.max_article_bytes is cut there (and refused), not held whole.
  LineReader lines(std::move(in), kJsonPadding, options.read_block_bytes,
                   static_cast<size_t>(config.input.max_article_bytes));
  std::string buf;  // output lines, written in blocks
  LineDecider decider(config, *engine, s, buf);
  const absl::Status st =
      workers > 0 ? RunWithWorkers(config, workers, presigner, lines, out, decider, s, buf)
                  : RunInline(config, lines, out, decider, s, buf);
  DEDUP_RETURN_IF_ERROR(st);
  DEDUP_RETURN_IF_ERROR(WriteOut(out, buf, /*flush=*/true));
  if (lines.failed()) {
    return absl::DataLossError(lines.read_errno() != 0
                                   ? Cat("read from input failed: ", std::strerror(lines.read_errno()))
                                   : std::string("read from input failed"));
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.engine = engine->stats();
  if (summary != nullptr) *summary = std::move(s);
  return absl::OkStatus();
}

std::string FormatSummary(const FileModeSummary& s) {
  const uint64_t articles = s.engine.articles + s.engine.replays;
  const double rate = s.seconds > 0 ? static_cast<double>(articles) / s.seconds : 0.0;
  const double cand = s.engine.articles > 0 ? static_cast<double>(s.engine.candidates) /
                                                  static_cast<double>(s.engine.articles)
                                            : 0.0;
  return absl::StrFormat(
      "articles=%d clusters=%d duplicates=%d errors=%d articles_per_second=%.0f seconds=%.3f "
      "merges=%d candidates_per_article=%.2f boilerplate_lines=%d evicted=%d replays=%d "
      "kernel=%s lsh_bands=%d lsh_rows=%d future_timestamps=%d workers=%d presigned_used=%d",
      articles, s.engine.clusters_created - s.engine.clusters_merged, s.engine.duplicates, s.errors,
      rate, s.seconds, s.engine.clusters_merged, cand, s.engine.boilerplate_lines,
      s.engine.evicted_window + s.engine.evicted_capacity, s.engine.replays, s.kernel, s.lsh.bands,
      s.lsh.rows, s.engine.future_timestamps, s.workers, s.engine.presigned_used);
}

}  // namespace dedup
