// An engine is a named factory of replicas plus the facts the simulator and
// the checkers need about it (topology, whether it loses edits by design).
#pragma once

#include <memory>
#include <string>

#include "engines/common/replica.h"

namespace collabsim {

enum class Topology {
  // One server replica (id 0) that every client connects to.
  kClientServer,
};

struct EngineTraits {
  std::string name;
  std::string description;
  Topology topology = Topology::kClientServer;
  // True when the algorithm may drop concurrent edits on purpose (LWW); the
  // intent oracle then reports a loss rate instead of failing.
  bool lossy_by_design = false;
};

struct EngineOptions {
  // Run expensive self-checks (e.g. OT transform laws on every transform).
  bool check_laws = false;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual const EngineTraits& traits() const = 0;
  virtual std::unique_ptr<Replica> CreateServer(const EngineOptions& options) const = 0;
  virtual std::unique_ptr<Replica> CreateClient(ReplicaId id, const EngineOptions& options) const = 0;
};

}  // namespace collabsim
