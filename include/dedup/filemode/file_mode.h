// File mode: JSON lines in, one decision line out per input line, in input order.
//
// Input is read in blocks of up to 1 MiB and each line parsed where it lies in the block.
// Output is written in blocks of 64 KiB and whenever every line read so far is decided, so from
// a pipe (LineReader::FromFd) each decision comes out as soon as its line is in.
//
// Drives the same Engine as the daemon. A line that cannot be used (not JSON, no id, no body,
// wrong types, no words, blank) gets an error record instead of a decision and processing goes
// on; see parse/article_json.h for both formats.
// Thread-safety: RunFileMode is a function of its arguments; it owns its engine.
#ifndef DEDUP_FILEMODE_FILE_MODE_H_
#define DEDUP_FILEMODE_FILE_MODE_H_

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "dedup/config/config.h"
#include "dedup/engine/engine.h"
#include "dedup/filemode/line_reader.h"

namespace dedup {

struct FileModeSummary {
  uint64_t lines = 0;
  uint64_t errors = 0;
  double seconds = 0;
  EngineStats engine;
  std::string kernel;
  LshParams lsh;
  int workers = 0;  // as run (FileModeOptions::workers resolved)
};

struct FileModeOptions {
  // Threads that parse, analyse and sign each line ahead of the engine (the daemon's worker
  // pool, workers/worker_pool.h), which decides on the calling thread in input order: -1 one
  // per CPU this process may use but the engine's, at most 4; 0 none (everything on the
  // calling thread). The decisions are the same whatever the number.
  int workers = 0;
  // How much one read of the input asks for (LineReader's block). Tests make it small, so that
  // lines queued for the workers lie in buffers the reader has moved on from.
  size_t read_block_bytes = size_t{1} << 20;
};

// Returns an error only for I/O failure or an unusable config; bad lines are not errors.
absl::Status RunFileMode(const Config& config, std::istream& in, std::ostream& out,
                         FileModeSummary* summary, const FileModeOptions& options = {});
// The same from a LineReader's source (a file descriptor: LineReader::FromFd).
absl::Status RunFileMode(const Config& config, LineReader::ReadFn in, std::ostream& out,
                         FileModeSummary* summary, const FileModeOptions& options = {});

// "articles=... clusters=... duplicates=... errors=... articles_per_second=..." and more.
std::string FormatSummary(const FileModeSummary& s);

}  // namespace dedup

#endif  // DEDUP_FILEMODE_FILE_MODE_H_
