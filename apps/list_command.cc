// `collabsim list`: built-in scenarios and engines, one line each.
#include <iostream>

#include "absl/strings/str_format.h"
#include "apps/commands.h"
#include "apps/run_case.h"
#include "engines/registry.h"
#include "scenarios/builtin_scenarios.h"
#include "sim/scenario_loader.h"

namespace collabsim::apps {

int ListCommand() {
  std::cout << "scenarios:\n";
  for (const BuiltinScenario& builtin : BuiltinScenarios()) {
    absl::StatusOr<scenario::Scenario> scenario = sim::LoadScenario(builtin.name);
    const std::string description = scenario.ok() ? scenario->description() : "(invalid: " + std::string(scenario.status().message()) + ")";
    std::cout << absl::StrFormat("  %-16s %s\n", std::string(builtin.name), description);
  }
  std::cout << "engines:\n";
  for (const Engine* engine : AllEngines()) {
    std::cout << absl::StrFormat("  %-16s %s\n", engine->traits().name, engine->traits().description);
  }
  return kExitOk;
}

}  // namespace collabsim::apps
