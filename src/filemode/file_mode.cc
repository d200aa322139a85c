#include "dedup/filemode/file_mode.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "dedup/base/reject.h"
#include "dedup/base/status.h"
#include "dedup/filemode/line_reader.h"
#include "dedup/parse/article_json.h"

namespace dedup {

namespace {

constexpr size_t kOutputBlock = size_t{64} << 10;

// Writes `buf` to `out` and empties it; false when the stream failed.
bool WriteOut(std::ostream& out, std::string& buf) {
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  buf.clear();
  return static_cast<bool>(out);
}

}  // namespace

absl::Status RunFileMode(const Config& config, std::istream& in, std::ostream& out,
                         FileModeSummary* summary) {
  return RunFileMode(config, LineReader::FromStream(in), out, summary);
}

absl::Status RunFileMode(const Config& config, LineReader::ReadFn in, std::ostream& out,
                         FileModeSummary* summary) {
  DEDUP_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Create(config));
  ArticleParser parser(config.input);
  FileModeSummary s;
  s.kernel = std::string(engine->kernel_name());
  s.lsh = engine->lsh_params();
  const auto start = std::chrono::steady_clock::now();
  LineReader lines(std::move(in), kJsonPadding);
  std::string_view line;
  std::string buf;  // output lines, written in blocks
  // One of each for every line: their strings and buffers keep their memory.
  Article article;
  AnalyzedArticle analyzed;
  Decision decision;
  while (lines.Next(line)) {
    ++s.lines;
    if (std::all_of(line.begin(), line.end(),
                    [](char c) { return absl::ascii_isspace(static_cast<unsigned char>(c)); })) {
      AppendErrorJson(buf, std::nullopt, false, RejectError("empty_line", "blank input line"));
      ++s.errors;
    } else {
      const absl::Status parsed = parser.ParseIntoPadded(line, article);
      absl::Status decided = parsed;
      if (parsed.ok()) {
        AnalyzeArticle(article, config, analyzed);
        decided = engine->ProcessInto(article, analyzed, nullptr, decision);
      }
      if (decided.ok()) {
        AppendDecisionJson(buf, decision);
      } else {
        std::optional<std::string> id;
        bool is_number = false;
        if (parsed.ok()) {
          id = article.id;
          is_number = article.id_is_number;
        } else {
          id = parser.TryExtractId(line);
        }
        AppendErrorJson(buf, id, is_number, decided);
        ++s.errors;
      }
    }
    buf.push_back('\n');
    // Written in blocks, and before the reader waits for more input: from a pipe, decisions
    // come out as the lines come in.
    const bool flush = !lines.line_ready();
    if (flush || buf.size() >= kOutputBlock) {
      if (!WriteOut(out, buf) || (flush && !out.flush())) {
        return absl::DataLossError("write to output failed");
      }
    }
  }
  if (!WriteOut(out, buf)) return absl::DataLossError("write to output failed");
  if (lines.failed()) return absl::DataLossError("read from input failed");
  out.flush();
  if (!out) return absl::DataLossError("write to output failed");
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
      "kernel=%s lsh_bands=%d lsh_rows=%d future_timestamps=%d",
      articles, s.engine.clusters_created - s.engine.clusters_merged, s.engine.duplicates, s.errors, rate, s.seconds,
      s.engine.clusters_merged, cand, s.engine.boilerplate_lines,
      s.engine.evicted_window + s.engine.evicted_capacity, s.engine.replays, s.kernel, s.lsh.bands,
      s.lsh.rows, s.engine.future_timestamps);
}

}  // namespace dedup
