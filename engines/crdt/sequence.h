// The text sequence CRDT: every character ever inserted is an item with a
// unique id (agent, counter); deleted items stay as tombstones so concurrent
// inserts next to them still find their place. Two integration rules:
//
//  - kFugueMax: each insert records the items to its left and right when it
//    was made (origin_left, origin_right) and is placed by Gentle's YjsMod
//    rule, which orders the same as FugueMax (Weidner & Kleppmann, "The Art
//    of the Fugue"): concurrent runs typed at one place never interleave,
//    forwards or backwards.
//  - kRga: RGA (Roh et al. 2011): only origin_left, siblings ordered by
//    descending Lamport timestamp then agent. Runs typed forwards stay
//    together; runs typed backwards at one place interleave.
//
// Layout: runs of characters in a B-tree (run_tree.h) whose text lives in an
// append-only arena (content_arena.h). A local edit finds its place in
// O(log n); a remote one finds its origins through the id index in O(log n)
// and scans only the concurrent inserts between them. A run of typing is
// one entry. The structure is sans-IO and knows nothing of the network;
// engines wrap it.
//
// Invariants (CheckInvariants): the tree's own (run_tree.h); the agent
// table and its reverse map agree; origins of every run precede / follow it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crdt_wire.pb.h"
#include "engines/crdt/content_arena.h"
#include "engines/crdt/run_tree.h"

namespace collabsim::crdt {

struct ItemId {
  uint64_t agent = 0;  // who made it (a user's session)
  uint64_t counter = 0;
  friend bool operator==(const ItemId&, const ItemId&) = default;
  friend auto operator<=>(const ItemId&, const ItemId&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const ItemId& id) {
    return H::combine(std::move(h), id.agent, id.counter);
  }
};

// An item id on the wire (snapshots and changes both carry them).
void EncodeItemId(const ItemId& id, wire::ItemId* out);

enum class Integration { kFugueMax, kRga };

// A run of characters typed left to right: character k has id (agent,
// counter + k), origin_left the character before it (character 0: the given
// origin), origin_right the run's origin_right, Lamport timestamp lamport + k.
struct InsertOp {
  ItemId id;
  std::optional<ItemId> origin_left;
  std::optional<ItemId> origin_right;
  uint64_t lamport = 0;
  std::u32string text;
};

// Consecutive ids (agent, counter .. counter + length - 1) to delete.
struct DeleteRange {
  ItemId first;
  uint64_t length = 0;
};
struct DeleteOp {
  std::vector<DeleteRange> ranges;
};

class Sequence {
 public:
  explicit Sequence(Integration integration);
  ~Sequence();
  Sequence(const Sequence&) = delete;
  Sequence& operator=(const Sequence&) = delete;

  // The op for typing `text` at visible position `position` as `agent`,
  // whose next unused counter is `counter`. Does not apply it.
  // REQUIRES: position <= VisibleLength(), text non-empty.
  InsertOp MakeInsert(uint64_t agent, uint64_t counter, uint64_t position, std::u32string text) const;
  // The op deleting visible [position, position + length).
  // REQUIRES: position + length <= VisibleLength().
  DeleteOp MakeDelete(uint64_t position, uint64_t length) const;

  // A local edit made and applied at once: the same op and the same result
  // as MakeInsert/MakeDelete followed by Apply, without looking up by id
  // what the position already gives. REQUIRES: as MakeInsert/MakeDelete;
  // the counters are unused and the text fits (a replica's own next counters
  // and a document below 2^32 characters).
  InsertOp InsertLocal(uint64_t agent, uint64_t counter, uint64_t position, std::u32string text);
  DeleteOp DeleteLocal(uint64_t position, uint64_t length);

  // Whether everything `op` refers to is here (causal readiness) and its
  // origins are in order (OriginsInOrder). A run already fully present is
  // ready (applying it is a no-op).
  bool Ready(const InsertOp& op) const;
  // False when both origins are here and, under FugueMax, origin_right does
  // not come after origin_left: the run goes between them, and at its
  // author they were neighbours, so only a forged op has them the other
  // way round. True while an origin is still missing (not yet decidable):
  // such an op is never ready, so it waits in a causal buffer instead of
  // breaking the order.
  bool OriginsInOrder(const InsertOp& op) const;
  bool Ready(const DeleteOp& op) const;
  // Applies `op`; characters already present are skipped (idempotent).
  // Errors (nothing changes): not ready (origins out of order included),
  // empty run, a run that overlaps ids already present only in part, or a
  // counter overflow.
  absl::Status Apply(const InsertOp& op);
  // Deleting an already deleted item is a no-op. Error if not ready.
  absl::Status Apply(const DeleteOp& op);

  bool Contains(ItemId id) const { return Find(id).has_value(); }

  // A caret as a relative position: the item just left of visible position
  // `position` (nullopt: the start). It stays on the same character while
  // text moves around it, and survives that character's deletion.
  std::optional<ItemId> AnchorAt(uint64_t position) const;
  // The visible position of a caret after `anchor`. REQUIRES: Contains.
  uint64_t Resolve(const std::optional<ItemId>& anchor) const;

  // What integration met, for coverage probes: an insert (a whole run) that
  // had to be ordered against a concurrent insert at the same place; a delete of an
  // item already deleted; an insert whose left neighbour was deleted.
  struct Counts {
    uint64_t concurrent_siblings = 0;
    uint64_t deleted_twice = 0;
    uint64_t insert_after_tombstone = 0;
  };
  const Counts& counts() const { return counts_; }
  std::u32string Text() const;
  // Visible characters [from, from + count), clamped.
  std::u32string Slice(uint64_t from, uint64_t count) const;
  uint64_t VisibleLength() const { return tree_.visible(); }
  uint64_t ItemCount() const { return tree_.total(); }
  uint64_t TombstoneCount() const { return tree_.total() - tree_.visible(); }
  uint64_t RunCount() const { return tree_.runs(); }
  uint64_t max_lamport() const { return max_lamport_; }
  // Bytes held: the character arena (deleted characters included), the tree
  // and index except tombstone runs, and tombstone runs.
  uint64_t ContentBytes() const;
  uint64_t MetadataBytes() const;
  uint64_t TombstoneBytes() const;

  // Every invariant: O(n log n), a walk of every run and its origins.
  void CheckInvariants() const;
  // The cheap part, O(1): the tree's counts and the agent table's size.
  void CheckCounts() const;

  // Every run in document order, columns of varints; deleted text is not
  // kept (sequence_snapshot.cc).
  void EncodeSnapshot(wire::SequenceSnapshot* out) const;
  // The sequence a snapshot describes. InvalidArgument (and no sequence) for
  // columns of different lengths, unknown agents, empty or overflowing runs,
  // text that is not UTF-8 or not as long as the visible runs, repeated ids,
  // or origins that are missing or on the wrong side of their run.
  static absl::StatusOr<std::unique_ptr<Sequence>> FromSnapshot(Integration integration,
                                                               const wire::SequenceSnapshot& snapshot);

 private:
  using Cursor = RunTree::Cursor;
  std::optional<uint32_t> AgentIndex(uint64_t agent) const;
  uint32_t Intern(uint64_t agent);
  std::optional<Cursor> Find(const ItemId& id) const;
  // An insert's origins, each looked up once: Ready and Apply need both the
  // cursors and the order, and each lookup walks the tree.
  struct Origins {
    std::optional<Cursor> left, right;
    bool missing = false;   // an origin the op names is not here
    bool in_order = true;   // OriginsInOrder
  };
  Origins Locate(const InsertOp& op) const;
  ItemId IdAt(const Cursor& c) const;
  // Total position (tombstones included) of an origin of a run that is here.
  int64_t OriginPosition(uint32_t agent, uint64_t counter) const;
  // The character a new run with these origins goes right after (nullopt:
  // the start), by the integration rule; counts concurrent siblings.
  std::optional<Cursor> PlaceAfter(const InsertOp& op, const std::optional<Cursor>& left_at);
  // Where typing at visible `position` puts its origins: the visible
  // character before it and the character (maybe a tombstone) after that.
  std::pair<std::optional<Cursor>, std::optional<Cursor>> NeighboursAt(uint64_t position) const;

  Integration integration_;
  RunTree tree_;
  ContentArena content_;
  std::vector<uint64_t> agents_;                     // interned index -> agent
  absl::flat_hash_map<uint64_t, uint32_t> agent_ids_;  // agent -> interned index
  // The last agent looked up (most ops in a row come from one agent).
  mutable uint64_t last_agent_ = 0;
  mutable uint32_t last_agent_index_ = kNoAgent;
  uint64_t max_lamport_ = 0;
  Counts counts_;
};

}  // namespace collabsim::crdt
