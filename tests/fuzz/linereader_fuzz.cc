// libFuzzer target: file mode's LineReader against a plain split of the same bytes into lines
// (what std::getline gives, each cut at the maximum), for reads of fuzzed sizes, a fuzzed block
// size and maximum line length, and lines whose buffers are held while the reader goes on
// (their bytes must stay as they were). The 64 bytes after every line are read (ASan checks
// they are there).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dedup/filemode/line_reader.h"

namespace {

constexpr size_t kPadding = 64;

struct Expected {
  std::string text;
  bool truncated;
};

std::vector<Expected> Split(std::string_view input, size_t max_line) {
  std::vector<Expected> lines;
  size_t pos = 0;
  while (pos < input.size()) {
    size_t end = input.find('\n', pos);
    const size_t next = end == std::string_view::npos ? input.size() : end + 1;
    if (end == std::string_view::npos) end = input.size();
    const size_t size = end - pos;
    lines.push_back({std::string(input.substr(pos, std::min(size, max_line))), size > max_line});
    pos = next;
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const size_t block = 1 + data[0];                                       // 1..256
  const size_t max_line = data[1] == 0 ? SIZE_MAX : size_t{data[1]} * 3;  // 3..765 or none
  uint32_t state = data[2] | (uint32_t{data[3]} << 8) | 1;  // read sizes and which lines to hold
  const std::string_view input(reinterpret_cast<const char*>(data) + 4, size - 4);
  const auto next_random = [&state] {
    state = state * 1103515245u + 12345u;
    return state >> 16;
  };
  size_t sent = 0;
  dedup::LineReader reader(
      [&](char* out, size_t want) -> ptrdiff_t {
        const size_t n = std::min({want, input.size() - sent, size_t{1} + next_random() % 300});
        input.copy(out, n, sent);
        sent += n;
        return static_cast<ptrdiff_t>(n);
      },
      kPadding, block, max_line);
  const std::vector<Expected> expected = Split(input, max_line);
  struct Held {
    std::shared_ptr<const char[]> buffer;
    std::string_view line;
    size_t index;
  };
  std::vector<Held> held;
  std::string_view line;
  size_t i = 0;
  while (reader.Next(line)) {
    if (i >= expected.size()) __builtin_trap();
    if (line != expected[i].text || reader.truncated() != expected[i].truncated) __builtin_trap();
    volatile char sink = 0;
    for (size_t k = 0; k < kPadding; ++k) sink = sink ^ line.data()[line.size() + k];
    if (next_random() % 4 == 0) held.push_back({reader.buffer(), line, i});
    if (held.size() > 8) held.erase(held.begin() + static_cast<ptrdiff_t>(next_random() % 8));
    for (const Held& h : held) {
      if (h.line != expected[h.index].text) __builtin_trap();
    }
    ++i;
  }
  if (i != expected.size() || reader.failed()) __builtin_trap();
  return 0;
}
