// The mesh overlay: symmetric, no self-links, full in small groups, and in
// larger ones connected with about 2 log2(n) neighbours and a diameter of
// about log2(n) hops.
#include "sim/mesh_overlay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>

namespace collabsim::sim {
namespace {

// Longest shortest path, in hops (BFS from every user).
uint32_t Diameter(const std::vector<std::vector<ReplicaId>>& neighbours) {
  uint32_t diameter = 0;
  const size_t n = neighbours.size();
  for (size_t start = 0; start < n; ++start) {
    std::vector<int64_t> hops(n, -1);
    hops[start] = 0;
    std::deque<size_t> queue{start};
    while (!queue.empty()) {
      const size_t at = queue.front();
      queue.pop_front();
      for (ReplicaId next : neighbours[at]) {
        if (hops[next - 1] >= 0) continue;
        hops[next - 1] = hops[at] + 1;
        queue.push_back(next - 1);
      }
    }
    for (int64_t h : hops) {
      EXPECT_GE(h, 0) << "user " << start + 1 << " cannot reach everyone";
      diameter = std::max<uint32_t>(diameter, static_cast<uint32_t>(std::max<int64_t>(h, 0)));
    }
  }
  return diameter;
}

TEST(MeshOverlay, SmallGroupsAreFullyConnected) {
  for (uint32_t n = 1; n <= kFullMeshMaxPeers; ++n) {
    const auto neighbours = MeshNeighbours(n);
    ASSERT_EQ(neighbours.size(), n);
    for (uint32_t user = 1; user <= n; ++user) EXPECT_EQ(neighbours[user - 1].size(), n - 1) << n;
  }
}

TEST(MeshOverlay, LargerGroupsHaveLogarithmicDegreeAndDiameter) {
  for (uint32_t n : {9u, 12u, 40u, 50u, 100u, 128u, 300u}) {
    const auto neighbours = MeshNeighbours(n);
    const double log2n = std::ceil(std::log2(n));
    for (uint32_t user = 1; user <= n; ++user) {
      const auto& list = neighbours[user - 1];
      EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
      EXPECT_EQ(std::adjacent_find(list.begin(), list.end()), list.end()) << "repeats";
      EXPECT_EQ(std::count(list.begin(), list.end(), user), 0) << "self-link";
      EXPECT_LE(list.size(), 2 * log2n) << n;
      EXPECT_GE(list.size(), log2n) << n;
      for (ReplicaId other : list) {
        const auto& back = neighbours[other - 1];
        EXPECT_TRUE(std::binary_search(back.begin(), back.end(), user)) << "asymmetric " << user << "-" << other;
      }
    }
    EXPECT_LE(Diameter(neighbours), log2n) << n;
  }
}

}  // namespace
}  // namespace collabsim::sim
