// The characters a merge walks over (merge_walker.h), in document order, as
// records of consecutive characters in leaves of bounded size. Each leaf
// counts the characters visible in the prepare and in the effect version,
// so finding an index in either costs a scan over leaf counts and one
// leaf, and an index from character ids to leaves finds any character the
// same way. A merge of a long-diverged branch (the paper's A1) holds tens
// of thousands of records; a flat list made every lookup a scan of all of
// them.
//
// Invariants (CheckInvariants): no leaf is empty or above kLeafRecords
// records; each leaf's counts are the sums of its records; every record's
// id is indexed to its leaf; leaves know their own position.
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
  void Recount(Leaf& leaf);
  // Splits the record at `place` so a record starts there; returns the
  // first record's id after it (the one starting at `place`).
  void SplitRecord(Place place);
  // Keeps leaves at most kLeafRecords long.
  void SplitLeafIfFull(size_t leaf);

  std::vector<std::unique_ptr<Leaf>> leaves_;
  absl::btree_map<uint64_t, Leaf*> leaf_by_id_;  // each record's id -> its leaf
  uint64_t records_ = 0;
};

}  // namespace collabsim::egwalker
