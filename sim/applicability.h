// Whether a scenario means anything for an engine: one built to exercise a
// fault of a part the engine does not have (a server crash, for a mesh with
// no server), or one far past the scale the engine is built for, is not
// applicable, and every command says so instead of
// reporting a pass or a failure that measured nothing.
#pragma once

#include <optional>
#include <string>

#include "engines/common/engine.h"
#include "scenario.pb.h"

namespace collabsim::sim {

// The largest mesh (Topology::kMesh) simulated.
inline constexpr uint32_t kMaxMeshPeers = 128;

// Why `scenario` does not apply to `engine`, or nothing when it does.
std::optional<std::string> NotApplicable(const scenario::Scenario& scenario, const Engine& engine);

}  // namespace collabsim::sim
