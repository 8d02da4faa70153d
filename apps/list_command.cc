// `collabsim list`: built-in scenarios, engines and probes, one line each;
// `collabsim show NAME [--json]`: one built-in scenario's file, to copy and
// edit.
#include <iostream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "engines/common/probes.h"
#include "apps/commands.h"
#include "apps/run_case.h"
#include "engines/registry.h"
#include "scenarios/builtin_scenarios.h"
#include "sim/scenario_json.h"
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
  std::cout << "coverage probes (for require_probe):\n";
  for (std::string_view name : probes::kAll) std::cout << "  " << name << "\n";
  return kExitOk;
}

int ShowCommand(const std::string& name, bool json) {
  for (const BuiltinScenario& builtin : BuiltinScenarios()) {
    if (builtin.name != name) continue;
    if (!json) {
      std::cout << builtin.text;
      return kExitOk;
    }
    absl::StatusOr<scenario::Scenario> scenario = sim::LoadScenario(builtin.name);
    if (!scenario.ok()) {
      std::cerr << "collabsim show: " << scenario.status().message() << "\n";
      return kExitBadInput;
    }
    std::cout << sim::MessageToPrettyJson(*scenario);
    return kExitOk;
  }
  std::vector<std::string> names;
  for (const BuiltinScenario& builtin : BuiltinScenarios()) names.emplace_back(builtin.name);
  std::cerr << "collabsim show: no built-in scenario '" << name << "' (built-in: " << absl::StrJoin(names, ", ")
            << ")\n";
  return kExitBadInput;
}

}  // namespace collabsim::apps
