// What a run records as it goes, for the judge (sim/judge.h) at its end:
// the words and property writes the users made (the oracles' inputs), and
// the latencies and CPU times measured. Recording never changes the run.
#pragma once

#include <cstdint>
#include <vector>

#include "check/canvas.h"
#include "check/intent_oracle.h"
#include "engines/common/intent.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

struct RunRecord {
  check::IntentOracle oracle;    // every word typed and deleted, by intent
  check::CanvasRecorder canvas;  // every property write, with what its author saw
  // From an intent's making to its showing at each other user.
  std::vector<SimTime> remote_latencies;
  // The same, for the deliveries whose author and receiver kept every link
  // from the making to the showing (the steady state, between drops).
  std::vector<SimTime> steady_latencies;
  // And those where either end lost a link meanwhile (a fault delayed them).
  std::vector<SimTime> fault_delayed_latencies;
  // From a caret's move to its showing at each other user.
  std::vector<SimTime> cursor_latencies;
  // With a presence flood: the same among everyone but the flooding user.
  ReplicaId flood_user = 0;
  std::vector<SimTime> bystander_edit_latencies;
  std::vector<SimTime> bystander_cursor_latencies;
  // CPU time of each ApplyLocal, when the caller gave a clock.
  std::vector<int64_t> local_apply_cpu_ns;
  SimTime heal_time = 0;
  SimTime last_event_time = 0;  // the run's last handled event
};

}  // namespace collabsim::sim
