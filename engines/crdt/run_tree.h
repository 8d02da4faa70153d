// The sequence's storage: every character ever inserted, in document order,
// as run-length-encoded runs (a run of typing is one entry) in the leaves of
// a B-tree whose inner nodes count visible and total (tombstones included)
// characters per child, so a visible or total position is found in
// O(log n). An index per agent maps counter ranges to the leaf holding them,
// so a remote op finds its origin in O(log n) too. The tree knows nothing of
// integration rules (sequence.cc decides where a run goes) and nothing of
// text (runs name their characters in a ContentArena).
//
// Agents are interned: runs hold a 32-bit index into the agent table, never
// the agent itself, and nothing here orders by that index.
//
// Invariants (CheckInvariants): counts in inner nodes equal the sums below
// them; parent and sibling links agree; no leaf is empty unless it is the
// only one; every run's ids are found through the index in its own leaf.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"

namespace collabsim::crdt {

inline constexpr uint32_t kNoAgent = UINT32_MAX;

// Characters counter, counter + 1, ... of one agent, typed left to right:
// character k > 0 has origin_left character k - 1 and Lamport timestamp
// lamport + k; every character has the run's origin_right.
struct Run {
  uint64_t counter = 0;
  uint64_t lamport = 0;
  uint64_t left_counter = 0;   // origin_left of character 0, if left_agent != kNoAgent
  uint64_t right_counter = 0;  // origin_right, if right_agent != kNoAgent
  uint32_t agent = 0;
  uint32_t left_agent = kNoAgent;
  uint32_t right_agent = kNoAgent;
  uint32_t length = 0;
  uint32_t content = 0;  // ContentArena index of character 0
  bool deleted = false;

  uint64_t visible() const { return deleted ? 0 : length; }
  bool Holds(uint32_t a, uint64_t c) const { return agent == a && c >= counter && c - counter < length; }
  // Whether `next` continues this run's ids exactly (same agent, next ids,
  // origins, timestamps, deletion), so the two could be one run ...
  bool ContinuesIds(const Run& next) const;
  // ... and its characters follow in the arena, so they can be.
  bool Continues(const Run& next) const;
  // Cuts the run after `k` characters and returns the rest. REQUIRES: 0 < k < length.
  Run SplitAt(uint32_t k);
};

class RunTree {
 public:
  static constexpr uint32_t kLeafRuns = 32;
  static constexpr uint32_t kFanout = 16;

  struct Inner;
  struct Leaf {
    Inner* parent = nullptr;
    Leaf* prev = nullptr;
    Leaf* next = nullptr;
    uint32_t size = 0;
    std::array<Run, kLeafRuns> runs;
  };
  struct Inner {
    Inner* parent = nullptr;
    uint32_t size = 0;
    bool leaves = false;  // children are Leaf (else Inner)
    std::array<void*, kFanout> children{};
    std::array<uint64_t, kFanout> visible{};
    std::array<uint64_t, kFanout> total{};
  };
  // One character: run `run` of `leaf`, character `offset` of that run.
  struct Cursor {
    Leaf* leaf = nullptr;
    uint32_t run = 0;
    uint32_t offset = 0;
    friend bool operator==(const Cursor&, const Cursor&) = default;
  };

  RunTree();
  ~RunTree();
  RunTree(const RunTree&) = delete;
  RunTree& operator=(const RunTree&) = delete;

  uint64_t visible() const { return visible_; }
  uint64_t total() const { return total_; }
  uint64_t runs() const { return runs_; }
  uint64_t deleted_runs() const { return deleted_runs_; }

  const Run& RunOf(const Cursor& c) const { return c.leaf->runs[c.run]; }
  std::optional<Cursor> Find(uint32_t agent, uint64_t counter) const;
  // How many of counters [counter, counter + length) of `agent` are here.
  uint64_t CountPresent(uint32_t agent, uint64_t counter, uint64_t length) const;
  // Characters before `c`, tombstones included / visible only.
  uint64_t TotalBefore(const Cursor& c) const;
  uint64_t VisibleBefore(const Cursor& c) const;
  // The character at a position. REQUIRES: position < total() / visible().
  Cursor AtTotal(uint64_t position) const;
  Cursor AtVisible(uint64_t position) const;
  // The first character, and the first character of the next run; nullopt at the end.
  std::optional<Cursor> First() const;
  std::optional<Cursor> NextRun(const Cursor& c) const;
  // The character after `c` in document order; nullopt at the end.
  std::optional<Cursor> Next(const Cursor& c) const;

  // Puts `run` just after character `after` (nullopt: at the start), merging
  // it into the run it continues. REQUIRES: its ids are not here yet.
  void InsertAfter(const std::optional<Cursor>& after, const Run& run);
  // Marks counters [counter, counter + length) of `agent` deleted and returns
  // how many already were. REQUIRES: all present.
  uint64_t MarkDeleted(uint32_t agent, uint64_t counter, uint64_t length);

  // Every run in document order.
  template <typename F>
  void ForEachRun(F&& f) const {
    for (const Leaf* leaf = first_; leaf != nullptr; leaf = leaf->next) {
      for (uint32_t i = 0; i < leaf->size; ++i) f(leaf->runs[i]);
    }
  }
  // Replaces the content with `runs`, in document order, leaves filled to
  // three quarters. REQUIRES: the tree is empty; no id repeats.
  void BulkLoad(const std::vector<Run>& runs);

  // Bytes held by leaves, inner nodes and the index (the index's nodes are
  // estimated from its entry count and absl's node layout).
  uint64_t LeafBytes() const { return leaves_.size() * sizeof(Leaf); }
  uint64_t InnerBytes() const { return inners_.size() * sizeof(Inner); }
  uint64_t IndexBytes() const;

  // Every invariant above: O(n log n), a walk of the whole tree and index.
  void CheckInvariants() const;
  // The cheap part, O(fanout): the root's counts add up to the tree's.
  void CheckCounts() const;

 private:
  using Index = absl::btree_map<uint64_t, Leaf*>;  // counter -> leaf, up to the next key

  Leaf* NewLeaf();
  Inner* NewInner();
  Index& IndexOf(uint32_t agent);
  void Assign(const Run& run, Leaf* leaf);
  // Makes room for `slots` runs at gap `gap` of `leaf` (splitting it if
  // needed) and returns where the gap is now; run gap - 1, if any, is in the
  // same leaf as the gap afterwards.
  std::pair<Leaf*, uint32_t> MakeRoom(Leaf* leaf, uint32_t gap, uint32_t slots);
  // Puts `child` after `after` in `parent` (nullptr: `after` is the root),
  // splitting full nodes up the tree.
  void InsertChild(Inner* parent, void* after, void* child, bool leaves);
  // Recomputes the counts of `node` and of every node above it.
  void FixUp(void* node, bool is_leaf);
  static uint32_t ChildIndex(const Inner* parent, const void* child);
  // REQUIRES: room in the leaf.
  void PlaceAt(Leaf* leaf, uint32_t gap, const Run& run);
  // Merges run i of `leaf` with its neighbours in the leaf where they continue each other.
  void MergeAround(Leaf* leaf, uint32_t i);
  void RemoveRun(Leaf* leaf, uint32_t i);
  uint64_t CheckNode(const void* node, bool is_leaf, const Inner* parent, uint64_t* visible,
                     std::vector<const Leaf*>* order) const;

  void* root_ = nullptr;
  bool root_is_leaf_ = true;
  Leaf* first_ = nullptr;
  std::vector<std::unique_ptr<Leaf>> leaves_;
  std::vector<std::unique_ptr<Inner>> inners_;
  std::vector<Index> index_;  // by interned agent
  uint64_t visible_ = 0;
  uint64_t total_ = 0;
  uint64_t runs_ = 0;
  uint64_t deleted_runs_ = 0;  // runs marked deleted (tombstones)
};

}  // namespace collabsim::crdt
