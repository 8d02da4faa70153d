// One case: build a World, run it, measure CPU (outside the simulation).
#include "apps/run_case.h"

#include <time.h>

#include <iostream>
#include <optional>
#include <vector>

#include "absl/strings/str_format.h"
#include "engines/registry.h"
#include "reports/output_file.h"
#include "sim/scenario_loader.h"
#include "sim/swarm.h"

namespace collabsim::apps {

std::string ReproduceCommand(const Case& c) {
  return absl::StrFormat("collabsim run --scenario %s --engine %s --seed %d%s%s", c.scenario_arg,
                         c.engine->traits().name, c.seed, c.swarm ? " --swarm" : "",
                         c.verify_determinism ? " --verify-determinism" : "");
}

std::string DefaultHistoryPath(const Case& c) {
  // Names come from scenario files: only safe bytes reach the file name.
  return absl::StrFormat("collabsim-%s-%s-seed%d%s.history", reports::FileNamePart(c.scenario->name()),
                         reports::FileNamePart(c.engine->traits().name), c.seed, c.swarm ? "-swarm" : "");
}

bool ResolveInputs(const char* command, const std::string& scenario_arg, const std::string& engine_name,
                   scenario::Scenario* scenario, const Engine** engine) {
  absl::StatusOr<scenario::Scenario> loaded = sim::LoadScenario(scenario_arg);
  if (!loaded.ok()) {
    std::cerr << "collabsim " << command << ": " << loaded.status().message() << "\n";
    return false;
  }
  absl::StatusOr<const Engine*> found = FindEngine(engine_name);
  if (!found.ok()) {
    std::cerr << "collabsim " << command << ": " << found.status().message() << "\n";
    return false;
  }
  *scenario = *std::move(loaded);
  *engine = *found;
  return true;
}

namespace {
// This thread's CPU time: what the work cost, whatever else the machine does.
int64_t ThreadCpuNanoseconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}
// A steady clock through the vDSO: tens of nanoseconds, no system call.
int64_t SteadyNanoseconds() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}
}  // namespace

results::RunResult RunCase(const Case& c, const sim::RunOptions& options,
                           const std::function<void(const std::string&)>& on_start) {
  sim::RunOptions measured = options;
  if (c.time_each_step) {
    measured.measure_cpu_ns = ThreadCpuNanoseconds;
    measured.measure_step_ns = SteadyNanoseconds;
  }
  measured.require_probes_per_run = !c.swarm;
  std::optional<sim::SwarmDraw> swarm;
  if (c.swarm) swarm = sim::ApplySwarm(*c.scenario, c.seed);
  const scenario::Scenario& scenario = swarm.has_value() ? swarm->scenario : *c.scenario;
  // The determinism self-check: a first run records every step's digest,
  // the measured second run compares with them.
  std::vector<sim::StepRecord> steps;
  if (c.verify_determinism) {
    sim::RunOptions first = measured;
    first.record_steps = &steps;
    sim::World(scenario, *c.engine, c.seed, first).Run();
    measured.expect_steps = &steps;
  }
  sim::World world(scenario, *c.engine, c.seed, measured);
  if (on_start) on_start(world.SetupLine() + (swarm.has_value() ? " swarm=[" + swarm->summary + "]" : ""));
  const int64_t cpu_start = ThreadCpuNanoseconds();
  results::RunResult result = world.Run();
  result.set_measured_cpu_s(static_cast<double>(ThreadCpuNanoseconds() - cpu_start) / 1e9);
  if (c.verify_determinism) {
    bool diverged = false;
    for (const results::Violation& v : result.violations()) diverged = diverged || v.invariant() == "determinism";
    if (!diverged) result.set_determinism_steps_verified(steps.size());
  }
  result.set_command(ReproduceCommand(c));
  if (swarm.has_value()) result.set_swarm(swarm->summary);
  return result;
}

}  // namespace collabsim::apps
