// What the presence channel's tests share: simulated clock units and
// entries built in one line.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engines/presence/presence_entry.h"
#include "engines/presence/presence_room.h"

namespace collabsim::presence_testing {

inline constexpr int64_t kMs = 1'000'000;
inline constexpr int64_t kS = 1000 * kMs;
inline constexpr int64_t kStart = 1 * kS;  // clocks start above zero

inline PresenceEntry At(ReplicaId user, const std::string& head, const std::string& name = "ana") {
  PresenceEntry entry;
  entry.user = user;
  entry.name = name;
  entry.colour = 0x3366cc;
  entry.head = head;
  entry.anchor = head;
  return entry;
}

// A cursor move as a member who knows the user receives it.
inline PresenceEntry MoveOnly(PresenceEntry entry) {
  entry.identity = false;
  entry.name.clear();
  entry.colour = 0;
  return entry;
}

// The batch `user` is sent among `batches`, if any.
inline const PresenceBatch* BatchFor(const std::vector<std::pair<ReplicaId, PresenceBatch>>& batches, ReplicaId user) {
  for (const auto& [to, batch] : batches) {
    if (to == user) return &batch;
  }
  return nullptr;
}

}  // namespace collabsim::presence_testing
