// Scenario files, text format and JSON: loading and validation never
// crash, and a scenario that loads runs (cut to a few simulated seconds
// and a few users, so each input stays fast) without tripping an
// invariant of the simulator (on ot, lww and crdt-mesh, where it applies).
#include <cstdint>
#include <string>
#include <string_view>

#include "engines/registry.h"
#include "google/protobuf/text_format.h"
#include "sim/applicability.h"
#include "sim/scenario_loader.h"
#include "sim/world.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace collabsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<scenario::Scenario> loaded = sim::ParseScenario(text, "fuzz");
  if (!loaded.ok()) return 0;
  // Keep the run small: at most 4 users, 3 s active, 60 s to converge.
  if (sim::UserCount(*loaded) > 4 || loaded->script_size() > 200) return 0;
  if (loaded->presence().has_flood() && loaded->presence().flood().updates_per_s() > 1000) return 0;
  scenario::Scenario small = *loaded;
  small.set_active_s(std::min(small.active_s(), 3.0));
  small.set_converge_within_s(std::min(small.converge_within_s(), 60.0));
  // Faults placed after the new end would not validate: check it again.
  std::string printed;
  google::protobuf::TextFormat::PrintToString(small, &printed);
  absl::StatusOr<scenario::Scenario> runnable = sim::ParseScenario(printed, "fuzz-cut");
  if (!runnable.ok()) return 0;
  for (const Engine* engine : AllEngines()) {
    const std::string& name = engine->traits().name;
    if (name != "ot" && name != "crdt-mesh" && name != "lww") continue;
    if (sim::NotApplicable(*runnable, *engine).has_value()) continue;
    sim::World(*runnable, *engine, 1, sim::RunOptions{}).Run();
  }
  return 0;
}
