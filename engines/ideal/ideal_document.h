// A user's document under the ideal reference: the text, the canvas and the
// user's own caret. Its own edits apply as in any engine; others' edits
// apply where their authors made them, clamped to the text, in the order
// they arrive. It merges nothing (concurrent edits may land apart on two
// replicas), because the ideal is a yardstick for delivery, not an
// algorithm: the judge never reads its text.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "engines/common/chunked_text.h"
#include "engines/common/intent.h"
#include "engines/common/object_tree.h"
#include "engines/common/replica.h"
#include "ideal_wire.pb.h"

namespace collabsim::ideal {

class IdealDocument {
 public:
  // Applies the user's own intent. Returns the edit to send, or nullopt
  // for one that changes no document (a caret move). InvalidArgument, and
  // no change, for an intent this view cannot take.
  absl::StatusOr<std::optional<ideal_wire::Edit>> ApplyOwn(const Intent& intent);
  // REQUIRES: ValidateEdit(edit) is ok.
  void ApplyOthers(const ideal_wire::Edit& edit);

  uint64_t TextLength() const { return text_.size(); }
  std::string TextSlice(uint64_t from, uint64_t count) const { return text_.Utf8Slice(from, count); }
  uint64_t cursor() const { return cursor_; }
  View ToView(ReplicaId owner) const;
  MemoryStats Memory() const;
  void CheckInvariants() const;

  void Save(ideal_wire::ClientState* state) const;
  // InvalidArgument for state that does not decode; nothing is kept then.
  static absl::StatusOr<IdealDocument> Load(const ideal_wire::ClientState& state);

 private:
  ChunkedText text_;
  ObjectTree canvas_;
  uint64_t cursor_ = 0;
};

}  // namespace collabsim::ideal
