// Digest folding for TraceHash.
#include "sim/trace_hash.h"

#include "absl/strings/str_format.h"

namespace collabsim::sim {
namespace {
uint64_t Finalise(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
}  // namespace

uint64_t HashBytes(std::string_view bytes) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return Finalise(h ^ bytes.size());
}

void TraceHash::Add(uint64_t value) { state_ = Finalise(state_ ^ (value + 0x9E3779B97F4A7C15ULL)); }

void TraceHash::AddBytes(std::string_view bytes) { Add(HashBytes(bytes)); }

std::string TraceHash::Hex() const { return absl::StrFormat("%016x", state_); }

}  // namespace collabsim::sim
