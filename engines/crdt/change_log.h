// Every change a replica holds, in the order it applied them (which is
// causal): what a relay or a mesh peer stores durably and serves to a
// replica that lacks part of it. Kept apart from the document it built, as
// history is kept apart from state.
//
// Invariants: each change once; every change's dependencies come before it;
// by_agent_ indexes exactly the log, each agent's changes in counter order
// with no gaps or overlaps. Walking every change is O(log size), so a check
// does each agent's end and the index's size on every call and every
// change on a FullCheckCadence.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engines/common/check.h"
#include "engines/common/intent.h"
#include "engines/crdt/causal_doc.h"
#include "engines/crdt/change.h"

namespace collabsim::crdt {

class ChangeLog {
 public:
  // REQUIRES: `change` was just applied to the document this log records.
  void Append(Change change);

  const std::vector<Change>& entries() const { return log_; }
  size_t size() const { return log_.size(); }
  // Approximate bytes held (the changes and their index).
  uint64_t Bytes() const { return bytes_; }

  // What a replica holding `version` lacks, in log order. An error (naming
  // `who`) when `version` claims part of a change: no honest replica can.
  absl::StatusOr<std::vector<const Change*>> MissingFrom(const VersionVector& version, ReplicaId who) const;

  // The log ends each agent exactly where `version` does (every call), and
  // each agent's changes follow one another (every FullCheckCadence::kEvery-th).
  void CheckInvariants(const VersionVector& version) const;

  void Encode(google::protobuf::RepeatedPtrField<wire::Op>* out) const;
  // Rebuilds `doc` and this (both empty) from an encoded log; a malformed,
  // repeated or non-causal entry is an error naming it, and the caller
  // discards both.
  absl::Status Replay(const google::protobuf::RepeatedPtrField<wire::Op>& ops, CausalDoc* doc);

 private:
  std::vector<Change> log_;
  // Per agent, (first counter, log index) of its changes, in counter order.
  std::map<uint64_t, std::vector<std::pair<uint64_t, uint32_t>>> by_agent_;
  uint64_t bytes_ = 0;
  FullCheckCadence full_check_;
};

}  // namespace collabsim::crdt
