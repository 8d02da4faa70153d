// A user's own intent applied to a CRDT document, shared by every kind of
// replica that has a user (relay client, mesh peer): checks the intent,
// makes the change under the session's agent, and says where the caret goes.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "engines/common/intent.h"
#include "engines/crdt/causal_doc.h"

namespace collabsim::crdt {

struct OwnEdit {
  std::optional<Change> change;  // none for a cursor move
  bool moves_caret = true;       // false for canvas edits: the caret stays
  std::optional<ItemId> cursor;  // the item left of the caret afterwards
  std::optional<ItemId> anchor;  // and of the selection's anchor (= cursor but for a selection)
};

// Applies `intent` of replica `replica` to `doc`. The session's agent is
// taken from the first intent that changes the document (`*agent` 0 until
// then). An intent of another replica, a position past the end, bad UTF-8
// or empty text, or a canvas edit the canvas refuses (ObjectTree::Edit) is
// InvalidArgument and changes nothing; a move of an object is Unimplemented
// (see causal_doc.h).
absl::StatusOr<OwnEdit> ApplyOwnIntent(ReplicaId replica, const Intent& intent, CausalDoc* doc, uint64_t* agent);

}  // namespace collabsim::crdt
