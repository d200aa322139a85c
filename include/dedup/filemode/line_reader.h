// Reading input line by line without a copy a line.
//
// A LineReader reads its input in large blocks into one buffer it reuses and hands out each
// line as a view into that buffer. Every line is followed in memory by at least `padding`
// readable, initialised bytes (the lines after it, or zeros), so a parser that reads past a
// message's end (simdjson, kJsonPadding in parse/article_json.h) can take it where it is.
// Thread-safety: not thread-safe; one reader per input.
#ifndef DEDUP_FILEMODE_LINE_READER_H_
#define DEDUP_FILEMODE_LINE_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace dedup {

class LineReader {
 public:
  // Reads up to `size` bytes into `data`: how many it read (0 at the end of the input), or -1
  // when the read failed.
  using ReadFn = std::function<ptrdiff_t(char* data, size_t size)>;
  // Whole blocks from a stream (it waits for a block to fill).
  static ReadFn FromStream(std::istream& in);
  // What a file descriptor has (from a pipe, what has arrived: lines are handed out as they
  // come). Retries reads interrupted by a signal.
  static ReadFn FromFd(int fd);

  // `block_bytes` (> 0) is the most one read asks for; a line longer than that grows the
  // buffer to hold it, up to `max_line_bytes`: a longer line is cut there (truncated()) and
  // the rest of it read past, so one endless line cannot take all memory.
  LineReader(ReadFn read, size_t padding, size_t block_bytes = size_t{1} << 20,
             size_t max_line_bytes = SIZE_MAX);

  // The next line, without its '\n' (the last line may have none); what std::getline gives.
  // The view is valid until the next call. False at the end of the input or when a read
  // failed (failed() tells which).
  bool Next(std::string_view& line);

  // Whether the line Next gave last was longer than max_line_bytes (it holds the first
  // max_line_bytes).
  bool truncated() const { return truncated_; }

  // Whether a read failed, and errno as that read left it (0 if it did not say).
  bool failed() const { return failed_; }
  int read_errno() const { return read_errno_; }

  // The buffer the last line handed out lies in. Holding it keeps that line's bytes (and the
  // padding after them) as they are: while anyone else holds a buffer, the reader reads into
  // another (one it had before that nobody holds, or a new one) instead of over it.
  std::shared_ptr<const char[]> buffer() const { return buf_; }
  // Whether the next line is read already: when not, the next Next reads (and may wait).
  bool line_ready();

 private:
  // Moves the unread bytes to the front, grows the buffer if a block does not fit after them,
  // and reads once.
  void Fill();
  // Hands out [begin_, end) as `line` (cut at max_line_) and goes on at `next`.
  void Hand(size_t end, size_t next, std::string_view& line);

  ReadFn read_;
  const size_t padding_;
  const size_t block_;
  const size_t max_line_;
  std::shared_ptr<char[]> buf_;
  size_t capacity_ = 0;
  // Buffers handed out by buffer() and set aside while held, with their capacities.
  std::vector<std::pair<std::shared_ptr<char[]>, size_t>> held_;
  size_t begin_ = 0;  // the unread bytes are [begin_, end_)
  size_t end_ = 0;
  size_t scanned_ = 0;             // [begin_, scanned_) holds no '\n'
  const char* newline_ = nullptr;  // the '\n' at scanned_, when line_ready found one
  bool at_end_ = false;
  bool failed_ = false;
  int read_errno_ = 0;
  bool truncated_ = false;
  bool skipping_ = false;  // reading past the rest of a line cut at max_line_
};

}  // namespace dedup

#endif  // DEDUP_FILEMODE_LINE_READER_H_
