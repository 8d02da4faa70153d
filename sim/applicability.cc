// Which scenarios apply to which engines (see applicability.h).
#include "sim/applicability.h"

#include "absl/strings/str_format.h"
#include "sim/faults/fault.h"
#include "sim/scenario_limits.h"

namespace collabsim::sim {

std::optional<std::string> NotApplicable(const scenario::Scenario& scenario, const Engine& engine) {
  if (scenario.has_design() && !engine.traits().edits_objects) {
    return absl::StrFormat("scenario %s edits a canvas of objects, and %s edits text only", scenario.name(),
                           engine.traits().name);
  }
  if (scenario.has_design() && !engine.traits().moves_objects &&
      (scenario.design().reparent_weight() > 0 || scenario.design().reorder_weight() > 0)) {
    return absl::StrFormat("scenario %s reparents and reorders objects, and %s does not move objects (only "
                           "creates, sets properties and deletes)",
                           scenario.name(), engine.traits().name);
  }
  for (const std::unique_ptr<Fault>& fault : MakeFaults(scenario)) {
    if (std::optional<std::string> what = fault->NotApplicable(scenario, engine.traits().topology)) {
      return absl::StrFormat("scenario %s %s, and %s is peer-to-peer with no server", scenario.name(), *what,
                             engine.traits().name);
    }
  }
  if (const uint32_t users = UserCount(scenario); engine.traits().max_users > 0 && users > engine.traits().max_users) {
    return absl::StrFormat("scenario %s has %d users, and %s is simulated up to %d (%s)", scenario.name(), users,
                           engine.traits().name, engine.traits().max_users, engine.traits().max_users_reason);
  }
  if (engine.traits().topology != Topology::kMesh) return std::nullopt;
  if (const uint32_t users = UserCount(scenario); users > kMaxMeshPeers) {
    return absl::StrFormat("scenario %s has %d users, and a %s mesh is simulated up to %d peers (every peer keeps "
                           "the whole log and floods every change; crowds this size sync through a server)",
                           scenario.name(), users, engine.traits().name, kMaxMeshPeers);
  }
  return std::nullopt;
}

}  // namespace collabsim::sim
