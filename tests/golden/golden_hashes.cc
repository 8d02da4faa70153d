// Pins every run's behaviour: the trace hash of every engine (negative
// controls and variants too) on every built-in scenario, for a few seeds,
// plain and with swarm faults. A refactor keeps each hash; a change of
// behaviour on purpose regenerates the file and says so in its commit.
//
//   golden_hashes [--jobs N] [--scenario NAME] [--engine NAME] --write FILE
//                                            recompute, write FILE
//   golden_hashes [--jobs N] [--scenario NAME] [--engine NAME] --print
//                                            the same rows on stdout
//   golden_hashes [--jobs N] [--scenario NAME] [--engine NAME] --check FILE
//                                            recompute and compare with FILE
//
// --scenario and --engine keep only that scenario's or engine's rows, so a
// long scenario can be computed (or checked) one engine at a time.
//
// Exit 0: identical; 1: a hash differs or a row is missing; 2: bad usage or
// an unreadable file.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_format.h"
#include "apps/parallel_for.h"
#include "apps/run_case.h"
#include "engines/registry.h"
#include "scenarios/builtin_scenarios.h"
#include "sim/applicability.h"
#include "sim/scenario_loader.h"

namespace {

using collabsim::Engine;
using Key = std::tuple<std::string, std::string, uint64_t, std::string>;  // scenario, engine, seed, mode

constexpr uint64_t kSeeds = 3;

const char kHeader[] =
    "# The trace hash of every engine on every built-in scenario, seeds 1-3,\n"
    "# plain and with --swarm faults: scenario engine seed mode hash.\n"
    "# ctest -L golden recomputes it. A change that alters a run on purpose\n"
    "# says so in its commit and regenerates this file with\n"
    "#   build/release/bin/golden_hashes --jobs 2 --write tests/golden/trace_hashes.txt\n";

std::string HashOf(const std::string& name, const collabsim::scenario::Scenario& scenario, const Engine& engine,
                   uint64_t seed, bool swarm) {
  if (collabsim::sim::NotApplicable(scenario, engine).has_value()) return "n/a";
  collabsim::apps::Case c{name, &scenario, &engine, seed, swarm};
  c.time_each_step = false;
  collabsim::sim::RunOptions options;
  options.check_invariants = false;  // the hash never depends on it; sweeps check invariants
  return collabsim::apps::RunCase(c, options).trace_hash();
}

// Which rows to compute: empty names keep every scenario or engine.
struct Only {
  std::string scenario;
  std::string engine;
  bool Keeps(const Key& key) const {
    return (scenario.empty() || std::get<0>(key) == scenario) && (engine.empty() || std::get<1>(key) == engine);
  }
};

// Every row `only` keeps, run on `jobs` threads (runs share nothing, so the
// order changes no hash).
std::map<Key, std::string> Compute(const Only& only, int jobs) {
  std::vector<std::pair<std::string, collabsim::scenario::Scenario>> scenarios;
  for (const collabsim::BuiltinScenario& builtin : collabsim::BuiltinScenarios()) {
    const std::string name(builtin.name);
    if (!only.scenario.empty() && name != only.scenario) continue;
    absl::StatusOr<collabsim::scenario::Scenario> scenario = collabsim::sim::LoadScenario(name);
    if (!scenario.ok()) {
      std::cerr << "golden_hashes: " << scenario.status().message() << "\n";
      std::exit(2);
    }
    scenarios.emplace_back(name, *std::move(scenario));
  }
  struct Task {
    const std::pair<std::string, collabsim::scenario::Scenario>* scenario;
    const Engine* engine;
    uint64_t seed;
    bool swarm;
  };
  std::vector<Task> tasks;
  for (const auto& scenario : scenarios) {
    for (const Engine* engine : collabsim::AllEngines()) {
      if (!only.engine.empty() && engine->traits().name != only.engine) continue;
      for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
        for (bool swarm : {false, true}) tasks.push_back({&scenario, engine, seed, swarm});
      }
    }
  }
  std::map<Key, std::string> rows;
  std::mutex mutex;
  collabsim::apps::ParallelFor(tasks.size(), jobs, [&](size_t index) {
    const Task& task = tasks[index];
    const std::string hash = HashOf(task.scenario->first, task.scenario->second, *task.engine, task.seed, task.swarm);
    const Key key{task.scenario->first, task.engine->traits().name, task.seed, task.swarm ? "swarm" : "plain"};
    std::lock_guard<std::mutex> lock(mutex);
    rows[key] = hash;
    std::cerr << absl::StrFormat("[%d/%d] %s %s %d %s %s\n", rows.size(), tasks.size(), std::get<0>(key),
                                 std::get<1>(key), task.seed, std::get<3>(key), hash);
  });
  return rows;
}

bool Read(const std::string& path, std::map<Key, std::string>* rows) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "golden_hashes: cannot read " << path << "\n";
    return false;
  }
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string scenario, engine, mode, hash;
    uint64_t seed = 0;
    if (!(fields >> scenario >> engine >> seed >> mode >> hash) || (mode != "plain" && mode != "swarm")) {
      std::cerr << absl::StrFormat("golden_hashes: %s:%d: expected 'scenario engine seed plain|swarm hash'\n", path,
                                   number);
      return false;
    }
    (*rows)[{scenario, engine, seed, mode}] = hash;
  }
  return true;
}

}  // namespace

constexpr char kUsage[] =
    "usage: golden_hashes [--jobs N] [--scenario NAME] [--engine NAME] (--write FILE | --print | --check FILE)\n";

int main(int argc, char** argv) {
  int jobs = 1;  // worker threads
  Only only;
  std::vector<std::string> mode;  // --write FILE, --print or --check FILE
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--jobs" && has_value) {
      jobs = std::atoi(argv[++i]);
      if (jobs < 1 || jobs > 256) {
        std::cerr << "golden_hashes: --jobs must be 1..256\n";
        return 2;
      }
    } else if (arg == "--scenario" && has_value) {
      only.scenario = argv[++i];
    } else if (arg == "--engine" && has_value) {
      only.engine = argv[++i];
    } else {
      mode.push_back(arg);
    }
  }
  const bool write = mode.size() == 2 && mode[0] == "--write";
  const bool print = mode.size() == 1 && mode[0] == "--print";
  const bool check = mode.size() == 2 && mode[0] == "--check";
  if (!write && !print && !check) {
    std::cerr << kUsage;
    return 2;
  }
  std::map<Key, std::string> expected;
  if (check && !Read(mode[1], &expected)) return 2;
  const std::map<Key, std::string> actual = Compute(only, jobs);
  if (actual.empty()) {
    std::cerr << absl::StrFormat("golden_hashes: no rows for scenario '%s', engine '%s'\n",
                                 only.scenario.empty() ? "(any)" : only.scenario,
                                 only.engine.empty() ? "(any)" : only.engine);
    return 2;
  }
  if (!check) {
    std::ofstream file;
    if (write) file.open(mode[1]);
    std::ostream& out = write ? file : std::cout;
    if (write) out << kHeader;
    for (const auto& [key, hash] : actual) {
      const auto& [scenario, engine, seed, row_mode] = key;
      out << absl::StrFormat("%s %s %d %s %s\n", scenario, engine, seed, row_mode, hash);
    }
    if (!out.flush()) {
      std::cerr << "golden_hashes: cannot write " << (write ? mode[1] : "stdout") << "\n";
      return 2;
    }
    if (write) std::cout << "wrote " << actual.size() << " rows to " << mode[1] << "\n";
    return 0;
  }
  int differences = 0;
  int missing = 0;
  for (const auto& [key, hash] : actual) {
    const auto& [scenario, engine, seed, row_mode] = key;
    auto it = expected.find(key);
    const std::string want = it == expected.end() ? "(no row)" : it->second;
    if (want != hash) {
      ++differences;
      std::cout << absl::StrFormat("DIFFERS %s %s seed %d %s: expected %s, got %s\n", scenario, engine, seed, row_mode,
                                   want, hash);
    }
  }
  for (const auto& [key, hash] : expected) {
    if (!only.Keeps(key) || actual.contains(key)) continue;
    ++missing;
    std::cout << absl::StrFormat("NOT RUN %s %s seed %d %s (the file has a row no engine or scenario makes)\n",
                                 std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key));
  }
  std::cout << absl::StrFormat("%d of %d hashes identical\n", actual.size() - differences, actual.size());
  return differences + missing == 0 ? 0 : 1;
}
