// Case enumeration, sharding and the worker threads of a suite run.
#include "apps/suite_runner.h"

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "apps/parallel_for.h"
#include "apps/run_case.h"
#include "collabsim/version.h"
#include "scenarios/builtin_scenarios.h"
#include "sim/applicability.h"
#include "sim/scenario_loader.h"
#include "sim/world.h"

namespace collabsim::apps {

absl::StatusOr<Shard> ParseShard(const std::string& text) {
  const size_t slash = text.find('/');
  Shard shard;
  if (slash == std::string::npos || !absl::SimpleAtoi(text.substr(0, slash), &shard.index) ||
      !absl::SimpleAtoi(text.substr(slash + 1), &shard.count) || shard.count == 0 || shard.index == 0 ||
      shard.index > shard.count || text.find_first_of("+- ") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrFormat("--shard: '%s' is not I/N with 1 <= I <= N (e.g. 2/4)", text));
  }
  return shard;
}

absl::StatusOr<std::vector<SuiteScenario>> LoadSuite(const std::string& suite) {
  namespace fs = std::filesystem;
  std::vector<std::string> args;
  std::error_code error;
  if (suite == "default") {
    for (const BuiltinScenario& builtin : BuiltinScenarios()) args.emplace_back(builtin.name);
  } else if (fs::is_directory(suite, error)) {
    for (const auto& entry : fs::directory_iterator(suite, error)) {
      if (entry.path().extension() == ".textproto") args.push_back(entry.path().string());
    }
    std::sort(args.begin(), args.end());
    if (args.empty()) return absl::InvalidArgumentError(absl::StrFormat("--suite: no .textproto files in %s", suite));
  } else {
    args.push_back(suite);
  }
  std::vector<SuiteScenario> scenarios;
  for (const std::string& arg : args) {
    absl::StatusOr<scenario::Scenario> scenario = sim::LoadScenario(arg);
    if (!scenario.ok()) return scenario.status();
    for (const SuiteScenario& other : scenarios) {
      if (other.scenario.name() == scenario->name()) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "--suite: %s and %s are both named '%s'; scenario names must be unique", other.arg, arg, scenario->name()));
      }
    }
    scenarios.push_back(SuiteScenario{arg, *std::move(scenario)});
  }
  return scenarios;
}

size_t Suite::CaseCount() const {
  size_t pairs = 0;
  for (const SuiteScenario& s : scenarios) {
    for (const Engine* engine : engines) pairs += sim::NotApplicable(s.scenario, *engine).has_value() ? 0 : 1;
  }
  return pairs * seeds.size();
}

std::vector<std::string> Suite::NotApplicable() const {
  std::vector<std::string> lines;
  for (const SuiteScenario& s : scenarios) {
    for (const Engine* engine : engines) {
      if (auto why = sim::NotApplicable(s.scenario, *engine); why.has_value()) {
        lines.push_back(absl::StrFormat("%s x %s: %s", s.scenario.name(), engine->traits().name, *why));
      }
    }
  }
  return lines;
}

results::ResultsFile RunSuite(const Suite& suite, int jobs, Shard shard,
                              const std::function<void(const Progress&)>& on_progress) {
  std::vector<Case> cases;
  size_t k = 0;
  for (const SuiteScenario& s : suite.scenarios) {
    for (const Engine* engine : suite.engines) {
      if (sim::NotApplicable(s.scenario, *engine).has_value()) continue;  // the reports show n/a
      for (uint64_t seed : suite.seeds) {
        if (k++ % shard.count == shard.index - 1) cases.push_back(Case{s.arg, &s.scenario, engine, seed, suite.swarm});
      }
    }
  }
  std::vector<results::RunResult> runs(cases.size());
  std::mutex progress_mutex;
  Progress progress;
  progress.total = cases.size();
  ParallelFor(cases.size(), jobs, [&](size_t i) {
    runs[i] = RunCase(cases[i], sim::RunOptions{});
    std::lock_guard<std::mutex> lock(progress_mutex);
    ++progress.done;
    if (runs[i].violations_size() > 0) ++progress.failed;
    progress.last = &runs[i];
    if (on_progress) on_progress(progress);
  });

  results::ResultsFile file;
  file.set_collabsim_version(kVersion);
  for (auto& run : runs) *file.add_runs() = std::move(run);
  for (const SuiteScenario& s : suite.scenarios) {
    results::ScenarioInfo* info = file.add_scenarios();
    info->set_name(s.scenario.name());
    info->set_description(s.scenario.description());
    info->set_users(sim::UserCount(s.scenario));
    info->set_active_s(s.scenario.active_s());
    info->set_parameters(sim::ScenarioParameters(s.scenario));
    *info->mutable_expect() = s.scenario.expect();
  }
  return file;
}

}  // namespace collabsim::apps
