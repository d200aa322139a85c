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

LineReader::LineReader(ReadFn read, size_t padding, size_t block_bytes)
    : read_(std::move(read)), padding_(padding), block_(std::max<size_t>(block_bytes, 1)) {}

bool LineReader::line_ready() {
  if (newline_ == nullptr && scanned_ < end_) {
    const char* const base = buf_.get();
    newline_ = static_cast<const char*>(std::memchr(base + scanned_, '\n', end_ - scanned_));
    scanned_ = newline_ != nullptr ? static_cast<size_t>(newline_ - base) : end_;
  }
  return newline_ != nullptr || (at_end_ && begin_ < end_ && !failed_);
}

bool LineReader::Next(std::string_view& line) {
  for (;;) {
    const char* const base = buf_.get();
    line_ready();  // finds the next '\n' in what is read, if there is one
    if (newline_ != nullptr) {
      const auto at = static_cast<size_t>(newline_ - base);
      line = std::string_view(base + begin_, at - begin_);
      begin_ = scanned_ = at + 1;
      newline_ = nullptr;
      return true;
    }
    if (at_end_) {
      if (begin_ == end_ || failed_) return false;
      line = std::string_view(base + begin_, end_ - begin_);
      begin_ = scanned_ = end_;
      return true;
    }
    Fill();
  }
}

void LineReader::Fill() {
  const size_t unread = end_ - begin_;
  const size_t needed = unread + block_ + padding_;
  if (buf_ != nullptr && !Unheld(buf_)) {
    // Someone holds the current buffer: read into one nobody holds any more, or a new one.
    std::shared_ptr<char[]> old = std::move(buf_);
    const size_t old_capacity = capacity_;
    buf_ = nullptr;
    capacity_ = 0;
    for (auto& [held, capacity] : held_) {
      if (Unheld(held) && capacity >= needed) {
        std::swap(buf_, held);
        capacity_ = capacity;
        break;
      }
    }
    if (buf_ == nullptr) {  // as large as the held one: reads into it needed no more
      capacity_ = std::max(needed, old_capacity);
      buf_ = std::make_shared_for_overwrite<char[]>(capacity_);
    }
    if (unread > 0) std::memcpy(buf_.get(), old.get() + begin_, unread);
    // Set aside in the slot the swap emptied, else over one nobody holds, else added.
    auto place = std::find_if(held_.begin(), held_.end(),
                              [](const auto& h) { return h.first == nullptr; });
    if (place == held_.end()) {
      place = std::find_if(held_.begin(), held_.end(),
                           [](const auto& h) { return Unheld(h.first); });
    }
    if (place != held_.end()) {
      *place = {std::move(old), old_capacity};
    } else {
      held_.emplace_back(std::move(old), old_capacity);
    }
  } else if (needed > capacity_) {
    const size_t capacity = std::max(needed, 2 * capacity_);
    auto grown = std::make_shared_for_overwrite<char[]>(capacity);
    if (unread > 0) std::memcpy(grown.get(), buf_.get() + begin_, unread);
    buf_ = std::move(grown);
    capacity_ = capacity;
  } else if (begin_ > 0 && unread > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, unread);
  }
  scanned_ -= begin_;
  begin_ = 0;
  end_ = unread;
  const ptrdiff_t got = read_(buf_.get() + end_, block_);
  if (got <= 0) {
    at_end_ = true;
    failed_ = got < 0;
  } else {
    end_ += static_cast<size_t>(got);
  }
  std::memset(buf_.get() + end_, 0, padding_);
}

}  // namespace dedup
