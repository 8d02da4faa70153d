// Lists of changes on the wire: the bound on how many one message carries
// (catch-up and pushes are split into chunks of at most this many) and the
// all-or-nothing decoding of a list.
#pragma once

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "engines/crdt/change.h"

namespace collabsim::crdt {

inline constexpr size_t kChangesPerMessage = 256;

// Every op decoded, or the first error (with the op's index) and nothing.
absl::StatusOr<std::vector<Change>> DecodeBatch(const google::protobuf::RepeatedPtrField<wire::Op>& ops);

}  // namespace collabsim::crdt
