// The one random source of the simulator: xoshiro256** (Blackman & Vigna)
// seeded through SplitMix64. Written in-tree so a seed means the same run on
// every machine and standard library. Streams derived from (seed, stream id)
// are independent, so one component drawing more numbers never shifts what
// another draws.
#pragma once

#include <array>
#include <cstdint>

namespace collabsim::sim {

// SplitMix64 (Steele, Lea & Flood): used to expand seeds.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t state) : state_(state) {}
  uint64_t Next();

 private:
  uint64_t state_;
};

class Prng {
 public:
  explicit Prng(uint64_t seed);
  // An independent stream for one component of a run.
  static Prng ForStream(uint64_t seed, uint64_t stream_id);

  uint64_t NextU64();
  // Uniform in [0, bound). REQUIRES: bound > 0. Unbiased (Lemire's method).
  uint64_t UniformInt(uint64_t bound);
  // Uniform in [low, high]. REQUIRES: low <= high.
  int64_t UniformInRange(int64_t low, int64_t high);
  // Uniform in [0, 1), 53 random bits.
  double UniformDouble();
  // True with probability p (p clamped to [0, 1]).
  bool Bernoulli(double p);

 private:
  std::array<uint64_t, 4> state_;
};

}  // namespace collabsim::sim
