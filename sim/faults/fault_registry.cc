// Every fault collabsim simulates, in one list. The order is the order in
// which a run starts them, `shrink` takes their parts out and `--swarm`
// draws them: append only, since a swarm seed's draws depend on it.
// Adding a fault: one file in sim/faults/ defining its Make function, one
// line here.
#include "sim/faults/fault.h"

#define COLLABSIM_FAULTS(X) \
  X(MakeDrops)              \
  X(MakeStorms)             \
  X(MakeAcceptLimit)        \
  X(MakePartitions)         \
  X(MakeOfflineWindows)     \
  X(MakeClocks)             \
  X(MakeServerCrashes)      \
  X(MakeClientCrashes)      \
  X(MakeServerStalls)       \
  X(MakeDuplicates)         \
  /* new faults go above this line */

namespace collabsim::sim {

#define COLLABSIM_DECLARE(make) std::unique_ptr<Fault> make();
COLLABSIM_FAULTS(COLLABSIM_DECLARE)
#undef COLLABSIM_DECLARE

std::vector<std::unique_ptr<Fault>> AllFaults() {
  std::vector<std::unique_ptr<Fault>> faults;
#define COLLABSIM_MAKE(make) faults.push_back(make());
  COLLABSIM_FAULTS(COLLABSIM_MAKE)
#undef COLLABSIM_MAKE
  for (size_t k = 0; k < faults.size(); ++k) faults[k]->set_registry_index(k);
  return faults;
}

std::vector<std::unique_ptr<Fault>> MakeFaults(const scenario::Scenario& scenario) {
  std::vector<std::unique_ptr<Fault>> faults;
  for (std::unique_ptr<Fault>& fault : AllFaults()) {
    if (!fault->InScenario(scenario)) continue;
    fault->set_slot(faults.size());
    faults.push_back(std::move(fault));
  }
  return faults;
}

void EnsureBackoff(scenario::Scenario* s) {
  if (s->has_reconnect_backoff()) return;
  scenario::Backoff* b = s->mutable_reconnect_backoff();
  b->set_initial_ms(1000);
  b->set_max_ms(30000);
  b->set_multiplier(2);
  b->set_jitter_fraction(0.5);
}

}  // namespace collabsim::sim
