// A caret on the presence channel as the CRDT engines encode it: the id of
// the character just left of it (none at the start). Every replica that
// holds that character places the caret at the same place, and a deleted
// character still anchors it, so it never jumps while text moves.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engines/crdt/sequence.h"

namespace collabsim::crdt {

std::string EncodeCaretPosition(const std::optional<ItemId>& left);
// InvalidArgument for bytes that are not a caret position.
absl::StatusOr<std::optional<ItemId>> DecodeCaretPosition(std::string_view bytes);

}  // namespace collabsim::crdt
