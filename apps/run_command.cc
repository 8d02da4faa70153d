// `collabsim run`: one seed, a human summary, optionally a JSON results file.
#include <fstream>
#include <iostream>

#include "absl/strings/str_format.h"
#include "apps/commands.h"
#include "apps/recording.h"
#include "apps/run_case.h"
#include "collabsim/version.h"
#include "engines/registry.h"
#include "reports/results_file.h"
#include "reports/run_summary.h"
#include "sim/applicability.h"
#include "sim/expectations.h"
#include "sim/scenario_loader.h"
#include "sim/swarm.h"

namespace collabsim::apps {

int RunCommand(const RunFlags& flags) {
  scenario::Scenario scenario;
  const Engine* engine = nullptr;
  if (!ResolveInputs("run", flags.scenario, flags.engine, &scenario, &engine)) return kExitBadInput;
  if (const std::optional<std::string> why = sim::NotApplicable(scenario, *engine); why.has_value()) {
    std::cout << "collabsim run: not applicable, nothing run: " << *why << "\n";
    return kExitOk;
  }
  Case c{flags.scenario, &scenario, engine, flags.seed, flags.swarm};
  c.verify_determinism = flags.verify_determinism;
  // Unwritable output paths are bad input: refused before the run, and
  // nothing is created or emptied by the check.
  for (const std::string* path : {&flags.history_path, &flags.record_path, &flags.json_path}) {
    if (path->empty()) continue;
    if (absl::Status writable = reports::CheckWritable(*path); !writable.ok()) {
      std::cerr << "collabsim run: " << writable.message() << "\n";
      return kExitBadInput;
    }
  }
  std::ofstream history;
  if (!flags.history_path.empty()) {
    history.open(flags.history_path);
    if (!history) {
      std::cerr << "collabsim run: cannot write --history file " << flags.history_path << "\n";
      return kExitBadInput;
    }
  }
  sim::RunOptions options;
  if (history.is_open()) options.history = &history;
  std::vector<sim::StepRecord> steps;
  if (!flags.record_path.empty()) options.record_steps = &steps;
  results::RunResult result = RunCase(c, options, [](const std::string& setup) {
    std::cout << "collabsim " << kVersion << " run: " << setup << "\n" << std::flush;
  });
  // Service levels over seeds, on the one seed a run has.
  sim::ExpectationMeans one;
  one.Add(result);
  const sim::Expectations& expect = sim::ExpectationsFor(scenario, engine->traits().reference);
  for (const std::string& broken : sim::BrokenExpectations(expect, engine->traits().name, one)) {
    results::Violation* violation = result.add_violations();
    violation->set_invariant("expectation");
    violation->set_detail(broken);
  }
  std::cout << reports::FormatRunSummary(result);
  if (!flags.record_path.empty()) {
    const scenario::Scenario as_run = c.swarm ? sim::ApplySwarm(scenario, c.seed).scenario : scenario;
    absl::Status written = WriteRecording(flags.record_path, MakeRecording(flags.scenario, as_run, engine->traits().name,
                                                                          c.seed, c.swarm, steps, result.trace_hash()));
    if (!written.ok()) {
      std::cerr << "collabsim run: " << written.message() << "\n";
      return kExitBadInput;
    }
    std::cout << "recording written to " << flags.record_path << " (" << steps.size() << " steps; collabsim replay "
              << flags.record_path << ")\n";
  }
  bool output_failed = false;
  if (history.is_open()) {
    history.close();
    if (!history) {
      std::cerr << "collabsim run: cannot write " << flags.history_path << ": the history is incomplete\n";
      output_failed = true;
    } else {
      std::cout << "history written to " << flags.history_path << "\n";
    }
  } else if (result.violations_size() > 0) {
    // The run is deterministic: running it again with a history gives the
    // history of the very run that failed.
    const std::string path = DefaultHistoryPath(c);
    std::ofstream file(path);
    if (file) {
      sim::RunOptions again;
      again.history = &file;
      Case quiet = c;
      quiet.verify_determinism = false;
      RunCase(quiet, again);
      file.close();
    }
    std::cout << (file ? "history written to " + path + " (one line per event)"
                       : "could not write the history to " + path + "; rerun with --history FILE")
              << "\n";
  }
  if (!flags.json_path.empty()) {
    results::ResultsFile file;
    file.set_collabsim_version(kVersion);
    *file.add_runs() = result;
    absl::Status written = reports::WriteTextFile(flags.json_path, reports::ResultsToJson(file));
    if (!written.ok()) {
      std::cerr << "collabsim run: " << written.message() << "\n";
      return kExitBadInput;
    }
    std::cout << "results written to " << flags.json_path << "\n";
  }
  if (output_failed) return kExitBadInput;
  if (result.violations_size() > 0) {
    std::cout << "FAILED: seed " << flags.seed << " violates " << result.violations(0).invariant()
              << "\nreproduce with: " << result.command() << "\n";
    return kExitViolation;
  }
  return kExitOk;
}

}  // namespace collabsim::apps
