// A sequence and a canvas (the map CRDT and the object tree it shows) plus
// the causal delivery rules every CRDT replica needs: which
// changes it holds (a version vector), changes that arrived before their
// dependencies (a bounded buffer), and duplicates (ignored). Client and
// server both keep one; neither knows anything of the network.
//
// A change is ready when it is the next of its agent (counters are taken in
// order, so an agent's own earlier changes come first) and every item it
// refers to is here. Delivery is idempotent and order-insensitive as long as
// every change eventually arrives.
//
// Canvas writes need nothing but their agent's order: the map CRDT takes
// them in any order (the highest stamp wins), and an object whose parent
// has not arrived yet is simply not visible until it does. The CRDT
// engines do not move objects (reparenting under concurrency needs a move
// operation that can refuse cycles, which plain registers cannot): a
// parent is written once, when its object is created.
//
// Invariants (CheckInvariants): every buffered change starts at or past its
// agent's next counter, buffered changes of one agent never overlap, and
// the object tree holds exactly the property map's winning values; the
// sequence's own (sequence.h). The O(state) parts run on a FullCheckCadence.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "engines/common/check.h"
#include "engines/common/object_tree.h"
#include "engines/common/replica.h"
#include "engines/crdt/change.h"
#include "engines/crdt/property_map.h"
#include "engines/crdt/sequence.h"

namespace collabsim::crdt {

class CausalDoc {
 public:
  static constexpr size_t kMaxBuffered = 4096;

  explicit CausalDoc(Integration integration);
  // REQUIRES: every register of `properties` is a valid canvas write.
  CausalDoc(std::unique_ptr<Sequence> sequence, VersionVector version, PropertyMap properties = {});

  const Sequence& sequence() const { return *sequence_; }
  const VersionVector& version() const { return version_; }
  const PropertyMap& properties() const { return properties_; }
  const ObjectTree& canvas() const { return canvas_; }

  // An edit this replica's own user made at a visible position, applied at
  // once as `agent`'s next change and returned. REQUIRES: in range, text
  // non-empty.
  Change InsertOwn(IntentId intent, uint64_t agent, uint64_t position, std::u32string text);
  Change DeleteOwn(IntentId intent, uint64_t agent, uint64_t position, uint64_t length);
  // Canvas writes the user made (ObjectTree::Edit of this canvas), stamped
  // past every write seen. REQUIRES: not empty.
  Change WriteOwn(IntentId intent, uint64_t agent, const std::vector<RegisterWrite>& writes);

  // Whether Deliver(batch) can take the whole batch: no change overlaps one
  // already held, buffered or earlier in the batch except as an exact
  // duplicate, the buffer has room, no two canvas writes share a stamp
  // with different values, and no parent is written twice (a move).
  // Changes nothing.
  absl::Status CheckBatch(const std::vector<Change>& batch) const;

  struct Delivery {
    std::vector<Change> applied;  // in the order applied (buffered ones included)
    uint64_t duplicates = 0;
    uint64_t buffered = 0;
  };
  // REQUIRES: CheckBatch(batch) is OK.
  Delivery Deliver(std::vector<Change> batch);

  size_t buffered() const { return buffer_.size(); }
  uint64_t BufferedBytes() const;
  void CheckInvariants() const;

 private:
  using Key = std::pair<uint64_t, uint64_t>;  // (agent, counter)

  bool Ready(const Change& change) const;
  void Apply(const Change& change);
  // Applies every buffered change that became ready.
  void Drain(Delivery* delivery);
  // The buffered change of `agent` overlapping [counter, counter + span), if any.
  const Change* BufferedOverlap(uint64_t agent, uint64_t counter, uint64_t span) const;
  // The canvas writes of `batch` (and of the buffer) against each other and
  // against the property map.
  absl::Status CheckCanvasWrites(const std::vector<Change>& batch) const;
  void ApplyCanvasWrite(const PropertyWrite& write);

  std::unique_ptr<Sequence> sequence_;
  VersionVector version_;
  std::map<Key, Change> buffer_;  // ordered: drain order never depends on hash order
  PropertyMap properties_;
  ObjectTree canvas_;  // the winning value of every register of properties_
  FullCheckCadence full_check_;
};

// What a replica holding `doc` reports of it: memory by category (content;
// ids, runs and the version vector plus `other_version_entries` entries of
// other version vectors it keeps; tombstones; buffered changes).
MemoryStats DocumentMemory(const CausalDoc& doc, uint64_t other_version_entries);
// The integration probes `doc`'s sequence counted, and `duplicates`
// recognised, into `probes`.
void AddMergeProbes(const CausalDoc& doc, uint64_t duplicates, std::map<std::string, uint64_t, std::less<>>* probes);

}  // namespace collabsim::crdt
