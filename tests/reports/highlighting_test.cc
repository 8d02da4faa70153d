// The summary's highlighting rules, each on hand-made results: lossy and
// failed engines are never best, a mesh has "no server", seed noise is a
// tie, and a column where everyone ties has no mark.
#include "reports/highlighting.h"

#include <gtest/gtest.h>

#include "tests/reports/hand_made_runs.h"

#include "reports/html_report.h"
#include "reports/markdown_summary.h"

namespace collabsim::reports {
namespace {


// The mark of `engine` on `figure`.
CellMark Mark(const results::ResultsFile& file, const std::vector<std::string>& engines, const std::string& engine,
              const std::string& figure) {
  const Aggregate a = AggregateResults(file, engines);
  const auto marks = MarkCells(a, "s");
  const size_t e = std::find(engines.begin(), engines.end(), engine) - engines.begin();
  return marks.at(e).at(FigureIndex(figure));
}

TEST(Highlighting, AnEngineThatLostWordsIsNeverBestOnLatency) {
  const auto file = HandMadeFile({{"ot", 1, 200}, {"ot", 2, 202}, {"crdt", 1, 150}, {"crdt", 2, 151},
                          {"lww", 1, 50, 0.3}, {"lww", 2, 52, 0.3}});
  const std::vector<std::string> engines = {"ot", "crdt", "lww"};
  EXPECT_EQ(Mark(file, engines, "lww", "p99_ms"), CellMark::kPlain);
  EXPECT_EQ(Mark(file, engines, "crdt", "p99_ms"), CellMark::kBest);
  EXPECT_EQ(Mark(file, engines, "ot", "p99_ms"), CellMark::kPlain);
}

TEST(Highlighting, AFailedEngineIsNeverBest) {
  const auto file = HandMadeFile({{"ot", 1, 200}, {"ot", 2, 202}, {"crdt", 1, 150}, {"crdt", 2, 151},
                          {"bad", 1, 50}, {"bad", 2, 52, 0, 4096, true}});
  const std::vector<std::string> engines = {"ot", "crdt", "bad"};
  EXPECT_EQ(Mark(file, engines, "bad", "p99_ms"), CellMark::kPlain);
  EXPECT_EQ(Mark(file, engines, "crdt", "p99_ms"), CellMark::kBest);
}

TEST(Highlighting, AMeshHasNoServerRatherThanTheLeastServerMemory) {
  const auto file = HandMadeFile({{"ot", 1, 200, 0, 8192}, {"ot", 2, 200, 0, 8192}, {"crdt", 1, 150, 0, 4096},
                          {"crdt", 2, 150, 0, 4096}, {"crdt-mesh", 1, 150, 0, 0}, {"crdt-mesh", 2, 150, 0, 0}});
  const std::vector<std::string> engines = {"ot", "crdt", "crdt-mesh"};
  EXPECT_EQ(Mark(file, engines, "crdt-mesh", "server_peak_kib"), CellMark::kNoServer);
  EXPECT_EQ(Mark(file, engines, "crdt", "server_peak_kib"), CellMark::kBest);
  EXPECT_EQ(Mark(file, engines, "ot", "server_peak_kib"), CellMark::kPlain);
}

TEST(Highlighting, SeedNoiseIsATieAndAClearGapIsNot) {
  // a and b overlap seed by seed; c is far behind both.
  const auto file = HandMadeFile({{"a", 1, 100}, {"a", 2, 130}, {"a", 3, 90}, {"b", 1, 110}, {"b", 2, 95}, {"b", 3, 125},
                          {"c", 1, 300}, {"c", 2, 310}, {"c", 3, 305}});
  const std::vector<std::string> engines = {"a", "b", "c"};
  EXPECT_EQ(Mark(file, engines, "a", "p99_ms"), CellMark::kBest);
  EXPECT_EQ(Mark(file, engines, "b", "p99_ms"), CellMark::kBest);
  EXPECT_EQ(Mark(file, engines, "c", "p99_ms"), CellMark::kPlain);
}

TEST(Highlighting, AColumnWhereEveryoneTiesHasNoMark) {
  const auto file = HandMadeFile({{"a", 1, 100}, {"a", 2, 130}, {"b", 1, 110}, {"b", 2, 120}});
  const std::vector<std::string> engines = {"a", "b"};
  EXPECT_EQ(Mark(file, engines, "a", "p99_ms"), CellMark::kPlain);
  EXPECT_EQ(Mark(file, engines, "b", "p99_ms"), CellMark::kPlain);
  // Bytes per edit are equal: no mark either.
  EXPECT_EQ(Mark(file, engines, "a", "wire_bytes_per_edit"), CellMark::kPlain);
}

TEST(Highlighting, OneSeedComparesMeansExactly) {
  const auto file = HandMadeFile({{"a", 1, 100}, {"b", 1, 101}, {"c", 1, 100}});
  const std::vector<std::string> engines = {"a", "b", "c"};
  EXPECT_EQ(Mark(file, engines, "a", "p99_ms"), CellMark::kBest);
  EXPECT_EQ(Mark(file, engines, "c", "p99_ms"), CellMark::kBest);
  EXPECT_EQ(Mark(file, engines, "b", "p99_ms"), CellMark::kPlain);
}

TEST(Highlighting, TheMarkdownAndThePageShowTheMarks) {
  const auto file = HandMadeFile({{"ot", 1, 200, 0, 8192}, {"ot", 2, 202, 0, 8192}, {"crdt-mesh", 1, 150, 0, 0},
                          {"crdt-mesh", 2, 151, 0, 0}, {"lww", 1, 50, 0.3}, {"lww", 2, 52, 0.3}});
  const Aggregate a = AggregateResults(file, {"ot", "crdt-mesh", "lww"});
  const std::string markdown = MarkdownSummary(a);
  EXPECT_NE(markdown.find("| crdt-mesh | 2 | 0 | 0.0 ± 0.0 | 0.0 ± 0.0 | **150.5 ± 6.4** |"), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| no server |"), std::string::npos) << markdown;
  EXPECT_EQ(markdown.find("**51.0"), std::string::npos) << markdown;
  const std::string html = HtmlReport(a, ChartSet{}, ".");
  EXPECT_NE(html.find("<td class=\"best\">150.5<span class=\"pm\">&plusmn; 6.4</span></td>"), std::string::npos) << html;
  EXPECT_NE(html.find("<td class=\"none\">no server</td>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<td class=\"best\">51.0"), std::string::npos) << html;
}

}  // namespace
}  // namespace collabsim::reports
