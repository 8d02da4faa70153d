// `collabsim compare`: a suite of scenarios x engines x seeds, tables on the
// terminal, and the report directory (results.json/.csv, summary.md,
// index.html with charts).
#include <iostream>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "apps/adaptive_seeds.h"
#include "apps/commands.h"
#include "apps/progress_line.h"
#include "apps/run_case.h"
#include "apps/seed_list.h"
#include "apps/suite_runner.h"
#include "collabsim/version.h"
#include "engines/registry.h"
#include "reports/aggregate.h"
#include "reports/regression.h"
#include "reports/report_writer.h"
#include "reports/results_file.h"
#include "reports/terminal_summary.h"
#include "sim/expectations.h"

namespace collabsim::apps {
namespace {

std::vector<std::string> EngineOrder() {
  std::vector<std::string> names;
  for (const Engine* engine : AllEngines()) names.push_back(engine->traits().name);
  return names;
}

// The service levels over seeds (expect { over: SEEDS }), judged on the mean
// of each scenario x engine's runs in `file` (canonical order): one line per
// broken bound.
std::vector<std::string> BrokenOverSeeds(const results::ResultsFile& file) {
  std::vector<std::string> lines;
  std::map<std::pair<std::string, std::string>, sim::ExpectationMeans> means;
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& run : file.runs()) {
    if (run.reference()) continue;  // the ideal is the floor, not a candidate
    const auto key = std::make_pair(run.scenario(), run.engine());
    if (!means.contains(key)) order.push_back(key);
    means[key].Add(run);
  }
  for (const auto& key : order) {
    for (const auto& info : file.scenarios()) {
      if (info.name() != key.first) continue;
      for (const std::string& broken : sim::BrokenExpectations(info.expect(), key.second, means[key])) {
        lines.push_back(absl::StrFormat("%s x %s: %s", key.first, key.second, broken));
      }
    }
  }
  return lines;
}

// An earlier run to compare with, and the rules that make a change fail.
struct Baseline {
  std::string path;
  results::ResultsFile file;
  std::vector<reports::FailRule> rules;
};

// The baseline and rules named by flags; nullopt when none is asked for.
absl::StatusOr<std::optional<Baseline>> LoadBaseline(const std::string& path, const std::string& fail_on) {
  if (path.empty()) {
    if (!fail_on.empty()) return absl::InvalidArgumentError("--fail-on needs --baseline");
    return std::optional<Baseline>();
  }
  std::vector<reports::FailRule> rules;
  if (!fail_on.empty()) {
    absl::StatusOr<std::vector<reports::FailRule>> parsed = reports::ParseFailOn(fail_on);
    if (!parsed.ok()) return parsed.status();
    rules = *std::move(parsed);
  }
  absl::StatusOr<results::ResultsFile> file = reports::ReadResultsFile(path);
  if (!file.ok()) return file.status();
  return std::optional<Baseline>(Baseline{path, *std::move(file), std::move(rules)});
}

int WriteAndPrint(const char* command, results::ResultsFile file, const std::string& out_dir,
                  const std::string& gnuplot, const std::optional<Baseline>& baseline = std::nullopt) {
  const std::vector<std::string> order = EngineOrder();
  reports::Canonicalize(order, &file);
  const size_t runs = file.runs_size();
  size_t failed = 0;
  for (const auto& run : file.runs()) failed += run.violations_size() > 0 ? 1 : 0;
  const std::vector<std::string> broken_over_seeds = BrokenOverSeeds(file);
  {
    const reports::Aggregate aggregate = reports::AggregateResults(file, order);  // points into `file`
    std::cout << absl::StrFormat("collabsim %s %s: seeds %s; each cell is the mean over seeds ± 95%% CI\n", kVersion,
                                 command, aggregate.seeds)
              << reports::TerminalSummary(aggregate);
  }
  reports::ReportOptions options{out_dir, gnuplot, order};
  size_t regressions = 0;
  if (baseline.has_value()) {  // for the terminal, summary.md and index.html
    const std::vector<reports::FigureChange> changes = reports::CompareWithBaseline(baseline->file, file, order);
    options.baseline_markdown = reports::RegressionMarkdown(changes, baseline->rules, baseline->path);
    options.baseline_html = reports::RegressionHtml(changes, baseline->rules, baseline->path);
    regressions = reports::Regressions(changes, baseline->rules).size();
  }
  absl::StatusOr<reports::ReportOutcome> outcome = reports::WriteReport(std::move(file), options);
  if (!outcome.ok()) {
    std::cerr << "collabsim " << command << ": " << outcome.status().message() << "\n";
    return kExitBadInput;
  }
  if (!outcome->charts_skipped.empty()) {
    std::cout << "\nCharts skipped: " << outcome->charts_skipped << ".\n";
  }
  if (!broken_over_seeds.empty()) std::cout << "\nService levels over seeds not met:\n";
  for (const std::string& line : broken_over_seeds) std::cout << "FAIL " << line << "\n";
  std::cout << absl::StrFormat("\n%d runs, %d failed%s. Wrote results.json, results.csv, summary.md and %d charts to %s\n"
                               "Report: %s\n",
                               runs, failed,
                               broken_over_seeds.empty()
                                   ? ""
                                   : absl::StrFormat(", %d service levels over seeds not met", broken_over_seeds.size()),
                               outcome->charts, out_dir, outcome->index_html);
  if (baseline.has_value()) std::cout << "\n" << options.baseline_markdown;
  return failed == 0 && broken_over_seeds.empty() && regressions == 0 ? kExitOk : kExitViolation;
}

}  // namespace

int CompareCommand(const CompareFlags& flags) {
  absl::StatusOr<std::vector<uint64_t>> seeds = ParseSeedList(flags.seeds);
  if (!seeds.ok()) {
    std::cerr << "collabsim compare: " << seeds.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<Shard> shard = ParseShard(flags.shard);
  if (!shard.ok()) {
    std::cerr << "collabsim compare: " << shard.status().message() << "\n";
    return kExitBadInput;
  }
  if (flags.jobs < 1 || flags.jobs > 256) {
    std::cerr << "collabsim compare: --jobs must be in [1, 256]\n";
    return kExitBadInput;
  }
  // Read before the sweep, so a bad baseline fails at once.
  absl::StatusOr<std::optional<Baseline>> baseline = LoadBaseline(flags.baseline, flags.fail_on);
  if (!baseline.ok()) {
    std::cerr << "collabsim compare: " << baseline.status().message() << "\n";
    return kExitBadInput;
  }
  Suite suite;
  absl::StatusOr<std::vector<SuiteScenario>> scenarios = LoadSuite(flags.suite);
  if (!scenarios.ok()) {
    std::cerr << "collabsim compare: " << scenarios.status().message() << "\n";
    return kExitBadInput;
  }
  suite.scenarios = *std::move(scenarios);
  suite.seeds = *std::move(seeds);
  suite.swarm = flags.swarm;
  if (flags.engines.empty()) {
    suite.engines = ComparedEngines();
    suite.engines.push_back(&IdealReference());
  } else {
    for (const std::string& name : flags.engines) {
      absl::StatusOr<const Engine*> engine = FindEngine(name);
      if (!engine.ok()) {
        std::cerr << "collabsim compare: " << engine.status().message() << "\n";
        return kExitBadInput;
      }
      suite.engines.push_back(*engine);
    }
  }
  if (flags.adaptive && shard->count > 1) {
    std::cerr << "collabsim compare: --adaptive chooses seeds from every run's result, so it cannot be split into "
                 "--shard slices; shard a fixed --seeds list instead\n";
    return kExitBadInput;
  }
  if (flags.adaptive) {
    std::cerr << absl::StrFormat(
        "collabsim compare: %d scenarios x %d engines, seeds chosen adaptively from %s (at most %d runs), %d jobs\n",
        suite.scenarios.size(), suite.engines.size(), flags.seeds, suite.CaseCount(), flags.jobs);
  } else {
    std::cerr << absl::StrFormat("collabsim compare: %d scenarios x %d engines x %d seeds = %d runs%s, %d jobs\n",
                               suite.scenarios.size(), suite.engines.size(), suite.seeds.size(), suite.CaseCount(),
                               shard->count > 1 ? absl::StrFormat(" (shard %d/%d)", shard->index, shard->count) : "",
                               flags.jobs);
  }
  for (const std::string& line : suite.NotApplicable()) std::cerr << "collabsim compare: not applicable, not run: " << line << "\n";
  std::optional<ProgressLine> progress;
  const auto on_progress = [&](const Progress& p) {
    if (!progress.has_value()) progress.emplace("compare", "runs", p.total);
    if (p.last != nullptr && p.last->violations_size() > 0) {
      progress->Clear();
      std::cerr << "FAIL " << p.last->command() << ": [" << p.last->violations(0).invariant() << "] "
                << p.last->violations(0).detail() << "\n";
    }
    progress->Update(p.done, p.failed);
  };
  results::ResultsFile file;
  if (flags.adaptive) {
    const auto on_round = [&](const std::string& line) {
      if (progress.has_value()) progress->Clear();
      progress.reset();
      std::cerr << "collabsim compare: " << line << "\n";
    };
    file = RunAdaptively(suite, flags.jobs, on_round, on_progress);
  } else {
    file = RunSuite(suite, flags.jobs, *shard, on_progress);
  }
  return WriteAndPrint("compare", std::move(file), flags.out_dir, flags.gnuplot, *baseline);
}

int ReportCommand(const ReportFlags& flags) {
  results::ResultsFile merged;
  std::map<std::tuple<std::string, std::string, uint64_t>, std::string> seen;  // -> trace hash
  for (const std::string& path : flags.inputs) {
    absl::StatusOr<results::ResultsFile> file = reports::ReadResultsFile(path);
    if (!file.ok()) {
      std::cerr << "collabsim report: " << file.status().message() << "\n";
      return kExitBadInput;
    }
    if (merged.collabsim_version().empty()) merged.set_collabsim_version(file->collabsim_version());
    for (const auto& run : file->runs()) {
      const auto key = std::make_tuple(run.scenario(), run.engine(), run.seed());
      const auto [it, fresh] = seen.emplace(key, run.trace_hash());
      if (!fresh) {
        if (it->second == run.trace_hash()) continue;  // the same run twice
        std::cerr << absl::StrFormat(
            "collabsim report: %s: %s / %s / seed %d appears again with a different trace hash (%s vs %s); "
            "were these made by different collabsim versions?\n",
            path, run.scenario(), run.engine(), run.seed(), it->second, run.trace_hash());
        return kExitBadInput;
      }
      *merged.add_runs() = run;
    }
    for (const auto& info : file->scenarios()) {
      bool known = false;
      for (const auto& existing : merged.scenarios()) known = known || existing.name() == info.name();
      if (!known) *merged.add_scenarios() = info;
    }
  }
  return WriteAndPrint("report", std::move(merged), flags.out_dir, flags.gnuplot);
}

int DiffCommand(const DiffFlags& flags) {
  absl::StatusOr<std::optional<Baseline>> baseline = LoadBaseline(flags.baseline, flags.fail_on);
  if (!baseline.ok()) {
    std::cerr << "collabsim diff: " << baseline.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<results::ResultsFile> current = reports::ReadResultsFile(flags.current);
  if (!current.ok()) {
    std::cerr << "collabsim diff: " << current.status().message() << "\n";
    return kExitBadInput;
  }
  const std::vector<reports::FigureChange> changes =
      reports::CompareWithBaseline((*baseline)->file, *current, EngineOrder());
  if (changes.empty()) {
    std::cerr << "collabsim diff: " << flags.baseline << " and " << flags.current
              << " share no scenario x engine: nothing to compare\n";
    return kExitBadInput;
  }
  std::cout << reports::RegressionMarkdown(changes, (*baseline)->rules, flags.baseline);
  return reports::Regressions(changes, (*baseline)->rules).empty() ? kExitOk : kExitViolation;
}

}  // namespace collabsim::apps
