// What a user did, independent of any engine. Every intent carries an id
// (replica, seq) so the simulator can time exactly when it becomes visible
// at each other replica. Text intents edit the document's text; object
// intents edit a canvas: a tree of objects with properties (Figma's layers).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "engines/common/property_value.h"

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

// Move the user's own cursor (a caret between code points), or select: a
// selection runs from `anchor` (where the drag started) to `position` (its
// head, where the caret is). Without an anchor, a plain caret. The next
// edit collapses a selection to the caret the edit leaves.
struct MoveCursor {
  uint64_t position = 0;
  std::optional<uint64_t> anchor;
};

// The id of the canvas's root, the parent of top-level objects. Object ids
// are 1-48 characters of [A-Za-z0-9._-], chosen by the creator, unique.
inline constexpr std::string_view kRootObject = "root";

// Create `object` as the last child of `parent` (kRootObject or an object).
struct CreateObject {
  std::string object;
  std::string parent;
};

// Delete `object` and, with it, everything under it.
struct DeleteObject {
  std::string object;
};

// Set one property of an object (not `parent`: that is a move).
struct SetProperty {
  std::string object;
  std::string property;
  PropertyValue value;
};

// Reparent and/or reorder: `object` becomes a child of `parent`, placed just
// before the sibling `before` (empty: last). Grouping, ungrouping and
// changing layer order are all moves.
struct MoveObject {
  std::string object;
  std::string parent;
  std::string before;
};

using IntentBody =
    std::variant<InsertText, DeleteText, MoveCursor, CreateObject, DeleteObject, SetProperty, MoveObject>;

// True for intents on the canvas (object intents) rather than the text.
bool IsObjectIntent(const IntentBody& body);

// True when `id` can name a canvas object (and is not the root).
bool IsValidObjectId(std::string_view id);

// True when `name` can name a user property: 1-32 characters of
// [a-z0-9_], not one the object tree itself uses (parent, index, deleted).
bool IsValidPropertyName(std::string_view name);

struct Intent {
  IntentId id;
  IntentBody body;
};

// A text intent (insert, delete, cursor move) checked against a text of
// `length` code points, as every engine checks it before acting: positions
// within the text, a non-empty deletion inside it, inserted text non-empty
// valid UTF-8. Returns the inserted code points (empty for the others), or
// InvalidArgument saying what is wrong. REQUIRES: not an object intent.
absl::StatusOr<std::u32string> CheckTextIntent(const IntentBody& body, uint64_t length);

// What every client's ApplyLocal checks first: `intent` is this replica's
// own (its id names `replica`).
// InvalidArgument naming both otherwise.
absl::Status ValidateOwnIntent(ReplicaId replica, const Intent& intent);

// True for intents that change the document (and so must reach every replica).
bool ChangesDocument(const IntentBody& body);

// A short human-readable form, for histories and error messages.
std::string Describe(const Intent& intent);

}  // namespace collabsim
