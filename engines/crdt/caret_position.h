// A caret on the presence channel as the CRDT engines encode it: the id of
// the character just left of it (none at the start). Every replica that
// holds that character places the caret at the same place, and a deleted
// character still anchors it, so it never jumps while text moves.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engines/common/intent.h"
#include "engines/crdt/sequence.h"

namespace collabsim::crdt {

std::string EncodeCaretPosition(const std::optional<ItemId>& left);
// InvalidArgument for bytes that are not a caret position.
absl::StatusOr<std::optional<ItemId>> DecodeCaretPosition(std::string_view bytes);

// Other users' carets at one replica (relay client or mesh peer), as the
// item left of each; one whose item has not arrived is not shown until it
// does.
class CaretBook {
 public:
  // InvalidArgument (nothing changes) for undecodable bytes or a caret of
  // `self` or the server.
  absl::Status Show(ReplicaId self, ReplicaId owner, std::string_view position);
  void Hide(ReplicaId owner) { carets_.erase(owner); }
  std::optional<uint64_t> Place(ReplicaId owner, const Sequence& sequence) const;
  // Every caret that can be placed now, by owner.
  void AddTo(const Sequence& sequence, std::map<ReplicaId, uint64_t>* cursors) const;

 private:
  std::map<ReplicaId, std::optional<ItemId>> carets_;
};

}  // namespace collabsim::crdt
