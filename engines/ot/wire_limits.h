// How large one OT message may be, and how larger ones travel: as parts that
// a receiver reassembles in order. Bounded messages are what let a client on
// a thin link that keeps dropping (a 64 kbit/s hotel connection) make
// progress: each part fits between two drops, and a resumed transfer starts
// after the bytes that already arrived instead of from the beginning.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ot_wire.pb.h"

namespace collabsim::ot {

// A part carries at most this many bytes, and a catch-up message is cut once
// its entries reach it: 16 KiB crosses a 64 kbit/s link in about two seconds.
inline constexpr uint64_t kMaxPartBytes = 16 * 1024;
// The largest message a receiver reassembles; a larger total is refused.
inline constexpr uint64_t kMaxReassembledBytes = 256ull * 1024 * 1024;

// The parts of `bytes` from `offset` on, each at most kMaxPartBytes.
// REQUIRES: offset < bytes.size().
std::vector<wire::Part> SplitIntoParts(std::string_view bytes, uint64_t offset);

// One large message arriving in parts. The owner says which message it is
// (a client op, a log entry) and clears it when it moves on to another.
class Reassembly {
 public:
  // Takes the next part. When it completes the message, returns the whole
  // message and keeps holding only the earlier parts, so a caller that
  // rejects the message has changed nothing (it calls Clear on success);
  // otherwise appends the part and returns nullopt. InvalidArgument, and no
  // change, if the part does not continue the bytes held, disagrees on the
  // total, is empty, runs past the total, or the total is above
  // kMaxReassembledBytes.
  absl::StatusOr<std::optional<std::string>> Offer(const wire::Part& part);
  uint64_t held() const { return bytes_.size(); }
  void Clear();
  uint64_t MemoryBytes() const { return bytes_.empty() ? 0 : bytes_.capacity(); }

 private:
  std::string bytes_;
  uint64_t total_ = 0;  // 0 while nothing is held
};

}  // namespace collabsim::ot
