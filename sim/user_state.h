// Everything a run keeps about one user, in one place: its replica, its
// workload, its connection state, the intents it made, and its side of the
// presence channel. The World holds one per user, indexed by user id - 1.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "engines/common/engine.h"
#include "engines/presence/presence_node.h"
#include "sim/sim_time.h"
#include "sim/user_model.h"

namespace collabsim::sim {

struct UserState {
  ReplicaId id = 0;
  std::unique_ptr<Replica> replica;
  std::unique_ptr<UserModel> workload;  // synthetic, designer or scripted
  bool read_only = false;               // a viewer who never edits
  uint64_t next_intent_seq = 1;
  std::vector<SimTime> intent_times;  // when each of its intents was made, by seq - 1
  uint32_t offline_windows = 0;       // offline windows in force (they may overlap)
  // When one of its links (or its connection) last came up or went down:
  // deliveries of intents made after it are in the steady state.
  SimTime links_changed_at = 0;
  bool reconnect_planned = false;
  bool crashed = false;  // the app is down
  // By seq - 1, whether another user's replica holds the intent (so an app
  // crash without storage does not lose it).
  std::vector<bool> held_elsewhere;
  // Its side of the presence channel (only when the run has presence), and
  // the cursors it published recently with when it made them, for cursor
  // latency.
  std::unique_ptr<PresenceNode> presence;
  std::deque<std::pair<EncodedSelection, SimTime>> publish_times;
};

}  // namespace collabsim::sim
