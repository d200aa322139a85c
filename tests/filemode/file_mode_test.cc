#include "dedup/filemode/file_mode.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dedup/base/time.h"
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
