// `collabsim shrink`: the smallest scenario file that still fails the way a
// given (scenario, engine, seed) fails, with its steps and sizes printed.
#include <sstream>
#include <iostream>

#include "absl/strings/str_format.h"
#include "apps/commands.h"
#include "apps/run_case.h"
#include "reports/output_file.h"
#include "google/protobuf/text_format.h"
#include "sim/applicability.h"
#include "sim/scenario_loader.h"
#include "sim/shrinker.h"
#include "sim/swarm.h"
#include "sim/world.h"

namespace collabsim::apps {

int ShrinkCommand(const ShrinkFlags& flags) {
  scenario::Scenario scenario;
  const Engine* engine = nullptr;
  if (!ResolveInputs("shrink", flags.scenario, flags.engine, &scenario, &engine)) return kExitBadInput;
  if (flags.max_runs < 1) {
    std::cerr << "collabsim shrink: --max-runs must be at least 1\n";
    return kExitBadInput;
  }
  if (const std::optional<std::string> why = sim::NotApplicable(scenario, *engine); why.has_value()) {
    std::cerr << "collabsim shrink: not applicable, nothing to shrink: " << *why << "\n";
    return kExitBadInput;
  }
  const std::string out = !flags.out.empty() ? flags.out
                                             : absl::StrFormat("collabsim-shrunk-%s-%s-seed%d%s.textproto",
                                                               reports::FileNamePart(scenario.name()),
                                                               reports::FileNamePart(engine->traits().name), flags.seed,
                                                               flags.swarm ? "-swarm" : "");
  // Refuse an unwritable path before the work, not after it.
  if (absl::Status writable = reports::CheckWritable(out); !writable.ok()) {
    std::cerr << "collabsim shrink: " << writable.message() << "\n";
    return kExitBadInput;
  }
  const scenario::Scenario base = flags.swarm ? sim::ApplySwarm(scenario, flags.seed).scenario : scenario;
  std::cout << absl::StrFormat("collabsim shrink: scenario=%s engine=%s seed=%d%s, at most %d runs\n", scenario.name(),
                               engine->traits().name, flags.seed, flags.swarm ? " (swarm faults made explicit)" : "",
                               flags.max_runs)
            << std::flush;
  sim::ShrinkOptions options;
  options.max_runs = flags.max_runs;
  options.progress = [](const std::string& line) { std::cout << line << "\n" << std::flush; };
  absl::StatusOr<sim::ShrinkResult> shrunk = sim::Shrink(base, *engine, flags.seed, options);
  if (!shrunk.ok()) {
    std::cerr << "collabsim shrink: " << shrunk.status().message() << "\n";
    return kExitBadInput;
  }
  const std::string reproduce =
      absl::StrFormat("collabsim run --scenario %s --engine %s --seed %d", out, engine->traits().name, flags.seed);
  std::string text;
  google::protobuf::TextFormat::PrintToString(shrunk->scenario, &text);
  std::ostringstream file;
  file << "# " << shrunk->scenario.description() << "\n"
       << absl::StrFormat("# from: collabsim shrink --scenario %s --engine %s --seed %d%s\n", flags.scenario,
                          engine->traits().name, flags.seed, flags.swarm ? " --swarm" : "")
       << "# before: " << shrunk->before.Describe() << "\n# after:  " << shrunk->after.Describe() << "\n"
       << "# reproduce with: " << reproduce << "\n"
       << text;
  if (absl::Status written = reports::WriteTextFile(out, file.str()); !written.ok()) {
    std::cerr << "collabsim shrink: " << written.message() << "\n";
    return kExitBadInput;
  }
  std::cout << absl::StrFormat("before: %s\nafter:  %s\n(%d runs%s)\n", shrunk->before.Describe(),
                               shrunk->after.Describe(), shrunk->runs,
                               shrunk->budget_exhausted ? "; stopped at --max-runs, a longer search may shrink further"
                                                        : "");
  // The file must reproduce the failure on its own: load it back and run it.
  absl::StatusOr<scenario::Scenario> written = sim::LoadScenario(out);
  bool reproduced = false;
  if (written.ok()) {
    const results::RunResult again = sim::World(*written, *engine, flags.seed).Run();
    for (const auto& violation : again.violations()) reproduced |= violation.invariant() == shrunk->invariant;
  }
  if (!reproduced) {
    std::cerr << "collabsim shrink: the written file " << out << " does not fail " << shrunk->invariant
              << " when run (" << (written.ok() ? "it passes" : std::string(written.status().message()))
              << "); please report this\n";
    return kExitViolation;
  }
  std::cout << "violation: " << shrunk->invariant << ": " << shrunk->detail << "\n"
            << "wrote " << out << "\nreproduce with: " << reproduce << "\n";
  return kExitOk;
}

}  // namespace collabsim::apps
