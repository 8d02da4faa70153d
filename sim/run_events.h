// What can happen in a run: one struct per kind of event, each with its own
// payload, and the variant the event queue holds.
//
// A step's kind number (StepKind) goes into the determinism self-check's
// digests, which recordings keep: numbers are append only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "engines/common/intent.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

enum class StepKind : uint32_t {
  // Faults' kinds are here too: a new fault appends its own.
  kUserAction, kDeliver, kDrop, kReconnect, kOfflineStart, kOfflineEnd, kHeal, kSampleMemory, kStorm,
  kPartitionStart, kPartitionDetect, kPartitionEnd, kServerCrash, kServerRestart,
  kClientCrash, kClientRestart, kPresenceTimer, kPresenceDeliver, kPresenceFlood,
  kLast = kPresenceFlood };

// "delivery", "reconnect storm", ...; "event N" past the last kind.
std::string StepKindName(uint32_t kind);

// Whose cursor changes a presence message carries and when each owner made
// it, for cursor latency (measurement only, not on the wire).
using PresenceStamps = std::vector<std::pair<ReplicaId, SimTime>>;

namespace events {

// The user's workload acts (types, deletes, moves, edits a property).
struct UserAction { ReplicaId user = 0; };
// An engine message reaches `to`, unless the edge's connection changed
// since it was sent (`epoch`) or a partition cuts it.
struct Deliver {
  ReplicaId from = 0;
  ReplicaId to = 0;
  uint64_t epoch = 0;
  std::string bytes;
};
// A presence message, beside the edits on the same connection.
struct PresenceDeliver {
  ReplicaId from = 0;
  ReplicaId to = 0;
  uint64_t epoch = 0;
  std::string bytes;
  PresenceStamps stamps;
};
struct PresenceTimer { ReplicaId node = 0; SimTime armed_for = 0; };
struct PresenceFlood { ReplicaId user = 0; };
struct Heal {};
struct SampleMemory {};
// The connection manager tries to bring a user's connection back.
struct Reconnect { ReplicaId user = 0; uint64_t attempt = 0; };
// A fault's event (sim/faults/): `slot` is the fault's place in the run's
// list, `kind` the StepKind it records as, `node` the user it concerns
// (0: none) and `arg` what the fault needs back (an index, an epoch).
struct FaultTimer {
  size_t slot = 0;
  StepKind kind = StepKind::kDrop;
  ReplicaId node = 0;
  uint64_t arg = 0;
};

}  // namespace events

using RunEvent = std::variant<events::UserAction, events::Deliver, events::Reconnect, events::Heal,
                              events::SampleMemory, events::PresenceTimer, events::PresenceDeliver,
                              events::PresenceFlood, events::FaultTimer>;

// What the self-check records of a step: its kind and the nodes it concerns
// (the user or sender; the receiver of a delivery; 0 where none).
struct StepEnds {
  StepKind kind;
  ReplicaId node = 0;
  ReplicaId to = 0;
};
StepEnds EndsOf(const RunEvent& event);

}  // namespace collabsim::sim
