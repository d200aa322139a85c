#include "dedup/filemode/file_mode.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dedup/base/time.h"
#include "testing/affinity.h"
#include "testing/fixtures.h"

namespace dedup {
namespace {

using testing::ArticleJsonLine;

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

TEST(FileMode, OneDecisionPerLineInOrderWithErrorsForBadLines) {
  const std::string& story = testing::Story("glacier-study").body;
  std::string input;
  input += ArticleJsonLine("a1", "Wire", story, "2026-01-01T10:00:00Z") + "\n";
  input += "this is not json\n";
  input += R"({"id":"no-body"})" "\n";
  input += "\n";
  input += R"({"id":"bad-type","body":["x"]})" "\n";
  input += ArticleJsonLine("empty", "Wire", "  ...  ", "2026-01-01T10:30:00Z") + "\n";
  input += ArticleJsonLine("a2", "Site", "GLACIER NEWS\n" + story, "2026-01-01T11:00:00Z") + "\n";
  input += R"({"id":9,"body":"A brand new story about something else entirely, nothing like the glacier one at all."})";
  std::istringstream in(input);
  std::ostringstream out;
  FileModeSummary summary;
  ASSERT_TRUE(RunFileMode(Config{}, in, out, &summary).ok());
  const auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(lines[0], R"({"id":"a1","cluster_id":"a1","canonical_id":"a1","duplicate":false,"matched_id":null,"similarity":0,"containment":0})");
  EXPECT_NE(lines[1].find(R"("id":null,"error":)"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(R"("reason":"not_json")"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(R"({"id":"no-body",)"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find(R"("reason":"missing_body")"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find(R"("reason":"empty_line")"), std::string::npos) << lines[3];
  EXPECT_NE(lines[4].find(R"({"id":"bad-type",)"), std::string::npos) << lines[4];
  EXPECT_NE(lines[4].find(R"("reason":"bad_body")"), std::string::npos) << lines[4];
  EXPECT_NE(lines[5].find(R"("reason":"empty_body")"), std::string::npos) << lines[5];
  EXPECT_NE(lines[6].find(R"({"id":"a2","cluster_id":"a1","canonical_id":"a1","duplicate":true,"matched_id":"a1")"),
            std::string::npos) << lines[6];
  EXPECT_NE(lines[7].find(R"({"id":9,"cluster_id":"9")"), std::string::npos) << lines[7];
  EXPECT_EQ(summary.lines, 8u);
  EXPECT_EQ(summary.errors, 5u);
  EXPECT_EQ(summary.engine.articles, 3u);
  EXPECT_EQ(summary.engine.duplicates, 1u);
  const std::string text = FormatSummary(summary);
  EXPECT_NE(text.find("articles=3 clusters=2 duplicates=1 errors=5"), std::string::npos) << text;
}

// File mode checks event times against the host's clock too: one article dated years ahead
// must not carry the window along (the copy after it is still found) and is counted.
TEST(FileMode, ArticleDatedYearsAheadIsTakenAsPublishedNow) {
  const EventTimeMs now = WallClockMs();
  const auto date = [](EventTimeMs t) {
    std::string out;
    AppendRfc3339Ms(out, t);
    return out;
  };
  const std::string& story = testing::Story("glacier-study").body;
  std::string input;
  input += ArticleJsonLine("a1", "Wire", story, date(now - 2 * testing::kHour)) + "\n";
  input += ArticleJsonLine("ahead", "Other", testing::Story("rail-strike").body,
                           date(now + 10 * 365 * 24 * testing::kHour)) + "\n";
  input += ArticleJsonLine("a2", "Site", story, date(now - testing::kHour)) + "\n";
  std::istringstream in(input);
  std::ostringstream out;
  FileModeSummary summary;
  ASSERT_TRUE(RunFileMode(Config{}, in, out, &summary).ok());
  const auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[2].find(R"("duplicate":true,"matched_id":"a1")"), std::string::npos) << lines[2];
  EXPECT_EQ(summary.engine.future_timestamps, 1u);
  EXPECT_EQ(summary.engine.evicted_window, 0u);
  EXPECT_NE(FormatSummary(summary).find("future_timestamps=1"), std::string::npos);
}

// Workers parse, analyse and sign ahead; the engine decides in input order on the calling
// thread, using a worker's signature only when its guess of the dropped lines was the engine's
// own. So the output is the same whatever the number of workers: byte for byte, over a stream
// with reprints, boilerplate learned per source, headlines, errors and blank lines.
TEST(FileMode, WorkersGiveTheSameOutputAsOneThread) {
  std::string input;
  const auto& stories = testing::Stories();
  int n = 0;
  for (int round = 0; round < 6; ++round) {
    for (size_t k = 0; k < stories.size(); ++k) {
      const std::string source = "site" + std::to_string((round + k) % 4);
      const std::string body = "SITE " + source + " HOME | NEWS | SPORT\n" + stories[k].body +
                               "\nCopyright " + source + ". All rights reserved.";
      input += ArticleJsonLine("a" + std::to_string(n++), source, body,
                               "2026-03-01T" + std::to_string(10 + round) + ":00:00Z") +
               "\n";
    }
    input += "not json at all\n";
    input += "   \n";
    input += R"({"id":"typed","body":42})" "\n";
  }
  const auto run = [&input](int workers) {
    std::istringstream in(input);
    std::ostringstream out;
    FileModeSummary summary;
    FileModeOptions options;
    options.workers = workers;
    // Reads of 4 KiB: lines queued for the workers lie in buffers the reader has moved on from.
    options.read_block_bytes = 4096;
    EXPECT_TRUE(RunFileMode(Config{}, in, out, &summary, options).ok());
    EXPECT_EQ(summary.workers, workers);
    return std::make_pair(out.str(), summary);
  };
  const auto [alone, alone_summary] = run(0);
  ASSERT_EQ(Lines(alone).size(), static_cast<size_t>(n) + 18);
  EXPECT_GT(alone_summary.engine.duplicates, 0u);
  EXPECT_GT(alone_summary.engine.boilerplate_lines, 0u);
  for (const int workers : {1, 3}) {
    const auto [parallel, summary] = run(workers);
    EXPECT_EQ(parallel, alone) << workers << " workers";
    EXPECT_EQ(summary.errors, alone_summary.errors);
    EXPECT_EQ(summary.engine.boilerplate_lines, alone_summary.engine.boilerplate_lines);
    // How many the engine took presigned depends on timing (the calling thread analyses lines
    // itself, unsigned, while it waits); engine/presign_test.cc checks presigned results.
  }
}

// A line over input.max_article_bytes is refused as too_large without being held whole, and
// the lines after it are decided as usual, with or without workers.
TEST(FileMode, ALineOverTheMaximumIsRefusedAndTheRestDecided) {
  Config config;
  config.input.max_article_bytes = 2000;
  const std::string& story = testing::Story("rail-strike").body;
  const std::string small = story.substr(0, 1200);
  std::string input;
  input += ArticleJsonLine("ok1", "Wire", small, "2026-02-01T08:00:00Z") + "\n";
  input += ArticleJsonLine("huge", "Wire", std::string(100000, 'w'), "2026-02-01T08:30:00Z") + "\n";
  input += ArticleJsonLine("ok2", "Paper", small, "2026-02-01T09:00:00Z") + "\n";
  for (const int workers : {0, 1}) {
    std::istringstream in(input);
    std::ostringstream out;
    FileModeSummary summary;
    FileModeOptions options;
    options.workers = workers;
    ASSERT_TRUE(RunFileMode(config, in, out, &summary, options).ok());
    const auto lines = Lines(out.str());
    ASSERT_EQ(lines.size(), 3u) << workers;
    EXPECT_NE(lines[0].find(R"({"id":"ok1","cluster_id":"ok1")"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find(R"("id":null,"error":)"), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find(R"("reason":"too_large")"), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("max_article_bytes = 2000"), std::string::npos) << lines[1];
    EXPECT_NE(lines[2].find(R"({"id":"ok2","cluster_id":"ok1")"), std::string::npos) << lines[2];
    EXPECT_EQ(summary.errors, 1u);
  }
}

// By default the workers are the CPUs this process may use but the engine's: none on one CPU.
TEST(FileMode, DefaultWorkersLeaveTheEngineACpu) {
  cpu_set_t saved;
  ASSERT_EQ(sched_getaffinity(0, sizeof(saved), &saved), 0);
  const auto run_default = [] {
    std::istringstream in(ArticleJsonLine("d1", "Wire", testing::Story("glacier-study").body,
                                          "2026-01-01T10:00:00Z"));
    std::ostringstream out;
    FileModeSummary summary;
    FileModeOptions options;
    options.workers = -1;
    EXPECT_TRUE(RunFileMode(Config{}, in, out, &summary, options).ok());
    EXPECT_NE(out.str().find(R"({"id":"d1")"), std::string::npos);
    return summary.workers;
  };
  EXPECT_EQ(run_default(), std::min(CPU_COUNT(&saved) - 1, 4));
  const testing::OneCpu one;
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(run_default(), 0);
}

TEST(FileMode, EmptyInputGivesEmptyOutput) {
  std::istringstream in("");
  std::ostringstream out;
  ASSERT_TRUE(RunFileMode(Config{}, in, out, nullptr).ok());
  EXPECT_EQ(out.str(), "");
}

// The binary itself, as a user runs it: no config file, input and output files.
TEST(FileModeBinary, RunsWithoutConfigAndWritesSummaryToStderr) {
  const std::string bin = testing::BinaryPath();
  const std::string dir = ::testing::TempDir();
  const std::string in_path = dir + "/fm_in.jsonl", out_path = dir + "/fm_out.jsonl",
                    err_path = dir + "/fm_err.txt";
  {
    std::ofstream f(in_path);
    const std::string& story = testing::Story("rail-strike").body;
    f << ArticleJsonLine("r1", "Wire", story, "2026-02-01T08:00:00Z") << "\n";
    f << ArticleJsonLine("r2", "Paper", story, "2026-02-01T09:00:00Z") << "\n";
    f << "{broken\n";
  }
  const std::string cmd = bin + " dedup --input " + in_path + " --output " +
                          out_path + " 2>" + err_path;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream o(out_path);
  std::stringstream ob;
  ob << o.rdbuf();
  const auto lines = Lines(ob.str());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[1].find(R"("duplicate":true)"), std::string::npos);
  EXPECT_NE(lines[2].find(R"("error")"), std::string::npos);
  std::ifstream e(err_path);
  std::stringstream eb;
  eb << e.rdbuf();
  EXPECT_NE(eb.str().find("articles=2 clusters=1 duplicates=1 errors=1"), std::string::npos)
      << eb.str();
}

// From a pipe, each decision comes out once its line is in, before the input ends, with or
// without workers.
TEST(FileModeBinary, DecidesEachLineFromAPipeAsItArrives) {
  for (const char* workers : {"0", "1"}) {
    int to_child[2], from_child[2];
    ASSERT_EQ(pipe(to_child), 0);
    ASSERT_EQ(pipe(from_child), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      dup2(to_child[0], STDIN_FILENO);
      dup2(from_child[1], STDOUT_FILENO);
      close(to_child[1]);
      close(from_child[0]);
      const std::string bin = testing::BinaryPath();
      execl(bin.c_str(), bin.c_str(), "dedup", "--workers", workers, static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    const auto read_line = [&](std::string& line) {
      line.clear();
      char c;
      while (true) {
        pollfd p{from_child[0], POLLIN, 0};
        if (poll(&p, 1, 10000) <= 0) return false;  // no output within 10 s
        if (read(from_child[0], &c, 1) != 1) return false;
        if (c == '\n') return true;
        line.push_back(c);
      }
    };
    const std::string& story = testing::Story("glacier-study").body;
    for (const char* id : {"p1", "p2"}) {
      const std::string in = ArticleJsonLine(id, "Wire", story, "2026-01-01T10:00:00Z") + "\n";
      ASSERT_EQ(write(to_child[1], in.data(), in.size()), static_cast<ssize_t>(in.size()));
      std::string out;
      ASSERT_TRUE(read_line(out)) << "no decision for " << id << " with --workers " << workers;
      EXPECT_NE(out.find(std::string(R"({"id":")") + id), std::string::npos) << out;
    }
    close(to_child[1]);
    std::string rest;
    EXPECT_FALSE(read_line(rest));  // the end of the input ends the output
    close(from_child[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
}

TEST(FileModeBinary, RejectsABadWorkerCount) {
  const std::string bin = testing::BinaryPath();
  const int rc = std::system((bin + " dedup --workers many </dev/null >/dev/null 2>&1").c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 2);
}

TEST(FileModeBinary, CheckConfigNamesTheBadKey) {
  const std::string bin = testing::BinaryPath();
  const std::string dir = ::testing::TempDir();
  const std::string cfg = dir + "/bad.toml", err = dir + "/cc_err.txt";
  {
    std::ofstream f(cfg);
    f << "[match]\njaccard_threshold = 2.0\n";
  }
  const int rc = std::system((bin + " check-config --config " + cfg + " 2>" + err).c_str());
  EXPECT_NE(rc, 0);
  std::ifstream e(err);
  std::stringstream eb;
  eb << e.rdbuf();
  EXPECT_NE(eb.str().find("match.jaccard_threshold"), std::string::npos) << eb.str();
}

}  // namespace
}  // namespace dedup
