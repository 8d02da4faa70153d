// CRDT caret positions to and from presence bytes.
#include "engines/crdt/caret_position.h"

#include "absl/strings/str_format.h"
#include "crdt_wire.pb.h"

namespace collabsim::crdt {

std::string EncodeCaretPosition(const std::optional<ItemId>& left) {
  wire::CaretPosition caret;
  if (left.has_value()) {
    EncodeItemId(*left, caret.mutable_left());
  } else {
    caret.set_start(true);
  }
  return caret.SerializeAsString();
}

absl::StatusOr<std::optional<ItemId>> DecodeCaretPosition(std::string_view bytes) {
  wire::CaretPosition caret;
  if (!caret.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("undecodable CRDT caret position");
  }
  if (caret.has_left() == caret.start()) {
    return absl::InvalidArgumentError("CRDT caret position: exactly one of left and start must be set");
  }
  if (caret.start()) return std::optional<ItemId>();
  if (caret.left().agent() == 0) return absl::InvalidArgumentError("CRDT caret position: left.agent is 0");
  return std::optional<ItemId>(ItemId{caret.left().agent(), caret.left().counter()});
}

absl::Status CaretBook::Show(ReplicaId self, ReplicaId owner, std::string_view position) {
  if (owner == self || owner == kServerReplica) {
    return absl::InvalidArgumentError(absl::StrFormat("caret of user %d shown at replica %d", owner, self));
  }
  absl::StatusOr<std::optional<ItemId>> anchor = DecodeCaretPosition(position);
  if (!anchor.ok()) return anchor.status();
  carets_[owner] = *anchor;
  return absl::OkStatus();
}

std::optional<uint64_t> CaretBook::Place(ReplicaId owner, const Sequence& sequence) const {
  const auto it = carets_.find(owner);
  if (it == carets_.end()) return std::nullopt;
  if (it->second.has_value() && !sequence.Contains(*it->second)) return std::nullopt;
  return sequence.Resolve(it->second);
}

void CaretBook::AddTo(const Sequence& sequence, std::map<ReplicaId, uint64_t>* cursors) const {
  for (const auto& [owner, anchor] : carets_) {
    if (std::optional<uint64_t> at = Place(owner, sequence)) (*cursors)[owner] = *at;
  }
}

}  // namespace collabsim::crdt
