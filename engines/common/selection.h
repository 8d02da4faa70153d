// Cursor positions: a user's selection in code points, and the same as an
// engine encodes it for the presence channel.
#pragma once

#include <cstdint>
#include <string>

namespace collabsim {

// A user's cursor in code points: a selection from `anchor` (where it
// started) to `head` (the caret); the two are equal for a plain caret.
struct Selection {
  uint64_t anchor = 0;
  uint64_t head = 0;
  bool operator==(const Selection&) const = default;
};

// A selection's two ends as an engine encodes them for the presence
// channel (never empty: empty means "no cursor" on the wire).
struct EncodedSelection {
  std::string anchor;
  std::string head;
  bool operator==(const EncodedSelection&) const = default;
};

}  // namespace collabsim
