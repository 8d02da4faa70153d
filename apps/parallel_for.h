// Independent work items on a few threads: what a suite of runs (and the
// golden file) needs, since runs share nothing and their order changes no
// result. Each index is handed out once, in ascending order; the callers
// put results in per-index slots or behind their own lock.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace collabsim::apps {

// Calls body(i) for every i in [0, count) on `jobs` threads (clamped to
// 1..256; the calling thread is one of them), and returns when all are done.
template <typename Body>
void ParallelFor(size_t count, int jobs, const Body& body) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) body(i);
  };
  const int threads = std::clamp<int>(jobs, 1, 256);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool) thread.join();
}

}  // namespace collabsim::apps
