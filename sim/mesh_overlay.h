// Who connects to whom in a mesh (engines with Topology::kMesh): every peer
// to every other in small groups; in larger ones a circulant graph in which
// peer i links to i +- 1, 2, 4, 8, ... (mod n), so each peer has about
// 2 log2(n) neighbours and any change reaches everyone in about log2(n)
// hops. A fixed function of the user count: no randomness.
#pragma once

#include <cstdint>
#include <vector>

#include "engines/common/intent.h"

namespace collabsim::sim {

// Groups up to this size are fully connected.
inline constexpr uint32_t kFullMeshMaxPeers = 8;

// Neighbours of each user 1..users (index user - 1), ascending, no repeats,
// never the user itself; symmetric.
std::vector<std::vector<ReplicaId>> MeshNeighbours(uint32_t users);

}  // namespace collabsim::sim
