// A caret on the presence channel as the LWW engines encode it: a block
// (paragraph) id and a code point offset in it, the same anchor the user's
// own caret keeps, so every replica that holds the block places it alike.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engines/common/selection_ends.h"
#include "engines/lww/block_document.h"

namespace collabsim::lww {

std::string EncodeCaretPosition(const Anchor& caret);
// InvalidArgument for bytes that are not a caret position or name no
// possible block.
absl::StatusOr<Anchor> DecodeCaretPosition(std::string_view bytes);

// A selection as the block anchors of its two ends (the same for a caret).
using CaretEnds = SelectionEnds<Anchor>;

}  // namespace collabsim::lww
