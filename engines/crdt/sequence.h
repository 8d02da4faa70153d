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
// Layout: items in document order (tombstones included) in blocks of at most
// kMaxBlock handles, each block counting its visible items, plus an id ->
// handle map. A position lookup is O(blocks + block size). The structure is
// sans-IO and knows nothing of the network; engines wrap it.
//
// Invariants (CheckInvariants): block counts match their items; every
// item's block pointer is the block holding it; the id map and the blocks
// hold the same items; origins of every item precede / follow it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "crdt_wire.pb.h"

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

  // Whether everything `op` refers to is here (causal readiness). A run
  // already fully present is ready (applying it is a no-op).
  bool Ready(const InsertOp& op) const;
  bool Ready(const DeleteOp& op) const;
  // Applies `op`; characters already present are skipped (idempotent).
  // Errors (nothing changes): not ready, empty run, a run that overlaps ids
  // already present only in part, or a counter overflow.
  absl::Status Apply(const InsertOp& op);
  // Deleting an already deleted item is a no-op. Error if not ready.
  absl::Status Apply(const DeleteOp& op);

  bool Contains(ItemId id) const { return index_.contains(id); }

  // A caret as a relative position: the item just left of visible position
  // `position` (nullopt: the start). It stays on the same character while
  // text moves around it, and survives that character's deletion.
  std::optional<ItemId> AnchorAt(uint64_t position) const;
  // The visible position of a caret after `anchor`. REQUIRES: Contains.
  uint64_t Resolve(const std::optional<ItemId>& anchor) const;

  // What integration met, for coverage probes: an insert that had to be
  // ordered against a concurrent insert at the same place; a delete of an
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
  uint64_t VisibleLength() const { return visible_; }
  uint64_t ItemCount() const { return items_.size(); }
  uint64_t TombstoneCount() const { return items_.size() - visible_; }
  uint64_t max_lamport() const { return max_lamport_; }
  // Bytes held: visible content, per-item metadata, tombstones.
  uint64_t ContentBytes() const;
  uint64_t MetadataBytes() const;
  uint64_t TombstoneBytes() const;

  void CheckInvariants() const;

  // Every item in document order, run-length encoded (sequence_snapshot.cc).
  void EncodeSnapshot(wire::SequenceSnapshot* out) const;
  // The sequence a snapshot describes. InvalidArgument (and no sequence) for
  // bad UTF-8, empty or overflowing runs, repeated ids, or origins that are
  // missing or on the wrong side of their item.
  static absl::StatusOr<std::unique_ptr<Sequence>> FromSnapshot(Integration integration,
                                                               const wire::SequenceSnapshot& snapshot);

 private:
  static constexpr size_t kMaxBlock = 512;
  struct Block;
  struct Item {
    ItemId id;
    std::optional<ItemId> origin_left;
    std::optional<ItemId> origin_right;
    uint64_t lamport = 0;
    char32_t ch = 0;
    bool deleted = false;
    Block* block = nullptr;
  };
  struct Block {
    std::vector<uint32_t> handles;
    uint64_t visible = 0;
    size_t ordinal = 0;
  };

  // Position in the full list (tombstones included) of an item, or of an
  // absent origin: -1 for "start" (left) and ItemCount() for "end" (right).
  int64_t PositionOf(uint32_t handle) const;
  int64_t LeftPosition(const std::optional<ItemId>& id) const;
  int64_t RightPosition(const std::optional<ItemId>& id) const;
  // Where a new item with these origins goes, by the integration rule.
  int64_t Destination(const Item& item);  // counts concurrent siblings
  void InsertAt(int64_t position, uint32_t handle);
  // The block and offset of full-list position `position` (< ItemCount()).
  std::pair<size_t, size_t> Locate(uint64_t position) const;
  // The full-list position of the visible character `visible_index`.
  uint64_t FullPositionOfVisible(uint64_t visible_index) const;
  uint32_t HandleAt(uint64_t position) const;
  void Renumber();

  Integration integration_;
  std::vector<Item> items_;  // by handle
  std::vector<std::unique_ptr<Block>> blocks_;
  std::vector<uint64_t> block_start_;  // full-list position of each block's first item
  absl::flat_hash_map<ItemId, uint32_t> index_;
  uint64_t visible_ = 0;
  uint64_t max_lamport_ = 0;
  Counts counts_;
};

}  // namespace collabsim::crdt
