// Runs a suite (scenarios x engines x seeds), optionally one shard of it, on
// several threads. Results land by case index, so the output is the same for
// any --jobs; each case is an independent, single-threaded World.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engines/common/engine.h"
#include "results.pb.h"
#include "scenario.pb.h"

namespace collabsim::apps {

// --shard I/N: this process runs cases k with k % N == I - 1.
struct Shard {
  uint32_t index = 1;
  uint32_t count = 1;
};
absl::StatusOr<Shard> ParseShard(const std::string& text);

struct SuiteScenario {
  std::string arg;  // as given: a built-in name or a path
  scenario::Scenario scenario;
};

// "default": every built-in scenario; a .textproto file: that scenario; a
// directory: every *.textproto in it, by file name.
absl::StatusOr<std::vector<SuiteScenario>> LoadSuite(const std::string& suite);

struct Suite {
  std::vector<SuiteScenario> scenarios;
  std::vector<const Engine*> engines;
  std::vector<uint64_t> seeds;
  bool swarm = false;
  // Runs to do: every applicable (scenario, engine) pair times the seeds.
  size_t CaseCount() const;
  // "scenario x engine: why" for each pair that does not apply (not run;
  // the reports show n/a).
  std::vector<std::string> NotApplicable() const;
};

struct Progress {
  size_t done = 0;
  size_t total = 0;
  size_t failed = 0;
  const results::RunResult* last = nullptr;
};

// Runs this shard's cases on `jobs` threads. `on_progress` is called after
// each case, one call at a time.
results::ResultsFile RunSuite(const Suite& suite, int jobs, Shard shard,
                              const std::function<void(const Progress&)>& on_progress);

}  // namespace collabsim::apps
