// CRDT caret positions to and from presence bytes.
#include "engines/crdt/caret_position.h"

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

}  // namespace collabsim::crdt
