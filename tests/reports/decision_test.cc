// The verdict: correctness first, every figure shaded against the best
// correct engine (never a lossy or failed one), "no server" for a mesh, and
// sentences that name the trade-off, on hand-made results.
#include "reports/decision.h"

#include <gtest/gtest.h>

#include "tests/reports/hand_made_runs.h"

#include "reports/highlighting.h"
#include "reports/html_report.h"
#include "reports/markdown_summary.h"

namespace collabsim::reports {
namespace {


size_t Column(const std::string& key) {
  const auto& figures = DecisionFigures();
  for (size_t k = 0; k < figures.size(); ++k) {
    if (figures[k].key == key) return k;
  }
  ADD_FAILURE() << "no decision figure " << key;
  return 0;
}

const DecisionCell& Cell(const std::vector<ScenarioDecision>& decisions, const std::string& engine,
                         const std::string& key) {
  for (const EngineDecision& entry : decisions.at(0).engines) {
    if (entry.engine == engine) return entry.cells.at(Column(key));
  }
  ADD_FAILURE() << "no engine " << engine;
  static const DecisionCell none;
  return none;
}

const auto kFile = HandMadeFile({{"ot", 1, 200, 0, 400 * 1024},  {"ot", 2, 204, 0, 400 * 1024},
                         {"crdt", 1, 100, 0, 200 * 1024}, {"crdt", 2, 101, 0, 200 * 1024},
                         {"mesh", 1, 130, 0, 0},          {"mesh", 2, 131, 0, 0},
                         {"lww", 1, 50, 0.3, 10 * 1024},  {"lww", 2, 51, 0.3, 10 * 1024},
                         {"bad", 1, 40},                  {"bad", 2, 41, 0, 100 * 1024, true}});
const std::vector<std::string> kEngines = {"ot", "crdt", "mesh", "lww", "bad"};

TEST(Decision, CorrectnessComesFirstAndNamesWhatWentWrong) {
  const auto decisions = Decide(AggregateResults(kFile, kEngines));
  ASSERT_EQ(DecisionFigures().front().key, "correctness");
  EXPECT_EQ(Cell(decisions, "ot", "correctness").text, "correct");
  EXPECT_EQ(Cell(decisions, "ot", "correctness").shade, Shade::kBest);
  EXPECT_EQ(Cell(decisions, "lww", "correctness").text, "loses 30% of words");
  EXPECT_EQ(Cell(decisions, "lww", "correctness").shade, Shade::kFailed);
  EXPECT_EQ(Cell(decisions, "bad", "correctness").text, "failed 1/2 (convergence)");
  EXPECT_EQ(Cell(decisions, "bad", "correctness").shade, Shade::kFailed);
}

TEST(Decision, FiguresAreShadedAgainstTheBestCorrectEngine) {
  const auto decisions = Decide(AggregateResults(kFile, kEngines));
  EXPECT_EQ(Cell(decisions, "crdt", "steady_p99_ms").shade, Shade::kBest);
  EXPECT_EQ(Cell(decisions, "crdt", "steady_p99_ms").text, "100 ms");
  EXPECT_EQ(Cell(decisions, "mesh", "steady_p99_ms").shade, Shade::kNear);  // 1.3x
  EXPECT_EQ(Cell(decisions, "mesh", "steady_p99_ms").text, "130 ms (1.3x)");
  EXPECT_EQ(Cell(decisions, "ot", "steady_p99_ms").shade, Shade::kFar);  // 2.0x
  EXPECT_EQ(Cell(decisions, "ot", "server_peak_kib").text, "400 KiB (2.0x)");
  // Faster than every correct engine, and still not the best.
  EXPECT_EQ(Cell(decisions, "lww", "steady_p99_ms").shade, Shade::kNear);
  EXPECT_EQ(Cell(decisions, "lww", "steady_p99_ms").text, "50 ms (0.5x)");
  EXPECT_EQ(Cell(decisions, "bad", "steady_p99_ms").shade, Shade::kNear);
  EXPECT_EQ(Cell(decisions, "mesh", "server_peak_kib").text, "no server");
  EXPECT_EQ(Cell(decisions, "mesh", "server_peak_kib").shade, Shade::kNone);
}

TEST(Decision, SentencesNameTheTradeOffs) {
  const auto decisions = Decide(AggregateResults(kFile, kEngines));
  const std::vector<std::string>& s = decisions.at(0).sentences;
  ASSERT_GE(s.size(), 4u);
  EXPECT_EQ(s[0], "Correct on every seed and lost nothing: ot, crdt, mesh.");
  EXPECT_EQ(s[1], "bad failed 1 of 2 runs (convergence): see Failures.");
  EXPECT_NE(std::find(s.begin(), s.end(), "Steady-state p99 latency: crdt best (100 ms), ot 2.0x, mesh 1.3x."),
            s.end());
  EXPECT_NE(std::find(s.begin(), s.end(), "Server memory: crdt best (200 KiB), ot 2.0x."), s.end());
  EXPECT_EQ(s.back(),
            "lww: 2.0x lower steady-state p99 latency than crdt, 20x less server memory than crdt, but loses 30% "
            "of the words typed.");
}

TEST(Decision, EnginesAreHeldAgainstTheIdealWhichIsNeverAChoice) {
  // The ideal: 98 and 99 ms, 20 B per edit. crdt (100, 101 ms) is within
  // seed noise of it; ot (200, 204 ms) is not.
  results::ResultsFile file = kFile;
  const results::ResultsFile ideal = HandMadeFile({{.engine = "ideal", .seed = 1, .p99_ms = 98, .wire_bytes = 200,
                                                    .reference = true},
                                                   {.engine = "ideal", .seed = 2, .p99_ms = 99, .wire_bytes = 200,
                                                    .reference = true}});
  for (const auto& run : ideal.runs()) *file.add_runs() = run;
  std::vector<std::string> engines = kEngines;
  engines.push_back("ideal");
  const Aggregate a = AggregateResults(file, engines);
  const auto decisions = Decide(a);
  for (const EngineDecision& entry : decisions.at(0).engines) EXPECT_NE(entry.engine, "ideal");
  EXPECT_EQ(ChoiceEngines(a), kEngines);
  EXPECT_EQ(Cell(decisions, "crdt", "steady_p99_ms").text, "100 ms");
  EXPECT_EQ(Cell(decisions, "crdt", "steady_p99_ms").note, "≈ ideal");
  EXPECT_EQ(Cell(decisions, "crdt", "steady_p99_ms").shade, Shade::kBest);  // still against the best engine
  EXPECT_EQ(Cell(decisions, "ot", "steady_p99_ms").text, "202 ms (2.0x)");
  EXPECT_EQ(Cell(decisions, "ot", "steady_p99_ms").note, "+104 ms over ideal");
  EXPECT_EQ(Cell(decisions, "ot", "wire_bytes_per_edit").note, "5.0x ideal");
  // Lower than the ideal (it lost what would have been slow): not "over" it.
  EXPECT_EQ(Cell(decisions, "lww", "steady_p99_ms").note, "≈ ideal");
  const std::string markdown = MarkdownSummary(a);
  EXPECT_NE(markdown.find("202 ms (2.0x), +104 ms over ideal"), std::string::npos) << markdown;
  const std::string html = HtmlReport(a, ChartSet{}, ".");
  EXPECT_NE(html.find("202 ms (2.0x)<span class=\"vs-ideal\">+104 ms over ideal</span>"), std::string::npos);
  const std::vector<std::string>& s = decisions.at(0).sentences;
  EXPECT_EQ(s.back(),
            "The network alone (the ideal reference): 98 ms steady p99, 20 B per edit. Within seed noise of it: "
            "crdt, lww, bad. Adding to it: ot +104 ms, mesh +32 ms.");
  // Never highlighted in the tables, though its figures are the lowest.
  const size_t ideal_row = engines.size() - 1;
  const std::vector<std::vector<CellMark>> marks = MarkCells(a, "s");
  for (CellMark mark : marks.at(ideal_row)) EXPECT_EQ(mark, CellMark::kPlain);
}

TEST(Decision, TheReportOpensWithTheVerdict) {
  const Aggregate a = AggregateResults(kFile, kEngines);
  const std::string markdown = MarkdownSummary(a);
  const size_t verdict = markdown.find("## Verdict");
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_LT(verdict, markdown.find("# Every figure"));
  EXPECT_NE(markdown.find("| s | **correct**<br>202 ms (2.0x)<br>**100 B**<br>400 KiB (2.0x)<br>"), std::string::npos) << markdown;
  const std::string html = HtmlReport(a, ChartSet{}, ".");
  ASSERT_NE(html.find("<h2>Verdict</h2>"), std::string::npos);
  EXPECT_LT(html.find("<h2>Verdict</h2>"), html.find("<h2>Summary</h2>"));
  EXPECT_NE(html.find("<div class=\"d-failed\" title=\"correct\">loses 30% of words</div>"), std::string::npos);
  EXPECT_NE(html.find("<b>s.</b> Correct on every seed"), std::string::npos);
}

}  // namespace
}  // namespace collabsim::reports
