// Every fault collabsim simulates, in the order a run starts them. Adding a
// fault: one file in sim/faults/ defining its Make function, one line here.
#include "sim/faults/fault.h"

#define COLLABSIM_FAULTS(X) \
  X(MakeDrops)              \
  X(MakeOfflineWindows)     \
  X(MakeStorms)             \
  X(MakePartitions)         \
  X(MakeServerCrashes)      \
  X(MakeClientCrashes)

namespace collabsim::sim {

// Each returns null when the scenario does not use that fault.
#define COLLABSIM_DECLARE(make) std::unique_ptr<Fault> make(const scenario::Scenario& scenario);
COLLABSIM_FAULTS(COLLABSIM_DECLARE)
#undef COLLABSIM_DECLARE

std::vector<std::unique_ptr<Fault>> MakeFaults(const scenario::Scenario& scenario) {
  std::vector<std::unique_ptr<Fault>> faults;
#define COLLABSIM_MAKE(make) \
  if (std::unique_ptr<Fault> fault = make(scenario)) faults.push_back(std::move(fault));
  COLLABSIM_FAULTS(COLLABSIM_MAKE)
#undef COLLABSIM_MAKE
  for (size_t k = 0; k < faults.size(); ++k) faults[k]->set_slot(k);
  return faults;
}

}  // namespace collabsim::sim
