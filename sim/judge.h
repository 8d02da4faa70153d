// The end of a run: the checks (convergence, the tree and canvas laws, the
// intent oracle, probe coverage, cursor agreement, the scenario's service
// levels per run) and the summaries, built
// from the replicas' final state and what the run recorded. Durability and
// liveness are judged during the run, where they can fail.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engines/common/engine.h"
#include "engines/presence/presence_node.h"
#include "results.pb.h"
#include "scenario.pb.h"
#include "sim/run_record.h"
#include "sim/user_state.h"

namespace collabsim::sim {

// The final state the judge reads.
struct FinalState {
  const Replica* server = nullptr;  // null in a mesh
  const std::vector<UserState>* users = nullptr;
  bool presence = false;  // the run had a presence channel
  const PresenceNode* server_presence = nullptr;  // the room, with presence through a server
};

using ViolationSink = std::function<void(const std::string& invariant, const std::string& detail)>;

struct JudgeOptions {
  // False for a run stopped by the determinism self-check: its final state
  // is reported, not judged.
  bool judge = true;
  // Fail a run that misses a required probe (see RunOptions).
  bool require_probes_per_run = true;
};

// Fills `result` (converged, the summaries, probes, latencies, digests) and
// reports each violation to `violation`. Sorts the recorded latencies.
void JudgeRun(const scenario::Scenario& scenario, const EngineTraits& traits, const FinalState& state,
              RunRecord& record, JudgeOptions options, const ViolationSink& violation, results::RunResult* result);

}  // namespace collabsim::sim
