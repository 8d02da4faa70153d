// A change is one user intent turned into a CRDT op with an id: what replicas
// exchange, log and buffer. A version vector says which changes a replica
// holds: since every change takes the next counters of its agent (an insert
// of n characters n counters, a delete one), "agent a up to counter c" names
// a prefix of a's changes exactly.
#pragma once

#include <cstdint>
#include "absl/container/btree_map.h"
#include <variant>

#include "absl/status/statusor.h"
#include "crdt_wire.pb.h"
#include "engines/common/intent.h"
#include "engines/crdt/property_map.h"
#include "engines/crdt/sequence.h"

namespace collabsim::crdt {

// Canvas register writes of one intent (a create writes parent and index),
// each stamped with the change's agent.
struct PropertyOp {
  std::vector<PropertyWrite> writes;
};

struct Change {
  ItemId id;  // the first counter it takes; an insert's first item id
  IntentId intent;
  std::variant<InsertOp, DeleteOp, PropertyOp> body;

  // How many counters it takes.
  uint64_t Span() const;
  // Approximate bytes held, for memory accounting.
  uint64_t Bytes() const;
};

// The id a session's agent gets: unique per replica across restarts without
// local storage, because the first intent id of each session is (the common
// interface numbers a replica's intents strictly increasing over its life).
uint64_t AgentFor(const IntentId& first_intent_of_session);

class VersionVector {
 public:
  // The next counter expected from `agent` (0 when nothing is held).
  uint64_t Next(uint64_t agent) const;
  void Set(uint64_t agent, uint64_t next);
  const absl::btree_map<uint64_t, uint64_t>& entries() const { return next_; }
  size_t size() const { return next_.size(); }

  void Encode(wire::VersionVector* out) const;
  // InvalidArgument for repeated or unsorted agents.
  static absl::StatusOr<VersionVector> Decode(const wire::VersionVector& in);

 private:
  absl::btree_map<uint64_t, uint64_t> next_;  // ordered: encodings never depend on hash order
  // The last agent looked up or set, and its entry: the changes of a batch
  // mostly come from one agent, and each is looked up several times.
  mutable uint64_t last_agent_ = 0;
  mutable uint64_t last_next_ = 0;
  mutable bool last_valid_ = false;
};

void EncodeChange(const Change& change, wire::Op* out);
// Checks everything that can be checked without a document: UTF-8, a body,
// non-empty text and ranges, no counter overflow, an insert's id matching
// the op's, no insert that is its own origin, canvas writes of known shape
// (ObjectTree::ValidateWrite) stamped with the op's agent.
absl::StatusOr<Change> DecodeChange(const wire::Op& op);

}  // namespace collabsim::crdt
