// Reports: statistics, agreement between summary.md and results.json, a
// self-contained HTML page with non-empty charts, and the no-gnuplot path.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "apps/suite_runner.h"
#include "engines/registry.h"
#include "reports/aggregate.h"
#include "reports/confidence.h"
#include "reports/csv_writer.h"
#include "reports/gnuplot_charts.h"
#include "reports/markdown_summary.h"
#include "reports/report_writer.h"
#include "reports/results_file.h"
#include "reports/terminal_summary.h"
#include "sim/scenario_loader.h"

namespace collabsim::reports {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// A small, quick suite: two short scenarios, 3 seeds.
results::ResultsFile SmallResults() {
  apps::Suite suite;
  for (const char* name : {"two-continents", "team"}) {
    auto scenario = sim::LoadScenario(name);
    EXPECT_TRUE(scenario.ok());
    scenario->set_active_s(40);
    suite.scenarios.push_back(apps::SuiteScenario{name, *scenario});
  }
  suite.engines = ComparedEngines();
  suite.seeds = {1, 2, 3};
  return apps::RunSuite(suite, 2, apps::Shard{}, nullptr);
}

fs::path FreshDir(const std::string& name) {
  const fs::path dir = fs::path(testing::TempDir()) / name;
  fs::remove_all(dir);
  return dir;
}

TEST(Confidence, MatchesHandComputedInterval) {
  const Estimate e = MeanWithConfidence({1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(e.mean, 2.5);
  // sd = sqrt(5/3); t(3) = 3.182; half-width = 3.182 * sd / 2
  EXPECT_NEAR(e.half_width, 3.182 * std::sqrt(5.0 / 3) / 2, 1e-9);
  EXPECT_EQ(MeanWithConfidence({7}).half_width, 0);
  EXPECT_EQ(MeanWithConfidence({}).count, 0u);
}

TEST(Aggregate, DescribesSeeds) {
  EXPECT_EQ(DescribeSeeds({3, 1, 2}), "1-3");
  EXPECT_EQ(DescribeSeeds({1, 5, 9}), "1, 5, 9");
  EXPECT_EQ(DescribeSeeds({4}), "4");
}

// Cursor figures come from runs with presence only; a scenario without it
// shows n/a (and an empty CSV cell), never a 0 that reads as "instant".
TEST(Aggregate, CursorFiguresOnlyWherePresenceRan) {
  results::ResultsFile file;
  for (uint64_t seed : {1, 2}) {
    results::RunResult* run = file.add_runs();
    run->set_scenario("cursors");
    run->set_engine("ot");
    run->set_seed(seed);
    run->mutable_presence()->set_enabled(true);
    run->mutable_presence()->mutable_cursor_latency()->set_p95_ms(seed == 1 ? 100 : 140);
    run->mutable_presence()->set_bytes_per_user_s(50);
  }
  results::RunResult* plain = file.add_runs();
  plain->set_scenario("plain");
  plain->set_engine("ot");
  plain->set_seed(1);
  Canonicalize({"ot"}, &file);
  const Aggregate a = AggregateResults(file, {"ot"});
  size_t cursor = 0;
  while (SummaryFigures()[cursor].key != "cursor_p95_ms") ++cursor;
  EXPECT_EQ(a.Find("cursors", "ot")->estimates[cursor].count, 2u);
  EXPECT_NEAR(a.Find("cursors", "ot")->estimates[cursor].mean, 120.0, 1e-9);
  EXPECT_EQ(FormatEstimate(a.Find("plain", "ot")->estimates[cursor], 1), "n/a");
  const std::string csv = RunsToCsv(file);
  const std::string header = csv.substr(0, csv.find('\n'));
  const std::vector<std::string> names = absl::StrSplit(header, ',');
  const size_t at = std::find(names.begin(), names.end(), "cursor_p95_ms") - names.begin();
  ASSERT_LT(at, names.size());
  std::vector<std::string> rows = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(rows.size(), 4u);  // header, cursors 1 and 2, plain (sorted by scenario)
  const std::vector<std::string> first = absl::StrSplit(rows[1], ',');
  const std::vector<std::string> last = absl::StrSplit(rows[3], ',');
  EXPECT_EQ(first[at], "100.000000");
  EXPECT_EQ(last[at], "");
}

TEST(Aggregate, LossRateIsNotApplicableWhereNoTextWasTyped) {
  results::ResultsFile file;
  for (uint64_t seed : {1, 2}) {
    results::RunResult* text = file.add_runs();
    text->set_scenario("notes");
    text->set_engine("lww");
    text->set_seed(seed);
    text->mutable_oracle()->set_tokens_inserted(100);
    text->mutable_oracle()->set_loss_rate(seed == 1 ? 0.10 : 0.20);
  }
  results::RunResult* canvas = file.add_runs();
  canvas->set_scenario("shapes");
  canvas->set_engine("lww");
  canvas->set_seed(1);
  canvas->mutable_canvas()->set_property_writes(50);
  EXPECT_TRUE(TypedText(file.runs(0)));
  EXPECT_FALSE(TypedText(*canvas));

  Canonicalize({"lww"}, &file);
  const Aggregate a = AggregateResults(file, {"lww"});
  size_t loss = 0;
  while (SummaryFigures()[loss].key != "loss_rate_pct") ++loss;
  const Estimate notes = a.Find("notes", "lww")->estimates[loss];
  EXPECT_EQ(notes.count, 2u);
  EXPECT_NEAR(notes.mean, 15.0, 1e-9);
  const Estimate shapes = a.Find("shapes", "lww")->estimates[loss];
  EXPECT_EQ(shapes.count, 0u);
  EXPECT_EQ(FormatEstimate(shapes, 2), "n/a");
  // Other figures still count the canvas run.
  EXPECT_EQ(a.Find("shapes", "lww")->estimates[0].count, 1u);

  const std::string terminal = TerminalSummary(a);
  const size_t shapes_table = terminal.find("shapes:");
  ASSERT_NE(shapes_table, std::string::npos);
  const size_t row = terminal.find("lww", shapes_table + 7);
  const std::string shapes_row = terminal.substr(row, terminal.find('\n', row) - row);
  // The loss column is the one before the cursor column, which these runs
  // without presence leave n/a too, as they do the steady-state p99 (the
  // fourth cell: no delivery was recorded as steady); nothing else is.
  const std::vector<std::string> cells = absl::StrSplit(shapes_row, ' ', absl::SkipEmpty());
  ASSERT_GE(cells.size(), 5u);
  EXPECT_EQ(cells[cells.size() - 2], "n/a") << shapes_row;
  EXPECT_EQ(cells.back(), "n/a") << shapes_row;
  EXPECT_EQ(cells[5], "n/a") << shapes_row;  // engine, runs, failed, p50, p99, steady p99
  EXPECT_EQ(std::count(cells.begin(), cells.end(), "n/a"), 3) << shapes_row;

  // CSV: the loss_rate cell is empty for the canvas run, a number otherwise.
  const std::string csv = RunsToCsv(file);
  std::vector<std::string> lines;
  std::stringstream in(csv);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  auto loss_cell = [&](const std::string& line) {
    std::vector<std::string> header_cells, cells;
    std::stringstream h(lines[0]), c(line);
    for (std::string cell; std::getline(h, cell, ',');) header_cells.push_back(cell);
    for (std::string cell; std::getline(c, cell, ',');) cells.push_back(cell);
    const size_t at = std::find(header_cells.begin(), header_cells.end(), "loss_rate") - header_cells.begin();
    return at < cells.size() ? cells[at] : std::string("<missing>");
  };
  EXPECT_EQ(loss_cell(lines[1]), "0.100000");  // notes, seed 1 (sorted by scenario)
  EXPECT_EQ(loss_cell(lines[3]), "");          // shapes
}

TEST(Report, SummaryMarkdownMatchesResultsJson) {
  const fs::path dir = FreshDir("summary_matches");
  auto outcome = WriteReport(SmallResults(), ReportOptions{dir.string(), "gnuplot", {"ot"}});
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  // Recompute the team/ot p95 cell from the JSON alone.
  auto file = ReadResultsFile((dir / "results.json").string());
  ASSERT_TRUE(file.ok()) << file.status();
  std::vector<double> p95;
  for (const auto& run : file->runs()) {
    if (run.scenario() == "team" && run.engine() == "ot") p95.push_back(run.remote_visible().p95_ms());
  }
  ASSERT_EQ(p95.size(), 3u);
  const std::string cell = FormatEstimate(MeanWithConfidence(p95), 1);
  const std::string summary = Read(dir / "summary.md");
  const size_t team = summary.find("## team");
  ASSERT_NE(team, std::string::npos);
  const std::string row = summary.substr(summary.find("| ot |", team), summary.find('\n', summary.find("| ot |", team)) - summary.find("| ot |", team));
  EXPECT_NE(row.find(" " + cell + " "), std::string::npos) << row << " lacks " << cell;
  // results.csv: a header and one row per run.
  const std::string csv = Read(dir / "results.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + file->runs_size());
}

TEST(Report, HtmlIsSelfContainedAndEveryChartIsNonEmpty) {
  const fs::path dir = FreshDir("html");
  auto outcome = WriteReport(SmallResults(), ReportOptions{dir.string(), "gnuplot", {"ot"}});
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_TRUE(outcome->charts_skipped.empty()) << outcome->charts_skipped << " (scripts/bootstrap installs gnuplot)";
  // Per scenario a steady-state latency CDF, memory and wire bytes over
  // time, and a CDF of the fault-delayed deliveries where a fault delayed
  // some: team (scenario 1) drops connections, two-continents (2) has no
  // fault. Then 4 bar charts.
  EXPECT_EQ(outcome->charts, 11u);
  for (const char* chart :
       {"steady_cdf_1", "fault_cdf_1", "memory_1", "wire_1", "steady_cdf_2", "memory_2", "wire_2"}) {
    EXPECT_TRUE(fs::exists(dir / "charts" / (std::string(chart) + ".svg"))) << chart;
  }
  EXPECT_FALSE(fs::exists(dir / "charts" / "fault_cdf_2.svg"));
  const std::string html = Read(outcome->index_html);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // Nothing is fetched: no scripts, stylesheets, images or frames by URL.
  for (const std::regex& external :
       {std::regex(R"((src|href)\s*=\s*["']?(https?:|//))"), std::regex(R"(<script)"), std::regex(R"(<link)"),
        std::regex(R"(url\(\s*["']?https?:)"), std::regex(R"(@import)")}) {
    EXPECT_FALSE(std::regex_search(html, external));
  }
  EXPECT_EQ(std::count(html.begin(), html.end(), '<') > 0, true);
  size_t svgs = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++svgs;
  EXPECT_EQ(svgs, 11u);
  for (const auto& entry : fs::directory_iterator(dir / "charts")) {
    if (entry.path().extension() == ".svg") {
      EXPECT_GT(fs::file_size(entry.path()), 1000u) << entry.path();
    }
  }
  // Bar charts plot exactly one row per scenario (a header row read as data
  // once shifted every bar and whisker by one slot).
  std::istringstream bars(Read(dir / "charts" / "steady_p99_latency.dat"));
  int rows = 0;
  for (std::string line; std::getline(bars, line);) rows += !line.empty();
  EXPECT_EQ(rows, 3);  // the column names (read by columnheader), then one per scenario
  EXPECT_NE(html.find("Seeds 1-3"), std::string::npos);
  EXPECT_NE(html.find("collabsim 0."), std::string::npos);
}

// Names are data, never code: scenario and engine names holding every byte
// 1-255 (a newline and a gnuplot `system` call among them) are drawn as
// labels, and no script holds a byte of them.
TEST(Report, HostileNamesNeverReachAGnuplotScript) {
  const fs::path dir = FreshDir("hostile");
  fs::create_directories(dir);
  const fs::path pwned = dir / "PWNED";
  std::string every_byte;
  for (int b = 1; b < 256; ++b) every_byte += static_cast<char>(b);
  const std::string marker = "Qx7marker";
  const std::vector<std::string> scenarios = {
      marker + "s\n" + "system(\"touch " + pwned.string() + "\")\n" + every_byte,
      marker + "t'\"`$(touch " + pwned.string() + ")`; ' <b>&amp;"};
  const std::vector<std::string> engines = {marker + "e\nsystem('touch " + pwned.string() + "')\n" + every_byte,
                                            "ot"};
  results::ResultsFile file;
  for (const std::string& scenario : scenarios) {
    for (const std::string& engine : engines) {
      for (uint64_t seed : {1, 2}) {
        results::RunResult* run = file.add_runs();
        run->set_scenario(scenario);
        run->set_engine(engine);
        run->set_seed(seed);
        run->set_converged(true);
        run->set_convergence_s(1.5);
        run->set_wire_bytes(4000);
        run->set_edit_intents(10);
        run->mutable_remote_visible()->set_p99_ms(100 + static_cast<double>(seed));
        run->mutable_oracle()->set_tokens_inserted(10);
        run->mutable_oracle()->set_loss_rate(0.1);
        for (int q = 0; q <= 100; ++q) run->mutable_remote_visible()->add_quantiles_ms(1 + q + static_cast<double>(seed));
        for (int k = 0; k < 3; ++k) {
          results::MemorySample* sample = run->add_memory_samples();
          sample->set_at_s(k);
          sample->set_server_content_bytes(1000 * (k + 1));
        }
      }
    }
  }
  auto outcome = WriteReport(file, ReportOptions{dir.string(), "gnuplot", engines});
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  ASSERT_TRUE(outcome->charts_skipped.empty()) << outcome->charts_skipped;
  // Nothing refused to draw (its runs carry no wire bytes over time: no
  // wire chart, as for results written before that series existed).
  EXPECT_EQ(outcome->charts, 8u);
  EXPECT_FALSE(fs::exists(dir / "charts" / "wire_1.svg"));
  EXPECT_FALSE(fs::exists(pwned));
  size_t scripts = 0, labelled = 0;
  for (const auto& entry : fs::directory_iterator(dir / "charts")) {
    const std::string text = Read(entry.path());
    if (entry.path().extension() == ".gp") {
      ++scripts;
      EXPECT_EQ(text.find(marker), std::string::npos) << entry.path();
      EXPECT_EQ(text.find("system"), std::string::npos) << entry.path();
    }
    if (entry.path().extension() == ".svg" && text.find(marker) != std::string::npos) ++labelled;
    // Every data-file line is whole: no label broke a line or a field.
    if (entry.path().extension() == ".dat") {
      for (const std::string& line : std::vector<std::string>(absl::StrSplit(text, '\n'))) {
        EXPECT_EQ(std::count(line.begin(), line.end(), '"') % 2, 0) << entry.path() << ": " << line;
      }
    }
  }
  EXPECT_EQ(scripts, 8u);
  EXPECT_EQ(labelled, 8u);  // the names are shown, as labels
  // The page escapes them too.
  const std::string html = Read(outcome->index_html);
  EXPECT_EQ(html.find("<b>&amp;"), std::string::npos);
}

TEST(Report, DataLabelsKeepTheFieldAndTheLineWhole) {
  EXPECT_EQ(DataLabel("team"), "\"team\"");
  EXPECT_EQ(DataLabel("a\"b\nc\x7f"), "\"a'b?c?\"");
  EXPECT_EQ(DataLabel("h\xc3\xa9"), "\"h\xc3\xa9\"");  // UTF-8 passes
}

TEST(Report, WithoutGnuplotTheTextOutputsAreWrittenAndTheReasonGiven) {
  const fs::path dir = FreshDir("no_gnuplot");
  auto outcome = WriteReport(SmallResults(), ReportOptions{dir.string(), "/nonexistent/gnuplot", {"ot"}});
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->charts, 0u);
  EXPECT_NE(outcome->charts_skipped.find("apt-get install gnuplot"), std::string::npos);
  for (const char* name : {"results.json", "results.csv", "summary.md", "index.html"}) {
    EXPECT_GT(fs::file_size(dir / name), 100u) << name;
  }
  EXPECT_NE(Read(dir / "index.html").find("Charts skipped"), std::string::npos);
}

}  // namespace
}  // namespace collabsim::reports
