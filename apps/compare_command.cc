// `collabsim compare`: every scenario x engine x seed, a summary table per
// scenario, and a results file. (The full report with charts builds on this.)
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "apps/commands.h"
#include "apps/run_case.h"
#include "apps/seed_list.h"
#include "collabsim/version.h"
#include "engines/registry.h"
#include "reports/results_file.h"
#include "reports/text_table.h"
#include "scenarios/builtin_scenarios.h"
#include "sim/scenario_loader.h"

namespace collabsim::apps {
namespace {

struct Cell {
  size_t runs = 0;
  size_t failed = 0;
  std::vector<double> p50, p95, p99, max;
  double messages_per_edit = 0, bytes_per_edit = 0;
  uint64_t server_bytes_max = 0;
};

double Mean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

void Accumulate(const results::RunResult& run, Cell* cell) {
  ++cell->runs;
  if (run.violations_size() > 0) ++cell->failed;
  if (run.remote_visible().samples() > 0) {
    cell->p50.push_back(run.remote_visible().p50_ms());
    cell->p95.push_back(run.remote_visible().p95_ms());
    cell->p99.push_back(run.remote_visible().p99_ms());
    cell->max.push_back(run.remote_visible().max_ms());
  }
  const double edits = std::max<double>(1, static_cast<double>(run.edit_intents()));
  cell->messages_per_edit += static_cast<double>(run.messages()) / edits;
  cell->bytes_per_edit += static_cast<double>(run.bytes()) / edits;
  cell->server_bytes_max = std::max<uint64_t>(cell->server_bytes_max, run.memory().server_bytes());
}

}  // namespace

int CompareCommand(const CompareFlags& flags) {
  absl::StatusOr<std::vector<uint64_t>> seeds = ParseSeedList(flags.seeds);
  if (!seeds.ok()) {
    std::cerr << "collabsim compare: " << seeds.status().message() << "\n";
    return kExitBadInput;
  }
  std::vector<std::string> scenario_args = flags.scenarios;
  if (scenario_args.empty()) {
    for (const BuiltinScenario& builtin : BuiltinScenarios()) scenario_args.emplace_back(builtin.name);
  }
  std::vector<std::pair<std::string, scenario::Scenario>> scenarios;
  for (const std::string& arg : scenario_args) {
    absl::StatusOr<scenario::Scenario> scenario = sim::LoadScenario(arg);
    if (!scenario.ok()) {
      std::cerr << "collabsim compare: " << scenario.status().message() << "\n";
      return kExitBadInput;
    }
    scenarios.emplace_back(arg, *std::move(scenario));
  }
  std::vector<const Engine*> engines;
  if (flags.engines.empty()) {
    engines = AllEngines();
  } else {
    for (const std::string& name : flags.engines) {
      absl::StatusOr<const Engine*> engine = FindEngine(name);
      if (!engine.ok()) {
        std::cerr << "collabsim compare: " << engine.status().message() << "\n";
        return kExitBadInput;
      }
      engines.push_back(*engine);
    }
  }
  std::error_code error;
  std::filesystem::create_directories(flags.out_dir, error);
  if (error) {
    std::cerr << "collabsim compare: cannot create " << flags.out_dir << ": " << error.message() << "\n";
    return kExitBadInput;
  }

  const size_t total = scenarios.size() * engines.size() * seeds->size();
  std::cerr << absl::StrFormat("collabsim compare: %d scenarios x %d engines x %d seeds = %d runs\n",
                               scenarios.size(), engines.size(), seeds->size(), total);
  const bool terminal = isatty(STDERR_FILENO) != 0;
  results::ResultsFile file;
  file.set_collabsim_version(kVersion);
  size_t done = 0, failures = 0;
  std::string report;
  for (const auto& [arg, scenario] : scenarios) {
    reports::TextTable table({"engine", "runs", "failed", "p50 ms", "p95 ms", "p99 ms", "max ms", "msgs/edit",
                              "bytes/edit", "server mem KiB"});
    for (const Engine* engine : engines) {
      Cell cell;
      for (uint64_t seed : *seeds) {
        const results::RunResult run = RunCase(Case{arg, &scenario, engine, seed}, sim::RunOptions{});
        Accumulate(run, &cell);
        *file.add_runs() = run;
        ++done;
        if (run.violations_size() > 0) {
          ++failures;
          std::cerr << (terminal ? "\r\033[K" : "") << "FAIL " << run.command() << ": ["
                    << run.violations(0).invariant() << "] " << run.violations(0).detail() << "\n";
        }
        const std::string line = absl::StrFormat("[compare] %d/%d runs, %d failed (%s, %s)", done, total, failures,
                                                 scenario.name(), engine->traits().name);
        std::cerr << (terminal ? "\r\033[K" + line : line + "\n") << std::flush;
      }
      const double n = static_cast<double>(cell.runs);
      table.AddRow({engine->traits().name, absl::StrFormat("%d", cell.runs), absl::StrFormat("%d", cell.failed),
                    absl::StrFormat("%.1f", Mean(cell.p50)), absl::StrFormat("%.1f", Mean(cell.p95)),
                    absl::StrFormat("%.1f", Mean(cell.p99)), absl::StrFormat("%.1f", Mean(cell.max)),
                    absl::StrFormat("%.2f", cell.messages_per_edit / n), absl::StrFormat("%.0f", cell.bytes_per_edit / n),
                    absl::StrFormat("%.0f", static_cast<double>(cell.server_bytes_max) / 1024)});
    }
    absl::StrAppendFormat(&report, "\n%s: %s\n%s", scenario.name(), scenario.description(), table.Render());
  }
  if (terminal) std::cerr << "\n";
  std::cout << absl::StrFormat("collabsim %s compare, seeds %s (latencies: means over seeds of each run's "
                               "remote-visible percentile)\n", kVersion, flags.seeds)
            << report;
  const std::string path = (std::filesystem::path(flags.out_dir) / "results.json").string();
  absl::Status written = reports::WriteTextFile(path, reports::ResultsToJson(file));
  if (!written.ok()) {
    std::cerr << "collabsim compare: " << written.message() << "\n";
    return kExitBadInput;
  }
  std::cout << absl::StrFormat("\n%d runs, %d failed. Results: %s\n", total, failures,
                               std::filesystem::absolute(path).string());
  return failures == 0 ? kExitOk : kExitViolation;
}

}  // namespace collabsim::apps
