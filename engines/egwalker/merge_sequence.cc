#include "engines/egwalker/merge_sequence.h"

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

std::optional<MergeSequence::Place> MergeSequence::FindPrepare(uint64_t position) const {
  for (const auto& leaf : leaves_) {
    if (position >= leaf->prepare_visible) {
      position -= leaf->prepare_visible;
      continue;
    }
    for (size_t r = 0; r < leaf->records.size(); ++r) {
      const MergeRecord& record = leaf->records[r];
      if (record.prepare != 1) continue;
      if (position < record.length) return Place{leaf->index, r, position};
      position -= record.length;
    }
    COLLABSIM_CHECK(false && "a leaf's prepare count is more than its records");
  }
  return std::nullopt;
}

MergeSequence::Place MergeSequence::FindId(uint64_t id) const {
  auto it = leaf_by_id_.upper_bound(id);
  COLLABSIM_CHECK(it != leaf_by_id_.begin());
  --it;
  const Leaf& leaf = *it->second;
  for (size_t r = 0; r < leaf.records.size(); ++r) {
    const MergeRecord& record = leaf.records[r];
    if (record.id == it->first) {
      COLLABSIM_CHECK(id - record.id < record.length);
      return Place{leaf.index, r, id - record.id};
    }
  }
  COLLABSIM_CHECK(false && "an indexed record is not in its leaf");
  return Place{};
}

uint64_t MergeSequence::EffectBefore(Place place) const {
  uint64_t count = 0;
  for (size_t i = 0; i < place.leaf && i < leaves_.size(); ++i) count += leaves_[i]->effect_visible;
  if (IsEnd(place)) return count;
  const Leaf& leaf = *leaves_[place.leaf];
  for (size_t r = 0; r < place.record; ++r) {
    if (!leaf.records[r].effect_deleted) count += leaf.records[r].length;
  }
  if (!leaf.records[place.record].effect_deleted) count += place.offset;
  return count;
}

MergeSequence::Place MergeSequence::Isolate(Place place, uint64_t length) {
  const uint64_t id = IdAt(place);
  SplitRecord(place);
  place = FindId(id);
  if (length < RecordAt(place).length) {
    SplitRecord(Place{place.leaf, place.record, length});
    place = FindId(id);
  }
  return place;
}

MergeSequence::Place MergeSequence::Insert(Place place, const MergeRecord& record) {
  COLLABSIM_CHECK(record.length > 0);
  if (leaves_.empty()) {
    leaves_.push_back(std::make_unique<Leaf>());
    place = End();
  }
  if (IsEnd(place)) {
    place = Place{leaves_.size() - 1, leaves_.back()->records.size(), 0};
  } else if (place.offset > 0) {
    const uint64_t id = IdAt(place);
    SplitRecord(place);
    place = FindId(id);
  }
  Leaf& leaf = *leaves_[place.leaf];
  leaf.records.insert(leaf.records.begin() + place.record, record);
  COLLABSIM_CHECK(leaf_by_id_.emplace(record.id, &leaf).second);
  ++records_;
  Recount(leaf);
  SplitLeafIfFull(place.leaf);
  return FindId(record.id);
}

void MergeSequence::SetStates(Place place, uint32_t prepare, bool effect_deleted) {
  COLLABSIM_CHECK(place.offset == 0);
  Leaf& leaf = *leaves_[place.leaf];
  MergeRecord& record = leaf.records[place.record];
  if ((record.prepare == 1) != (prepare == 1)) {
    if (prepare == 1) {
      leaf.prepare_visible += record.length;
    } else {
      leaf.prepare_visible -= record.length;
    }
  }
  if (record.effect_deleted != effect_deleted) {
    if (effect_deleted) {
      leaf.effect_visible -= record.length;
    } else {
      leaf.effect_visible += record.length;
    }
  }
  record.prepare = prepare;
  record.effect_deleted = effect_deleted;
}

void MergeSequence::Recount(Leaf& leaf) {
  leaf.prepare_visible = 0;
  leaf.effect_visible = 0;
  for (const MergeRecord& record : leaf.records) {
    if (record.prepare == 1) leaf.prepare_visible += record.length;
    if (!record.effect_deleted) leaf.effect_visible += record.length;
  }
}

void MergeSequence::SplitRecord(Place place) {
  if (place.offset == 0) return;
  Leaf& leaf = *leaves_[place.leaf];
  MergeRecord& record = leaf.records[place.record];
  COLLABSIM_CHECK(place.offset < record.length);
  MergeRecord rest = record;
  rest.id += place.offset;
  rest.length -= place.offset;
  rest.origin_left = record.id + place.offset - 1;
  record.length = place.offset;
  leaf.records.insert(leaf.records.begin() + place.record + 1, rest);
  COLLABSIM_CHECK(leaf_by_id_.emplace(rest.id, &leaf).second);
  ++records_;
  SplitLeafIfFull(place.leaf);
}

void MergeSequence::SplitLeafIfFull(size_t index) {
  Leaf& leaf = *leaves_[index];
  if (leaf.records.size() <= kLeafRecords) return;
  auto second = std::make_unique<Leaf>();
  const size_t half = leaf.records.size() / 2;
  second->records.assign(leaf.records.begin() + half, leaf.records.end());
  leaf.records.resize(half);
  for (const MergeRecord& record : second->records) leaf_by_id_[record.id] = second.get();
  Recount(leaf);
  Recount(*second);
  leaves_.insert(leaves_.begin() + index + 1, std::move(second));
  for (size_t i = index + 1; i < leaves_.size(); ++i) leaves_[i]->index = i;
}

uint64_t MergeSequence::MemoryBytes() const {
  return records_ * sizeof(MergeRecord) + leaves_.size() * sizeof(Leaf) +
         leaf_by_id_.size() * (sizeof(uint64_t) + sizeof(Leaf*));
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
      COLLABSIM_CHECK(it != leaf_by_id_.end() && it->second == &leaf);
      if (record.prepare == 1) prepare_visible += record.length;
      if (!record.effect_deleted) effect_visible += record.length;
    }
    COLLABSIM_CHECK(leaf.prepare_visible == prepare_visible && leaf.effect_visible == effect_visible);
    records += leaf.records.size();
  }
  COLLABSIM_CHECK(records == records_ && leaf_by_id_.size() == records_);
}

}  // namespace collabsim::egwalker
