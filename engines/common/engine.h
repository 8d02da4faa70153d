// An engine is a named factory of replicas plus the facts the simulator and
// the checkers need about it (topology, whether it loses edits by design).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

#include "engines/common/replica.h"

namespace collabsim {

enum class Topology {
  // One server replica (id 0) that every client connects to; it orders
  // and may transform (OT, LWW).
  kClientServer,
  // Same wiring, but the server only stores and forwards: clients merge on
  // their own and could sync through any peer (CRDT).
  kRelay,
  // No server: every user's replica is a peer that connects to other peers
  // and syncs with them directly. The engine never gets CreateServer or
  // RestoreServer calls; peers are created with CreateClient.
  kMesh,
};

struct EngineTraits {
  std::string name;
  std::string description;
  Topology topology = Topology::kClientServer;
  // True when the algorithm may drop concurrent edits on purpose (LWW); the
  // intent oracle then reports a loss rate instead of failing.
  bool lossy_by_design = false;
  // Wrong on purpose, to show that the checkers catch a known flaw: listed
  // and runnable by name, never in a default comparison.
  bool negative_control = false;
  // A variant shown by name only, left out of the default comparison to
  // keep it short (lww-document: the same engine at the wrong grain).
  bool variant = false;
  // Edits a canvas (object intents) as well as text; engines without one
  // refuse object intents, and scenarios that need one do not apply.
  bool edits_objects = false;
  // Also reparents and reorders them (MoveObject); a canvas engine without
  // moves refuses them, and scenarios that move objects do not apply.
  bool moves_objects = false;
  // The ideal reference, a yardstick rather than an algorithm: it delivers
  // every edit after the network's own delay, charges the wire only the
  // edit's own size, and merges nothing, so the judge checks only that it
  // delivered (liveness, durability), never its text. `compare` runs it
  // beside the engines; reports show it as the floor the others are held
  // against, never as a choice.
  bool reference = false;
  // Scenarios with more users than this are not simulated with the engine
  // (0: no limit), for the reason given (what its cost grows with).
  uint32_t max_users = 0;
  std::string max_users_reason;
};

struct EngineOptions {
  // Run expensive self-checks (e.g. OT transform laws on every transform).
  bool check_laws = false;
};

// A concrete replica from a Restore function, as the Replica the interface returns.
template <typename Derived>
absl::StatusOr<std::unique_ptr<Replica>> AsReplica(absl::StatusOr<std::unique_ptr<Derived>> restored) {
  if (!restored.ok()) return restored.status();
  return std::unique_ptr<Replica>(*std::move(restored));
}

class Engine {
 public:
  virtual ~Engine() = default;
  virtual const EngineTraits& traits() const = 0;
  virtual std::unique_ptr<Replica> CreateServer(const EngineOptions& options) const = 0;
  virtual std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions& options) const = 0;

  // One of this engine's wire messages, sent by `from`, in a few words (its
  // type and key fields) for history files. The default gives its size only;
  // undecodable bytes are described, never an error.
  virtual std::string DescribeMessage(ReplicaId from, std::string_view bytes) const {
    return std::to_string(bytes.size()) + " bytes";
  }

  // A server rebuilt from its DurableState() after a crash. The restored
  // replica reports, through TakeNewlyVisible(), every intent it holds, so
  // the durability checker can compare it with what was acknowledged.
  // Malformed state is an error, never a partial replica.
  virtual absl::StatusOr<std::unique_ptr<Replica>> RestoreServer(std::string_view durable_state,
                                                                 const EngineOptions& options) const = 0;

  // A client rebuilt from its DurableState() after its app crashed, for
  // apps that keep local storage: edits it had not yet had acknowledged are
  // still pending and get sent once it reconnects. Malformed state is an
  // error, never a partial replica.
  virtual absl::StatusOr<std::unique_ptr<Replica>> RestoreClient(ReplicaId id, std::string_view durable_state,
                                                                 const EngineOptions& options) const = 0;
};

}  // namespace collabsim
