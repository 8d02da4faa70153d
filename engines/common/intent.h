// What a user did, independent of any engine. Every intent carries an id
// (replica, seq) so the simulator can time exactly when it becomes visible
// at each other replica. Property and tree intents join this variant later.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <variant>

namespace collabsim {

// Replica 0 is the server in client-server topologies; users are 1..N.
using ReplicaId = uint32_t;
inline constexpr ReplicaId kServerReplica = 0;

struct IntentId {
  ReplicaId replica = 0;
  // Per replica, starting at 1, strictly increasing.
  uint64_t seq = 0;
  auto operator<=>(const IntentId&) const = default;
};

// Insert UTF-8 `text` before code point `position`.
struct InsertText {
  uint64_t position = 0;
  std::string text;
};

// Delete `length` code points starting at `position`.
struct DeleteText {
  uint64_t position = 0;
  uint64_t length = 0;
};

// Move the user's own cursor (a caret between code points).
struct MoveCursor {
  uint64_t position = 0;
};

using IntentBody = std::variant<InsertText, DeleteText, MoveCursor>;

struct Intent {
  IntentId id;
  IntentBody body;
};

// True for intents that change the document (and so must reach every replica).
bool ChangesDocument(const IntentBody& body);

// A short human-readable form, for histories and error messages.
std::string Describe(const Intent& intent);

}  // namespace collabsim
