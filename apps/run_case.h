// Runs one (scenario, engine, seed) case and adds what only the caller knows:
// measured CPU time and the one-line command that reproduces it.
#pragma once

#include <functional>
#include <string>

#include "engines/common/engine.h"
#include "results.pb.h"
#include "scenario.pb.h"
#include "sim/world.h"

namespace collabsim::apps {

struct Case {
  std::string scenario_arg;  // what the user typed: a built-in name or a path
  const scenario::Scenario* scenario = nullptr;
  const Engine* engine = nullptr;
  uint64_t seed = 0;
  // Also draw extra faults from the seed (see sim/swarm.h).
  bool swarm = false;
  // Time every local apply and receive (per-step CPU figures in the
  // results). Two clock reads per step cost more than the step itself on
  // some VMs, so callers that only want pass/fail (`check`) turn it off.
  bool time_each_step = true;
  // Run the case twice and compare every step's digest (sim::RunOptions
  // record_steps / expect_steps); the second run's result is returned.
  bool verify_determinism = false;
};

// `on_start`, if set, gets the setup line (seed and every option) before the
// run starts, so even a crash leaves what is needed to reproduce it.
results::RunResult RunCase(const Case& c, const sim::RunOptions& options,
                           const std::function<void(const std::string&)>& on_start = nullptr);

std::string ReproduceCommand(const Case& c);

// Where `run` writes the history of a failing case when no --history was
// given: collabsim-SCENARIO-ENGINE-seedN[-swarm].history in the current
// directory.
std::string DefaultHistoryPath(const Case& c);

// Loads the scenario (built-in name or path) and finds the engine; on error
// prints "collabsim COMMAND: reason" to stderr and returns false.
bool ResolveInputs(const char* command, const std::string& scenario_arg, const std::string& engine_name,
                   scenario::Scenario* scenario, const Engine** engine);

// Exit codes shared by every command (documented in --help and the README).
inline constexpr int kExitOk = 0;
inline constexpr int kExitViolation = 1;
inline constexpr int kExitBadInput = 2;

}  // namespace collabsim::apps
