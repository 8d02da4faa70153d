// The ideal reference's edits on the wire: made from a user's intent in its
// own view, checked when they arrive, and sized. An edit's own size is the
// intent itself in the fewest bytes that say it (an insert's position and
// text, a deletion's position and length, a canvas write's object,
// property and value), with no ids, versions or framing: what every engine's
// bytes per edit are held against.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "ideal_wire.pb.h"

namespace collabsim::ideal {

// The bytes the wire is charged for `edit`.
uint64_t OwnBytes(const ideal_wire::Edit& edit);

// OK when `edit` can be applied by any replica: an author and a seq, a
// change of a known kind, an insert's text non-empty valid UTF-8, a
// deletion non-empty, canvas writes of known shape. InvalidArgument naming
// the field otherwise.
absl::Status ValidateEdit(const ideal_wire::Edit& edit);

}  // namespace collabsim::ideal
