// xoshiro256** and SplitMix64, following the reference algorithms.
#include "sim/prng.h"

#include "engines/common/check.h"

namespace collabsim::sim {
namespace {
uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

uint64_t SplitMix64::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Prng::Prng(uint64_t seed) {
  SplitMix64 expander(seed);
  for (uint64_t& word : state_) word = expander.Next();
}

Prng Prng::ForStream(uint64_t seed, uint64_t stream_id) {
  SplitMix64 mixer(stream_id ^ 0x6A09E667F3BCC909ULL);
  return Prng(seed ^ mixer.Next());
}

uint64_t Prng::NextU64() {
  const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = RotateLeft(state_[3], 45);
  return result;
}

uint64_t Prng::UniformInt(uint64_t bound) {
  COLLABSIM_CHECK(bound > 0);
  unsigned __int128 product = static_cast<unsigned __int128>(NextU64()) * bound;
  auto low = static_cast<uint64_t>(product);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(NextU64()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

int64_t Prng::UniformInRange(int64_t low, int64_t high) {
  COLLABSIM_CHECK(low <= high);
  const uint64_t span = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  if (span == UINT64_MAX) return static_cast<int64_t>(NextU64());
  return static_cast<int64_t>(static_cast<uint64_t>(low) + UniformInt(span + 1));
}

double Prng::UniformDouble() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

bool Prng::Bernoulli(double p) {
  if (p <= 0) return false;
  if (p >= 1) return true;
  return UniformDouble() < p;
}

}  // namespace collabsim::sim
