#include "dedup/filemode/line_reader.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace dedup {
namespace {

constexpr size_t kPadding = 64;

// Every line of `input` read with blocks of `block` bytes; checks each line's padding.
std::vector<std::string> ReadAll(const std::string& input, size_t block) {
  std::istringstream in(input);
  LineReader reader(LineReader::FromStream(in), kPadding, block);
  std::vector<std::string> lines;
  std::string_view line;
  while (reader.Next(line)) {
    // The padding after the line is readable and initialised (ASan and MSan check it).
    unsigned sum = 0;
    for (size_t k = 0; k < kPadding; ++k) {
      sum += static_cast<unsigned char>(line.data()[line.size() + k]);
    }
    EXPECT_LT(sum, 256u * kPadding);
    lines.emplace_back(line);
  }
  EXPECT_FALSE(reader.failed());
  return lines;
}

std::vector<std::string> GetlineAll(const std::string& input) {
  std::istringstream in(input);
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

TEST(LineReader, GivesWhatGetlineGivesWhateverTheBlockSize) {
  const std::vector<std::string> inputs = {
      "",
      "\n",
      "one",
      "one\n",
      "one\ntwo",
      "one\ntwo\n",
      "\n\nthree after two blank lines\n\n",
      "crlf\r\nlines\r\n",
      std::string(1000, 'x') + "\nshort\n" + std::string(3000, 'y'),
  };
  for (const std::string& input : inputs) {
    for (const size_t block :
         {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64}, size_t{1} << 20}) {
      EXPECT_EQ(ReadAll(input, block), GetlineAll(input))
          << "block " << block << " input " << input.substr(0, 40);
    }
  }
}

TEST(LineReader, LastLineIsFollowedByZeroPadding) {
  std::istringstream in("a\nbc");
  LineReader reader(LineReader::FromStream(in), kPadding, 3);
  std::string_view line;
  ASSERT_TRUE(reader.Next(line));
  EXPECT_EQ(line, "a");
  ASSERT_TRUE(reader.Next(line));
  EXPECT_EQ(line, "bc");
  for (size_t k = 0; k < kPadding; ++k) EXPECT_EQ(line.data()[2 + k], '\0') << k;
  EXPECT_FALSE(reader.Next(line));
  EXPECT_FALSE(reader.Next(line));
}

// A line whose buffer is held stays as it was while the reader reads on (into other buffers);
// buffers nobody holds any more are read into again rather than new ones made.
TEST(LineReader, AHeldBufferKeepsItsLines) {
  std::string input;
  for (int i = 0; i < 300; ++i) input += "line number " + std::to_string(i) + "\n";
  std::istringstream in(input);
  LineReader reader(LineReader::FromStream(in), kPadding, 64);
  std::vector<std::pair<std::shared_ptr<const char[]>, std::string_view>> held;
  std::set<const char*> buffers;
  std::string_view line;
  int n = 0;
  while (reader.Next(line)) {
    EXPECT_EQ(line, "line number " + std::to_string(n)) << n;
    held.emplace_back(reader.buffer(), line);
    buffers.insert(reader.buffer().get());
    // Let go of all but the last ten lines' buffers.
    if (held.size() > 10) held.erase(held.begin());
    for (size_t k = 0; k < held.size(); ++k) {
      const int id = n - static_cast<int>(held.size() - 1 - k);
      ASSERT_EQ(held[k].second, "line number " + std::to_string(id)) << "held line " << id;
    }
    ++n;
  }
  EXPECT_EQ(n, 300);
  // Ten lines of ~16 bytes span at most four 64-byte blocks: a few buffers go round.
  EXPECT_LE(buffers.size(), 8u);
}

// A line longer than max_line_bytes is handed out cut (truncated()) and the rest of it read
// past: an endless line (here 50 MB before its end) is never held whole.
TEST(LineReader, CutsLinesPastTheMaximum) {
  size_t sent = 0;
  constexpr size_t kEndless = size_t{50} << 20;
  const std::string tail = "\nafter\n" + std::string(1500, 'y') + "\n" + std::string(1001, 'z');
  LineReader reader(
      [&](char* data, size_t size) -> ptrdiff_t {
        size_t n = 0;
        for (; n < size && sent < kEndless + tail.size(); ++n, ++sent) {
          data[n] = sent < kEndless ? 'x' : tail[sent - kEndless];
        }
        return static_cast<ptrdiff_t>(n);
      },
      kPadding, 4096, 1000);
  std::string_view line;
  ASSERT_TRUE(reader.Next(line));
  EXPECT_TRUE(reader.truncated());
  EXPECT_EQ(line, std::string(1000, 'x'));
  ASSERT_TRUE(reader.Next(line));
  EXPECT_FALSE(reader.truncated());
  EXPECT_EQ(line, "after");
  ASSERT_TRUE(reader.Next(line));  // over the maximum but ended within what is read
  EXPECT_TRUE(reader.truncated());
  EXPECT_EQ(line, std::string(1000, 'y'));
  ASSERT_TRUE(reader.Next(line));  // the last line, without a '\n'
  EXPECT_TRUE(reader.truncated());
  EXPECT_EQ(line, std::string(1000, 'z'));
  EXPECT_FALSE(reader.Next(line));
  EXPECT_FALSE(reader.failed());
}

TEST(LineReader, AFailedReadEndsTheLinesAndIsReported) {
  int calls = 0;
  LineReader reader(
      [&calls](char* data, size_t size) -> ptrdiff_t {
        if (++calls > 1) return -1;
        const std::string first = "whole\npart";
        const size_t n = std::min(size, first.size());
        first.copy(data, n);
        return static_cast<ptrdiff_t>(n);
      },
      kPadding, 16);
  std::string_view line;
  ASSERT_TRUE(reader.Next(line));
  EXPECT_EQ(line, "whole");
  EXPECT_FALSE(reader.Next(line));  // "part" never got its end: not handed out as a line
  EXPECT_TRUE(reader.failed());
  EXPECT_EQ(reader.read_errno(), 0);  // the read said nothing of why
}

// From a pipe, a line is handed out once it is in, without waiting for a block to fill, and
// line_ready says when the next Next would wait.
TEST(LineReader, FromAPipeLinesComeAsTheyArrive) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  LineReader reader(LineReader::FromFd(fds[0]), kPadding);
  ASSERT_EQ(write(fds[1], "first\nsec", 9), 9);
  std::string_view line;
  ASSERT_TRUE(reader.Next(line));
  EXPECT_EQ(line, "first");
  EXPECT_FALSE(reader.line_ready());
  ASSERT_EQ(write(fds[1], "ond\nthird\n", 10), 10);
  ASSERT_TRUE(reader.Next(line));
  EXPECT_EQ(line, "second");
  EXPECT_TRUE(reader.line_ready());
  ASSERT_TRUE(reader.Next(line));
  EXPECT_EQ(line, "third");
  close(fds[1]);
  EXPECT_FALSE(reader.Next(line));
  EXPECT_FALSE(reader.failed());
  close(fds[0]);
}

TEST(LineReader, AnUnreadableDescriptorIsAFailedRead) {
  LineReader reader(LineReader::FromFd(-1), kPadding);
  std::string_view line;
  EXPECT_FALSE(reader.Next(line));
  EXPECT_TRUE(reader.failed());
  EXPECT_EQ(reader.read_errno(), EBADF);  // why, for the message
}

// A directory opens but does not read: the failure says why ("Is a directory").
TEST(LineReader, ADirectoryIsAFailedReadWithItsReason) {
  const int fd = open(::testing::TempDir().c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  LineReader reader(LineReader::FromFd(fd), kPadding);
  std::string_view line;
  EXPECT_FALSE(reader.Next(line));
  EXPECT_TRUE(reader.failed());
  EXPECT_EQ(reader.read_errno(), EISDIR);
  close(fd);
}

}  // namespace
}  // namespace dedup
