// Properties as a map CRDT: one last-writer-wins register per (object,
// property). Writes are ordered by their stamp (Lamport timestamp, then
// agent id), so every replica that holds the same writes picks the same
// winner whatever order they arrived in, and a write made after its author
// saw another write to the same property always beats it (its Lamport
// timestamp is larger). This is the CRDT family's answer to the property
// intents (set a colour, move a node, reorder a block) that the LWW engine
// orders at its server instead.
//
// Sans-IO like the sequence: the caller carries writes between replicas
// (op-based, with Apply) or whole maps (state-based, with Merge); both give
// the same state. Apply and Merge are idempotent and commutative, and Merge
// is associative.
//
// Invariants (CheckInvariants): clock() is at least every held stamp's
// Lamport timestamp, and no held value is a write with a zero timestamp.
#pragma once

#include <compare>
#include <cstdint>
#include <utility>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crdt_wire.pb.h"
#include "engines/common/property_value.h"

namespace collabsim::crdt {

// Orders writes to one property; unique per write, because an agent's clock
// moves past every stamp it issues.
struct WriteStamp {
  uint64_t lamport = 0;  // at least 1
  uint64_t agent = 0;
  auto operator<=>(const WriteStamp&) const = default;
};

// Timestamps above this are refused on the wire: a replica's clock must
// always be able to step past every stamp it has seen.
inline constexpr uint64_t kMaxLamport = uint64_t{1} << 62;

struct PropertyWrite {
  PropertyKey key;
  PropertyValue value;
  WriteStamp stamp;
  bool operator==(const PropertyWrite&) const = default;
};

class PropertyMap {
 public:
  struct Register {
    PropertyValue value;
    WriteStamp stamp;
    bool operator==(const Register&) const = default;
  };

  // This replica's user, as `agent`, writes `value`: stamped after every
  // write this map has seen, applied here, and returned to send to others.
  PropertyWrite Set(uint64_t agent, PropertyKey key, PropertyValue value);

  // A write from anywhere, duplicates included. True when it became the
  // property's value, false when the held write's stamp is at least as
  // large. InvalidArgument, changing nothing, for a zero Lamport timestamp
  // or a write that shares the held write's stamp but not its value (two
  // writes never share a stamp, so one of them is forged or corrupt).
  absl::StatusOr<bool> Apply(const PropertyWrite& write);

  // Applies every register of `other` (state-based merge). Checks all of
  // them first: on error nothing changes.
  absl::Status Merge(const PropertyMap& other);

  // The property's value; nullptr when nobody ever wrote it.
  const PropertyValue* Get(const PropertyKey& key) const;
  // The winning write per property, ordered by key.
  const absl::btree_map<PropertyKey, Register>& registers() const { return registers_; }
  // The largest Lamport timestamp seen; this replica's next write is stamped above it.
  uint64_t clock() const { return clock_; }

  // Approximate bytes held (keys, values, stamps, tree nodes).
  uint64_t MemoryBytes() const;

  void Encode(wire::PropertyMapSnapshot* out) const;
  // Every field is validated (sorted unique keys, values set, timestamps at
  // least 1 and at most the clock) before anything is built.
  static absl::StatusOr<PropertyMap> Decode(const wire::PropertyMapSnapshot& in);

  void CheckInvariants() const;

  // Checks `write` against what is held; OK when Apply may proceed.
  absl::Status Validate(const PropertyWrite& write) const;

  bool operator==(const PropertyMap&) const = default;

 private:
  absl::btree_map<PropertyKey, Register> registers_;  // ordered: encodings never depend on hash order
  uint64_t clock_ = 0;
};

// A write on the wire; the agent travels beside it (the op's agent).
void EncodePropertyWrite(const PropertyWrite& write, wire::SetProperty* out);
// InvalidArgument for a missing value, or a timestamp of zero or past
// kMaxLamport (a clock there could not move past it).
absl::StatusOr<PropertyWrite> DecodePropertyWrite(const wire::SetProperty& in, uint64_t agent);

}  // namespace collabsim::crdt
