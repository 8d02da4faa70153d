// Who the users of a scenario are (see scenario_limits.h).
#include "sim/scenario_limits.h"

namespace collabsim::sim {

uint32_t UserCount(const scenario::Scenario& scenario) {
  uint64_t users = 0;
  for (const auto& group : scenario.groups()) users += group.count();
  return users > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(users);
}

bool IsReadOnly(const scenario::Scenario& scenario, uint32_t user) {
  uint64_t first = 1;
  for (const auto& group : scenario.groups()) {
    if (user < first + group.count()) return group.read_only();
    first += group.count();
  }
  return false;
}

}  // namespace collabsim::sim
