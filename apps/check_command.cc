// `collabsim check`: many seeds, one line per failure, a summary at the end;
// on several threads with --jobs, with the same output as on one.
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "apps/commands.h"
#include "apps/parallel_for.h"
#include "apps/progress_line.h"
#include "apps/run_case.h"
#include "apps/seed_list.h"
#include "engines/registry.h"
#include "reports/junit_writer.h"
#include "reports/output_file.h"
#include "sim/applicability.h"
#include "sim/expectations.h"
#include "sim/scenario_loader.h"

namespace collabsim::apps {

int CheckCommand(const CheckFlags& flags) {
  absl::StatusOr<std::vector<uint64_t>> seeds = ParseSeedList(flags.seeds);
  if (!seeds.ok()) {
    std::cerr << "collabsim check: " << seeds.status().message() << "\n";
    return kExitBadInput;
  }
  if (flags.jobs < 1 || flags.jobs > 256) {
    std::cerr << "collabsim check: --jobs must be in [1, 256]\n";
    return kExitBadInput;
  }
  scenario::Scenario scenario;
  const Engine* engine = nullptr;
  if (!ResolveInputs("check", flags.scenario, flags.engine, &scenario, &engine)) return kExitBadInput;
  // Checked before the sweep, so a bad path fails at once, not after it.
  if (!flags.junit.empty()) {
    if (absl::Status writable = reports::CheckWritable(flags.junit); !writable.ok()) {
      std::cerr << "collabsim check: --junit: " << writable.message() << "\n";
      return kExitBadInput;
    }
  }
  reports::JUnitCase junit_case{"collabsim.check." + scenario.name(), engine->traits().name, 0, std::nullopt};
  const std::optional<std::string> not_applicable = sim::NotApplicable(scenario, *engine);
  if (not_applicable.has_value()) {
    std::cout << absl::StrFormat("collabsim check: scenario=%s engine=%s: not applicable, nothing run: %s\n",
                                 scenario.name(), engine->traits().name, *not_applicable);
    junit_case.skipped = *not_applicable;
  }
  std::string failed_seeds;
  std::string first_invariant;
  size_t failures = 0;
  std::map<std::string, uint64_t> probe_totals;
  sim::ExpectationMeans means;  // for the service levels over seeds
  if (!not_applicable.has_value()) std::cout << absl::StrFormat("collabsim check: scenario=%s engine=%s seeds=%s (%d runs)%s\n", scenario.name(),
                               engine->traits().name, flags.seeds, seeds->size(),
                               std::string(flags.swarm ? ", swarm: each seed also draws extra faults" : "") +
                                   (flags.verify_determinism ? ", each seed run twice to verify determinism" : ""));
  // Seeds run on `jobs` threads; what each left is taken in seed order, so
  // the output (failures, their order, the summary) is that of one thread.
  struct Outcome {
    std::optional<results::RunResult> result;  // set when run, reset when taken
    std::string line;                           // the FAIL line
  };
  const std::vector<uint64_t> to_run = not_applicable.has_value() ? std::vector<uint64_t>{} : *seeds;
  std::vector<Outcome> outcomes(to_run.size());
  size_t taken = 0;  // outcomes printed and counted, in seed order
  std::mutex mutex;
  ProgressLine progress("check", "seeds", to_run.size());
  ParallelFor(to_run.size(), flags.jobs, [&](size_t index) {
    Case c{flags.scenario, &scenario, engine, to_run[index], flags.swarm};
    c.time_each_step = false;  // pass/fail only
    c.verify_determinism = flags.verify_determinism;
    results::RunResult result = RunCase(c, sim::RunOptions{});
    Outcome outcome;
    if (result.violations_size() > 0) {
      outcome.line = absl::StrFormat("FAIL seed=%d [%s] %s%s\n     reproduce with: %s\n", to_run[index],
                                     result.violations(0).invariant(), result.violations(0).detail(),
                                     flags.swarm ? " (swarm: " + result.swarm() + ")" : "", result.command());
    }
    outcome.result = std::move(result);
    std::lock_guard<std::mutex> lock(mutex);
    outcomes[index] = std::move(outcome);
    for (; taken < outcomes.size() && outcomes[taken].result.has_value(); ++taken) {
      const results::RunResult& next = *outcomes[taken].result;
      junit_case.time_s += next.measured_cpu_s();
      means.Add(next);
      for (const auto& probe : next.probes()) probe_totals[probe.name()] += probe.count();
      if (next.violations_size() > 0) {
        ++failures;
        progress.Clear();
        std::cout << outcomes[taken].line << std::flush;
        failed_seeds += outcomes[taken].line;
        if (first_invariant.empty()) first_invariant = next.violations(0).invariant();
      }
      progress.Update(taken + 1, failures);
      outcomes[taken] = Outcome{};  // a long sweep keeps no run it has taken
    }
  });
  // Swarm runs do not fail one by one on coverage; the sweep must hit every
  // required probe at least once.
  bool coverage_ok = true;
  if (flags.swarm && !not_applicable.has_value() && !engine->traits().reference) {
    for (const std::string& required : scenario.require_probe()) {
      if (probe_totals[required] == 0) {
        coverage_ok = false;
        const std::string line = absl::StrFormat("FAIL coverage: required probe %s was never hit in %d swarm runs\n",
                                                 required, seeds->size());
        std::cout << line;
        failed_seeds += line;
        if (first_invariant.empty()) first_invariant = "coverage";
      }
    }
  }
  // The service levels over seeds, on the mean of every seed's run.
  bool levels_ok = true;
  const sim::Expectations& expect = sim::ExpectationsFor(scenario, engine->traits().reference);
  for (const std::string& broken : sim::BrokenExpectations(expect, engine->traits().name, means)) {
    levels_ok = false;
    const std::string line = absl::StrFormat("FAIL %s\n", broken);
    std::cout << line;
    failed_seeds += line;
    if (first_invariant.empty()) first_invariant = "expectation";
  }
  const std::string counts = absl::StrFormat("%d passed, %d failed", seeds->size() - failures, failures);
  const std::string levels = levels_ok ? "" : "; a service level over seeds was not met";
  const std::string summary = counts + levels;
  if (!not_applicable.has_value()) std::cout << (failures == 0 && coverage_ok && levels_ok ? "ok: " : "FAILED: ") << summary << "\n";
  if (!flags.junit.empty()) {
    if (failures > 0 || !coverage_ok || !levels_ok) {
      junit_case.failure = reports::JUnitFailure{
          absl::StrFormat("%s of seeds %s%s%s", counts, flags.seeds, coverage_ok ? "" : "; a required probe was never hit",
                          levels),
          first_invariant, failed_seeds};
    }
    reports::JUnitSuite suite{"collabsim check",
                              {{"scenario", scenario.name()},
                               {"engine", engine->traits().name},
                               {"seeds", flags.seeds},
                               {"swarm", flags.swarm ? "true" : "false"}},
                              {junit_case}};
    for (const auto& [name, count] : probe_totals) suite.properties.emplace_back("probe." + name, std::to_string(count));
    if (absl::Status written = reports::WriteTextFile(flags.junit, reports::JUnitXml(suite)); !written.ok()) {
      std::cerr << "collabsim check: --junit: " << written.message() << "\n";
      return kExitBadInput;
    }
  }
  return failures == 0 && coverage_ok && levels_ok ? kExitOk : kExitViolation;
}

}  // namespace collabsim::apps
