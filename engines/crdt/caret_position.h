// A caret on the presence channel as the CRDT engines encode it: the id of
// the character just left of it (none at the start). Every replica that
// holds that character places the caret at the same place, and a deleted
// character still anchors it, so it never jumps while text moves. A
// selection is two of these (its anchor and its head).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engines/common/intent.h"
#include "engines/common/replica.h"
#include "engines/common/selection_ends.h"
#include "engines/crdt/sequence.h"

namespace collabsim::crdt {

std::string EncodeCaretPosition(const std::optional<ItemId>& left);
// InvalidArgument for bytes that are not a caret position.
absl::StatusOr<std::optional<ItemId>> DecodeCaretPosition(std::string_view bytes);

// A selection as the items left of its anchor and its head (the same for a
// caret): a replica's own, or another user's as the presence channel sent it.
using CaretEnds = SelectionEnds<std::optional<ItemId>>;
Selection Resolve(const CaretEnds& caret, const Sequence& sequence);
const EncodedSelection& Encode(CaretEnds* caret);
// InvalidArgument when an end is anchored to an item not in `sequence`.
absl::Status Validate(const CaretEnds& caret, const Sequence& sequence);

// Other users' selections at one replica (relay client or mesh peer), as
// the items left of each end; one with an item that has not arrived is not
// shown until it does.
class CaretBook {
 public:
  // InvalidArgument (nothing changes) for undecodable bytes or a selection
  // of `self` or the server.
  absl::Status Show(ReplicaId self, ReplicaId owner, std::string_view anchor, std::string_view head);
  void Hide(ReplicaId owner) { selections_.erase(owner); }
  std::optional<Selection> Place(ReplicaId owner, const Sequence& sequence) const;
  // The head of every selection that can be placed now, by owner.
  void AddTo(const Sequence& sequence, std::map<ReplicaId, uint64_t>* cursors) const;

 private:
  std::map<ReplicaId, CaretEnds> selections_;
};

}  // namespace collabsim::crdt
