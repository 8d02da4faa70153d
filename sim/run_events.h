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
  kUserAction, kDeliver, kDrop, kReconnect, kOfflineStart, kOfflineEnd, kHeal, kSampleMemory, kStorm,
  kPartitionStart, kPartitionDetect, kPartitionEnd, kServerCrash, kServerRestart,
  kClientCrash, kClientRestart, kPresenceTimer, kPresenceDeliver, kPresenceFlood,
  kLast = kPresenceFlood };

// "delivery", "reconnect storm", ...; "event N" past the last kind.
std::string StepKindName(uint32_t kind);

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
  // Whose cursor changes it carries and when each owner made it, for
  // cursor latency (measurement only, not on the wire).
  std::vector<std::pair<ReplicaId, SimTime>> stamps;
};
struct PresenceTimer { ReplicaId node = 0; SimTime armed_for = 0; };
struct PresenceFlood { ReplicaId user = 0; };
struct Heal {};
struct SampleMemory {};
// Faults. `index` is the fault's position in its scenario list.
struct Drop { ReplicaId user = 0; uint64_t epoch = 0; };  // of the user's access link
struct Reconnect { ReplicaId user = 0; uint64_t attempt = 0; };
struct OfflineStart { ReplicaId user = 0; };
struct OfflineEnd { ReplicaId user = 0; };
struct Storm { size_t index = 0; };
struct PartitionStart { size_t index = 0; };
struct PartitionDetect { size_t index = 0; };
struct PartitionEnd { size_t index = 0; };
struct ServerCrash { size_t index = 0; };
struct ServerRestart {};
struct ClientCrash { size_t index = 0; };
struct ClientRestart { ReplicaId user = 0; };

}  // namespace events

using RunEvent =
    std::variant<events::UserAction, events::Deliver, events::Drop, events::Reconnect, events::OfflineStart,
                 events::OfflineEnd, events::Heal, events::SampleMemory, events::Storm, events::PartitionStart,
                 events::PartitionDetect, events::PartitionEnd, events::ServerCrash, events::ServerRestart,
                 events::ClientCrash, events::ClientRestart, events::PresenceTimer, events::PresenceDeliver,
                 events::PresenceFlood>;
// The variant's alternatives are in StepKind order.
static_assert(std::variant_size_v<RunEvent> == static_cast<size_t>(StepKind::kLast) + 1);

// What the self-check records of a step: its kind and the nodes it concerns
// (the user or sender; the receiver of a delivery; 0 where none).
struct StepEnds {
  StepKind kind;
  ReplicaId node = 0;
  ReplicaId to = 0;
};
StepEnds EndsOf(const RunEvent& event);

}  // namespace collabsim::sim
