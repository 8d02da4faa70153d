// All-or-nothing decoding of a list of changes (see wire_batch.h).
#include "engines/crdt/wire_batch.h"

#include "absl/strings/str_format.h"

namespace collabsim::crdt {

absl::StatusOr<std::vector<Change>> DecodeBatch(const google::protobuf::RepeatedPtrField<wire::Op>& ops) {
  std::vector<Change> batch;
  batch.reserve(static_cast<size_t>(ops.size()));
  for (int k = 0; k < ops.size(); ++k) {
    absl::StatusOr<Change> change = DecodeChange(ops.Get(k));
    if (!change.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("change %d of %d: %s", k + 1, ops.size(), change.status().message()));
    }
    batch.push_back(*std::move(change));
  }
  return batch;
}

}  // namespace collabsim::crdt
