#include "dedup/filemode/line_reader.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace dedup {

LineReader::ReadFn LineReader::FromStream(std::istream& in) {
  return [&in](char* data, size_t size) -> ptrdiff_t {
    in.read(data, static_cast<std::streamsize>(size));
    if (in.bad()) return -1;
    return static_cast<ptrdiff_t>(in.gcount());
  };
}

LineReader::ReadFn LineReader::FromFd(int fd) {
  return [fd](char* data, size_t size) -> ptrdiff_t {
    for (;;) {
      const ssize_t n = ::read(fd, data, size);
      if (n >= 0 || errno != EINTR) return n;
    }
  };
}

namespace {

// Whether only the reader holds `buffer`. The holders (other threads) drop their references
// after their last read of it, with release order; the fence orders that before the reader's
// next write into it.
bool Unheld(const std::shared_ptr<char[]>& buffer) {
  if (buffer.use_count() != 1) return false;
  std::atomic_thread_fence(std::memory_order_acquire);
  return true;
}

}  // namespace

LineReader::LineReader(ReadFn read, size_t padding, size_t block_bytes, size_t max_line_bytes)
    : read_(std::move(read)),
      padding_(padding),
      block_(std::max<size_t>(block_bytes, 1)),
      max_line_(max_line_bytes) {}

bool LineReader::line_ready() {
  if (newline_ == nullptr && scanned_ < end_) {
    const char* const base = buf_.get();
    newline_ = static_cast<const char*>(std::memchr(base + scanned_, '\n', end_ - scanned_));
    scanned_ = newline_ != nullptr ? static_cast<size_t>(newline_ - base) : end_;
  }
  return newline_ != nullptr || (at_end_ && begin_ < end_ && !failed_);
}

bool LineReader::Next(std::string_view& line) {
  truncated_ = false;
  for (;;) {
    line_ready();     // finds the next '\n' in what is read, if there is one
    if (skipping_) {  // the rest of a cut line: read past up to its end
      if (newline_ != nullptr) {
        begin_ = scanned_ = static_cast<size_t>(newline_ - buf_.get()) + 1;
        newline_ = nullptr;
        skipping_ = false;
        continue;
      }
      begin_ = scanned_ = end_;
      if (at_end_) return false;
      Fill();
      continue;
    }
    if (newline_ != nullptr) {
      const auto at = static_cast<size_t>(newline_ - buf_.get());
      Hand(at, at + 1, line);
      return true;
    }
    if (at_end_) {
      if (begin_ == end_ || failed_) return false;
      Hand(end_, end_, line);
      return true;
    }
    if (end_ - begin_ > max_line_) {  // no end within max_line_ bytes: cut it here
      Hand(end_, end_, line);
      skipping_ = true;
      return true;
    }
    Fill();
  }
}

void LineReader::Hand(size_t end, size_t next, std::string_view& line) {
  size_t size = end - begin_;
  if (size > max_line_) {
    size = max_line_;
    truncated_ = true;
  }
  line = std::string_view(buf_.get() + begin_, size);
  begin_ = scanned_ = next;
  newline_ = nullptr;
}

void LineReader::Fill() {
  const size_t unread = end_ - begin_;
  const size_t needed = unread + block_ + padding_;
  const bool held = buf_ != nullptr && !Unheld(buf_);
  if (held || needed > capacity_) {
    // Into another buffer: the current one is held (its lines must stay as they are) or too
    // small. One set aside earlier that nobody holds any more serves if large enough.
    std::shared_ptr<char[]> old = std::move(buf_);
    const size_t old_capacity = capacity_;
    const auto spare = std::find_if(held_.begin(), held_.end(), [needed](const auto& h) {
      return h.second >= needed && Unheld(h.first);
    });
    if (spare != held_.end()) {
      buf_ = std::move(spare->first);
      capacity_ = spare->second;
      held_.erase(spare);
    } else {
      // Room for a block after a partial line of up to a block; twice the old size when it was
      // too small, at least as large when it is held (a buffer too small for a later read would
      // be replaced, not read into again). Set-aside buffers too small for this read go.
      capacity_ = std::max({needed, held ? old_capacity : 2 * old_capacity, 2 * block_ + padding_});
      buf_ = std::make_shared_for_overwrite<char[]>(capacity_);
      std::erase_if(held_,
                    [needed](const auto& h) { return h.second < needed && Unheld(h.first); });
    }
    if (unread > 0) std::memcpy(buf_.get(), old.get() + begin_, unread);
    if (held) held_.emplace_back(std::move(old), old_capacity);
  } else if (begin_ > 0 && unread > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, unread);
  }
  scanned_ -= begin_;
  begin_ = 0;
  end_ = unread;
  errno = 0;
  const ptrdiff_t got = read_(buf_.get() + end_, block_);
  if (got <= 0) {
    at_end_ = true;
    failed_ = got < 0;
    if (failed_) read_errno_ = errno;
  } else {
    end_ += static_cast<size_t>(got);
  }
  std::memset(buf_.get() + end_, 0, padding_);
}

}  // namespace dedup
