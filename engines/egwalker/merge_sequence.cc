// Leaves of merge records with counts, Fenwick trees over them, and an id
// index (see merge_sequence.h).
#include "engines/egwalker/merge_sequence.h"

#include <bit>

#include "engines/common/check.h"

namespace collabsim::egwalker {

MergeSequence::Place MergeSequence::Next(Place place) const {
  if (place.offset + 1 < RecordAt(place).length) return Place{place.leaf, place.record, place.offset + 1};
  return NextRecord(place);
}

MergeSequence::Place MergeSequence::NextRecord(Place place) const {
  if (place.record + 1 < leaves_[place.leaf]->records.size()) return Place{place.leaf, place.record + 1, 0};
  return Place{place.leaf + 1, 0, 0};
}

void MergeSequence::FenwickAdd(std::vector<uint64_t>* tree, size_t leaf, int64_t delta) {
  for (size_t i = leaf + 1; i < tree->size(); i += i & (~i + 1)) (*tree)[i] += static_cast<uint64_t>(delta);
}

uint64_t MergeSequence::FenwickPrefix(const std::vector<uint64_t>& tree, size_t leaves) {
  uint64_t sum = 0;
  for (size_t i = leaves; i > 0; i -= i & (~i + 1)) sum += tree[i];
  return sum;
}

void MergeSequence::EnsureFenwick() const {
  if (!fenwick_stale_) return;
  const size_t n = leaves_.size();
  fenwick_prepare_.assign(n + 1, 0);
  fenwick_effect_.assign(n + 1, 0);
  for (size_t i = 1; i <= n; ++i) {
    fenwick_prepare_[i] += leaves_[i - 1]->prepare_visible;
    fenwick_effect_[i] += leaves_[i - 1]->effect_visible;
    if (const size_t parent = i + (i & (~i + 1)); parent <= n) {
      fenwick_prepare_[parent] += fenwick_prepare_[i];
      fenwick_effect_[parent] += fenwick_effect_[i];
    }
  }
  fenwick_stale_ = false;
}

std::optional<MergeSequence::Place> MergeSequence::FindPrepare(uint64_t position) const {
  EnsureFenwick();
  // The number of leaves whose prepare counts sum to at most `position`:
  // the leaf after them holds it.
  const size_t n = leaves_.size();
  size_t before = 0;
  for (size_t step = n == 0 ? 0 : std::bit_floor(n); step > 0; step >>= 1) {
    if (before + step <= n && fenwick_prepare_[before + step] <= position) {
      before += step;
      position -= fenwick_prepare_[before];
    }
  }
  if (before >= n) return std::nullopt;
  const Leaf& leaf = *leaves_[before];
  for (size_t r = 0; r < leaf.records.size(); ++r) {
    const MergeRecord& record = leaf.records[r];
    if (record.prepare != 1) continue;
    if (position < record.length) return Place{before, r, position};
    position -= record.length;
  }
  COLLABSIM_CHECK(false && "a leaf's prepare count is more than its records");
  return std::nullopt;
}

MergeSequence::Place MergeSequence::FindId(uint64_t id) const {
  auto it = leaf_by_id_.upper_bound(id);
  COLLABSIM_CHECK(it != leaf_by_id_.begin());
  --it;
  const Leaf& leaf = *it->second.leaf;
  const size_t size = leaf.records.size();
  for (size_t k = 0; k < size; ++k) {
    const size_t r = (it->second.hint + k) % size;
    const MergeRecord& record = leaf.records[r];
    if (record.id == it->first) {
      COLLABSIM_CHECK(id - record.id < record.length);
      it->second.hint = r;
      return Place{leaf.index, r, id - record.id};
    }
  }
  COLLABSIM_CHECK(false && "an indexed record is not in its leaf");
  return Place{};
}

uint64_t MergeSequence::EffectBefore(Place place) const {
  EnsureFenwick();
  uint64_t count = FenwickPrefix(fenwick_effect_, std::min(place.leaf, leaves_.size()));
  if (IsEnd(place)) return count;
  const Leaf& leaf = *leaves_[place.leaf];
  for (size_t r = 0; r < place.record; ++r) {
    if (!leaf.records[r].effect_deleted) count += leaf.records[r].length;
  }
  if (!leaf.records[place.record].effect_deleted) count += place.offset;
  return count;
}

MergeSequence::Place MergeSequence::Isolate(Place place, uint64_t length) {
  if (place.offset > 0) place = Moved(place.leaf, place.record + 1, SplitRecord(place));
  if (length < RecordAt(place).length) {
    place = Moved(place.leaf, place.record, SplitRecord(Place{place.leaf, place.record, length}));
  }
  return place;
}

MergeSequence::Place MergeSequence::Insert(Place place, const MergeRecord& record) {
  COLLABSIM_CHECK(record.length > 0);
  if (leaves_.empty()) {
    leaves_.push_back(std::make_unique<Leaf>());
    fenwick_stale_ = true;
    place = End();
  }
  if (IsEnd(place)) {
    place = Place{leaves_.size() - 1, leaves_.back()->records.size(), 0};
  } else if (place.offset > 0) {
    place = Moved(place.leaf, place.record + 1, SplitRecord(place));
  }
  Leaf& leaf = *leaves_[place.leaf];
  leaf.records.insert(leaf.records.begin() + place.record, record);
  COLLABSIM_CHECK(leaf_by_id_.emplace(record.id, Located{&leaf, place.record}).second);
  ++records_;
  SetCounts(leaf, leaf.prepare_visible + (record.prepare == 1 ? record.length : 0),
            leaf.effect_visible + (record.effect_deleted ? 0 : record.length));
  return Moved(place.leaf, place.record, SplitLeafIfFull(place.leaf));
}

void MergeSequence::SetStates(Place place, uint32_t prepare, bool effect_deleted) {
  COLLABSIM_CHECK(place.offset == 0);
  Leaf& leaf = *leaves_[place.leaf];
  MergeRecord& record = leaf.records[place.record];
  uint64_t prepare_visible = leaf.prepare_visible;
  uint64_t effect_visible = leaf.effect_visible;
  if ((record.prepare == 1) != (prepare == 1)) {
    if (prepare == 1) {
      prepare_visible += record.length;
    } else {
      prepare_visible -= record.length;
    }
  }
  if (record.effect_deleted != effect_deleted) {
    if (effect_deleted) {
      effect_visible -= record.length;
    } else {
      effect_visible += record.length;
    }
  }
  record.prepare = prepare;
  record.effect_deleted = effect_deleted;
  SetCounts(leaf, prepare_visible, effect_visible);
}

void MergeSequence::SetCounts(Leaf& leaf, uint64_t prepare_visible, uint64_t effect_visible) {
  if (!fenwick_stale_) {
    FenwickAdd(&fenwick_prepare_, leaf.index,
               static_cast<int64_t>(prepare_visible) - static_cast<int64_t>(leaf.prepare_visible));
    FenwickAdd(&fenwick_effect_, leaf.index,
               static_cast<int64_t>(effect_visible) - static_cast<int64_t>(leaf.effect_visible));
  }
  leaf.prepare_visible = prepare_visible;
  leaf.effect_visible = effect_visible;
}

void MergeSequence::Recount(Leaf& leaf) {
  uint64_t prepare_visible = 0;
  uint64_t effect_visible = 0;
  for (const MergeRecord& record : leaf.records) {
    if (record.prepare == 1) prepare_visible += record.length;
    if (!record.effect_deleted) effect_visible += record.length;
  }
  SetCounts(leaf, prepare_visible, effect_visible);
}

size_t MergeSequence::SplitRecord(Place place) {
  COLLABSIM_CHECK(place.offset > 0);
  Leaf& leaf = *leaves_[place.leaf];
  MergeRecord& record = leaf.records[place.record];
  COLLABSIM_CHECK(place.offset < record.length);
  MergeRecord rest = record;
  rest.id += place.offset;
  rest.length -= place.offset;
  rest.origin_left = record.id + place.offset - 1;
  record.length = place.offset;
  leaf.records.insert(leaf.records.begin() + place.record + 1, rest);
  COLLABSIM_CHECK(leaf_by_id_.emplace(rest.id, Located{&leaf, place.record + 1}).second);
  ++records_;
  return SplitLeafIfFull(place.leaf);
}

size_t MergeSequence::SplitLeafIfFull(size_t index) {
  Leaf& leaf = *leaves_[index];
  if (leaf.records.size() <= kLeafRecords) return 0;
  auto second = std::make_unique<Leaf>();
  const size_t half = leaf.records.size() / 2;
  second->records.assign(leaf.records.begin() + half, leaf.records.end());
  leaf.records.resize(half);
  for (size_t r = 0; r < second->records.size(); ++r) {
    leaf_by_id_[second->records[r].id] = Located{second.get(), r};
  }
  leaves_.insert(leaves_.begin() + index + 1, std::move(second));
  for (size_t i = index + 1; i < leaves_.size(); ++i) leaves_[i]->index = i;
  fenwick_stale_ = true;  // every leaf after this one moved
  Recount(*leaves_[index]);
  Recount(*leaves_[index + 1]);
  return half;
}

uint64_t MergeSequence::MemoryBytes() const {
  return records_ * sizeof(MergeRecord) + leaves_.size() * sizeof(Leaf) +
         leaf_by_id_.size() * (sizeof(uint64_t) + sizeof(Located)) +
         (fenwick_prepare_.capacity() + fenwick_effect_.capacity()) * sizeof(uint64_t);
}

void MergeSequence::CheckInvariants() const {
  uint64_t records = 0;
  for (size_t i = 0; i < leaves_.size(); ++i) {
    const Leaf& leaf = *leaves_[i];
    COLLABSIM_CHECK(leaf.index == i);
    COLLABSIM_CHECK(!leaf.records.empty() && leaf.records.size() <= kLeafRecords);
    uint64_t prepare_visible = 0;
    uint64_t effect_visible = 0;
    for (const MergeRecord& record : leaf.records) {
      COLLABSIM_CHECK(record.length > 0);
      auto it = leaf_by_id_.find(record.id);
      COLLABSIM_CHECK(it != leaf_by_id_.end() && it->second.leaf == &leaf);
      if (record.prepare == 1) prepare_visible += record.length;
      if (!record.effect_deleted) effect_visible += record.length;
    }
    COLLABSIM_CHECK(leaf.prepare_visible == prepare_visible && leaf.effect_visible == effect_visible);
    if (!fenwick_stale_) {
      COLLABSIM_CHECK(FenwickPrefix(fenwick_prepare_, i + 1) - FenwickPrefix(fenwick_prepare_, i) == prepare_visible);
      COLLABSIM_CHECK(FenwickPrefix(fenwick_effect_, i + 1) - FenwickPrefix(fenwick_effect_, i) == effect_visible);
    }
    records += leaf.records.size();
  }
  COLLABSIM_CHECK(records == records_ && leaf_by_id_.size() == records_);
}

}  // namespace collabsim::egwalker
