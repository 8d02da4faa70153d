// The mesh overlay (see mesh_overlay.h).
#include "sim/mesh_overlay.h"

#include <algorithm>

namespace collabsim::sim {

std::vector<std::vector<ReplicaId>> MeshNeighbours(uint32_t users) {
  std::vector<std::vector<ReplicaId>> neighbours(users);
  auto link = [&](uint32_t a, uint32_t b) {  // zero-based
    if (a == b) return;
    neighbours[a].push_back(b + 1);
    neighbours[b].push_back(a + 1);
  };
  for (uint32_t i = 0; i < users; ++i) {
    if (users <= kFullMeshMaxPeers) {
      for (uint32_t j = i + 1; j < users; ++j) link(i, j);
    } else {
      for (uint64_t offset = 1; offset < users; offset *= 2) link(i, static_cast<uint32_t>((i + offset) % users));
    }
  }
  for (auto& list : neighbours) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  return neighbours;
}

}  // namespace collabsim::sim
