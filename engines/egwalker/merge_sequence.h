// The characters a merge walks over (merge_walker.h), in document order, as
// records of consecutive characters in leaves of bounded size. Each leaf
// counts the characters visible in the prepare and in the effect version,
// and Fenwick trees over those counts find the leaf holding an index in
// either in O(log leaves), then one leaf is scanned; an index from
// character ids to leaves finds any character the same way. A merge of a
// long-diverged branch (the paper's A1) holds tens of thousands of records;
// a flat list made every lookup a scan of all of them, and a scan of leaf
// counts was still most of A1's merge.
//
// Invariants (CheckInvariants): no leaf is empty or above kLeafRecords
// records; each leaf's counts are the sums of its records; every record's
// id is indexed to its leaf; leaves know their own position; the Fenwick
// trees, unless marked stale (a leaf was added: rebuilt at the next
// lookup), sum the leaves' counts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/btree_map.h"

namespace collabsim::egwalker {

// Characters [id, id + length) next to each other in document order.
// Character k > 0 has origin_left id + k - 1; all share origin_right.
struct MergeRecord {
  uint64_t id = 0;
  uint64_t length = 0;
  uint64_t origin_left = 0;   // of character 0
  uint64_t origin_right = 0;
  uint32_t prepare = 0;  // 0 not inserted yet, 1 inserted, 1 + k deleted k times
  bool effect_deleted = false;
};

class MergeSequence {
 public:
  static constexpr size_t kLeafRecords = 64;

  // A character: record `record` of leaf `leaf`, character `offset` of it.
  // Leaf leaves().size() is the end. Places are invalidated by any change.
  struct Place {
    size_t leaf = 0;
    size_t record = 0;
    uint64_t offset = 0;
    friend auto operator<=>(const Place&, const Place&) = default;
  };

  Place End() const { return Place{leaves_.size(), 0, 0}; }
  bool IsEnd(Place place) const { return place.leaf >= leaves_.size(); }
  const MergeRecord& RecordAt(Place place) const { return leaves_[place.leaf]->records[place.record]; }
  uint64_t IdAt(Place place) const { return RecordAt(place).id + place.offset; }

  // The next character, and the first character of the next record.
  Place Next(Place place) const;
  Place NextRecord(Place place) const;

  // The character at index `position` among those visible in the prepare
  // version; nullopt past the end.
  std::optional<Place> FindPrepare(uint64_t position) const;
  // The character `id`. REQUIRES: it is in the sequence.
  Place FindId(uint64_t id) const;
  // Characters visible in the effect version before `place`.
  uint64_t EffectBefore(Place place) const;

  // Makes a record start at `place` and end at most `length` characters
  // later; returns it (offset 0).
  Place Isolate(Place place, uint64_t length);
  // Inserts `record` before `place` (splitting the record there); returns
  // its place.
  Place Insert(Place place, const MergeRecord& record);
  // Sets the states of the record at `place`. REQUIRES: place.offset == 0.
  void SetStates(Place place, uint32_t prepare, bool effect_deleted);

  uint64_t MemoryBytes() const;
  void CheckInvariants() const;

 private:
  struct Leaf {
    std::vector<MergeRecord> records;
    uint64_t prepare_visible = 0;
    uint64_t effect_visible = 0;
    size_t index = 0;
  };
  // Sets a leaf's counts from its records.
  void Recount(Leaf& leaf);
  // Sets a leaf's counts, keeping the Fenwick trees in step.
  void SetCounts(Leaf& leaf, uint64_t prepare_visible, uint64_t effect_visible);
  // Splits the record at `place` (offset > 0) so a record starts there.
  // Returns where the leaf was split (see Moved), 0 if it was not.
  size_t SplitRecord(Place place);
  // Keeps leaves at most kLeafRecords long: splits a full leaf in two and
  // returns how many records stayed in it (0 when it was not split).
  size_t SplitLeafIfFull(size_t leaf);
  // Where record `record` of leaf `leaf` is after that leaf was split with
  // `kept` records staying (0: not split).
  static Place Moved(size_t leaf, size_t record, size_t kept) {
    if (kept > 0 && record >= kept) return Place{leaf + 1, record - kept, 0};
    return Place{leaf, record, 0};
  }
  // Fenwick trees over the leaves' counts (1-based), rebuilt when stale.
  void EnsureFenwick() const;
  static void FenwickAdd(std::vector<uint64_t>* tree, size_t leaf, int64_t delta);
  static uint64_t FenwickPrefix(const std::vector<uint64_t>& tree, size_t leaves);

  std::vector<std::unique_ptr<Leaf>> leaves_;
  mutable std::vector<uint64_t> fenwick_prepare_;
  mutable std::vector<uint64_t> fenwick_effect_;
  mutable bool fenwick_stale_ = true;
  // Where a record is: its leaf, and the index it had there when last
  // found (records only move right within a leaf until it splits, so a
  // search starts there).
  struct Located {
    Leaf* leaf = nullptr;
    mutable size_t hint = 0;
  };
  absl::btree_map<uint64_t, Located> leaf_by_id_;  // each record's id -> where it is
  uint64_t records_ = 0;
};

}  // namespace collabsim::egwalker
