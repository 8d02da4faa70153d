// A running 64-bit digest of everything that happened in a run (intents,
// faults, deliveries). Same scenario + engine + seed => same digest on every
// build type and machine: only integers and bytes are folded in, never
// pointers, floats or hash-map order. Message bytes come from our own
// Protobuf messages without maps, whose encoding is field-ordered.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace collabsim::sim {

class TraceHash {
 public:
  void Add(uint64_t value);
  void AddBytes(std::string_view bytes);
  uint64_t value() const { return state_; }
  // 16 lowercase hex digits.
  std::string Hex() const;

 private:
  uint64_t state_ = 0x243F6A8885A308D3ULL;
};

// FNV-1a over bytes, then a SplitMix64 finaliser.
uint64_t HashBytes(std::string_view bytes);

}  // namespace collabsim::sim
