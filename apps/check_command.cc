// `collabsim check`: many seeds, one line per failure, a summary at the end.
#include <unistd.h>

#include <iostream>
#include <map>

#include "absl/strings/str_format.h"
#include "apps/commands.h"
#include "apps/run_case.h"
#include "apps/seed_list.h"
#include "engines/registry.h"
#include "reports/junit_writer.h"
#include "reports/output_file.h"
#include "sim/applicability.h"
#include "sim/scenario_loader.h"

namespace collabsim::apps {

int CheckCommand(const CheckFlags& flags) {
  absl::StatusOr<std::vector<uint64_t>> seeds = ParseSeedList(flags.seeds);
  if (!seeds.ok()) {
    std::cerr << "collabsim check: " << seeds.status().message() << "\n";
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
  const bool terminal = isatty(STDERR_FILENO) != 0;
  const size_t progress_every = terminal ? 1 : std::max<size_t>(1, seeds->size() / 10);
  size_t failures = 0;
  size_t done = 0;
  std::map<std::string, uint64_t> probe_totals;
  if (!not_applicable.has_value()) std::cout << absl::StrFormat("collabsim check: scenario=%s engine=%s seeds=%s (%d runs)%s\n", scenario.name(),
                               engine->traits().name, flags.seeds, seeds->size(),
                               std::string(flags.swarm ? ", swarm: each seed also draws extra faults" : "") +
                                   (flags.verify_determinism ? ", each seed run twice to verify determinism" : ""));
  for (uint64_t seed : not_applicable.has_value() ? std::vector<uint64_t>{} : *seeds) {
    Case c{flags.scenario, &scenario, engine, seed, flags.swarm};
    c.time_each_step = false;  // pass/fail only
    c.verify_determinism = flags.verify_determinism;
    const results::RunResult result = RunCase(c, sim::RunOptions{});
    junit_case.time_s += result.measured_cpu_s();
    ++done;
    for (const auto& probe : result.probes()) probe_totals[probe.name()] += probe.count();
    if (result.violations_size() > 0) {
      ++failures;
      if (terminal) std::cerr << "\r\033[K";
      const std::string line = absl::StrFormat("FAIL seed=%d [%s] %s%s\n     reproduce with: %s\n", seed,
                                               result.violations(0).invariant(), result.violations(0).detail(),
                                               flags.swarm ? " (swarm: " + result.swarm() + ")" : "", result.command());
      std::cout << line << std::flush;
      failed_seeds += line;
      if (first_invariant.empty()) first_invariant = result.violations(0).invariant();
    }
    if (done % progress_every == 0 || done == seeds->size()) {
      const std::string line = absl::StrFormat("[check] %d/%d seeds, %d failed", done, seeds->size(), failures);
      if (terminal) {
        std::cerr << "\r\033[K" << line << std::flush;
      } else {
        std::cerr << line << "\n";
      }
    }
  }
  if (terminal) std::cerr << "\n";
  // Swarm runs do not fail one by one on coverage; the sweep must hit every
  // required probe at least once.
  bool coverage_ok = true;
  if (flags.swarm && !not_applicable.has_value()) {
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
  const std::string summary = absl::StrFormat("%d passed, %d failed", seeds->size() - failures, failures);
  if (!not_applicable.has_value()) std::cout << (failures == 0 && coverage_ok ? "ok: " : "FAILED: ") << summary << "\n";
  if (!flags.junit.empty()) {
    if (failures > 0 || !coverage_ok) {
      junit_case.failure = reports::JUnitFailure{
          absl::StrFormat("%s of seeds %s%s", summary, flags.seeds, coverage_ok ? "" : "; a required probe was never hit"),
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
  return failures == 0 && coverage_ok ? kExitOk : kExitViolation;
}

}  // namespace collabsim::apps
