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

Selection Resolve(const CaretEnds& caret, const Sequence& sequence) {
  return Selection{sequence.Resolve(caret.anchor()), sequence.Resolve(caret.head())};
}

const EncodedSelection& Encode(CaretEnds* caret) { return caret->Encoded(EncodeCaretPosition); }

absl::Status Validate(const CaretEnds& caret, const Sequence& sequence) {
  for (const std::optional<ItemId>& end : {caret.anchor(), caret.head()}) {
    if (end.has_value() && !sequence.Contains(*end)) {
      return absl::InvalidArgumentError("cursor anchored to an item not in the document");
    }
  }
  return absl::OkStatus();
}

absl::Status CaretBook::Show(ReplicaId self, ReplicaId owner, std::string_view anchor, std::string_view head) {
  if (owner == self || owner == kServerReplica) {
    return absl::InvalidArgumentError(absl::StrFormat("caret of user %d shown at replica %d", owner, self));
  }
  absl::StatusOr<std::optional<ItemId>> anchor_item = DecodeCaretPosition(anchor);
  if (!anchor_item.ok()) return anchor_item.status();
  absl::StatusOr<std::optional<ItemId>> head_item = DecodeCaretPosition(head);
  if (!head_item.ok()) return head_item.status();
  CaretEnds ends(*head_item);
  ends.Set(*std::move(anchor_item), *std::move(head_item));
  selections_.insert_or_assign(owner, std::move(ends));
  return absl::OkStatus();
}

std::optional<Selection> CaretBook::Place(ReplicaId owner, const Sequence& sequence) const {
  const auto it = selections_.find(owner);
  if (it == selections_.end()) return std::nullopt;
  if (!Validate(it->second, sequence).ok()) return std::nullopt;  // an item not here yet
  return Resolve(it->second, sequence);
}

void CaretBook::AddTo(const Sequence& sequence, std::map<ReplicaId, uint64_t>* cursors) const {
  for (const auto& [owner, ends] : selections_) {
    if (std::optional<Selection> at = Place(owner, sequence)) (*cursors)[owner] = at->head;
  }
}

}  // namespace collabsim::crdt
