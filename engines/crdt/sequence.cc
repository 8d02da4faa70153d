// Integration rules over the run tree (see sequence.h). A run is placed as
// a whole: once its first character has found its place, every later one
// goes straight after the one before (nothing can refer to a character that
// is only now arriving), which is what integrating them one by one gives.
#include "engines/crdt/sequence.h"

#include <algorithm>
#include <tuple>

#include "engines/common/check.h"

namespace collabsim::crdt {

Sequence::Sequence(Integration integration) : integration_(integration) {}

Sequence::~Sequence() = default;

std::optional<uint32_t> Sequence::AgentIndex(uint64_t agent) const {
  if (last_agent_index_ != kNoAgent && last_agent_ == agent) return last_agent_index_;
  const auto it = agent_ids_.find(agent);
  if (it == agent_ids_.end()) return std::nullopt;
  last_agent_ = agent;
  last_agent_index_ = it->second;
  return it->second;
}

uint32_t Sequence::Intern(uint64_t agent) {
  const auto [it, added] = agent_ids_.emplace(agent, static_cast<uint32_t>(agents_.size()));
  if (added) {
    COLLABSIM_CHECK(agents_.size() < kNoAgent);
    agents_.push_back(agent);
  }
  return it->second;
}

std::optional<RunTree::Cursor> Sequence::Find(const ItemId& id) const {
  const std::optional<uint32_t> agent = AgentIndex(id.agent);
  if (!agent.has_value()) return std::nullopt;
  return tree_.Find(*agent, id.counter);
}

ItemId Sequence::IdAt(const Cursor& c) const {
  const Run& run = tree_.RunOf(c);
  return ItemId{agents_[run.agent], run.counter + c.offset};
}

int64_t Sequence::OriginPosition(uint32_t agent, uint64_t counter) const {
  const std::optional<Cursor> at = tree_.Find(agent, counter);
  COLLABSIM_CHECK(at.has_value());  // origins are present before their run
  return static_cast<int64_t>(tree_.TotalBefore(*at));
}

std::optional<RunTree::Cursor> Sequence::PlaceAfter(const InsertOp& op, const std::optional<Cursor>& left_at) {
  const int64_t left = left_at.has_value() ? static_cast<int64_t>(tree_.TotalBefore(*left_at)) : -1;
  // The character before total position `destination` (nullopt: the start).
  auto before = [&](int64_t destination) -> std::optional<Cursor> {
    if (destination == left + 1) return left_at;
    if (destination == 0) return std::nullopt;
    return tree_.AtTotal(static_cast<uint64_t>(destination - 1));
  };
  std::optional<Cursor> at = left_at.has_value() ? tree_.Next(*left_at) : tree_.First();
  int64_t i = left + 1;
  // The origin_left of the character at `at`: the one before it inside a
  // run, else the run's own.
  auto origin_left_of = [&](const Cursor& c, const Run& run) -> int64_t {
    if (c.offset > 0) return i - 1;
    return run.left_agent == kNoAgent ? -1 : OriginPosition(run.left_agent, run.left_counter);
  };
  if (integration_ == Integration::kRga) {
    // Children of one parent, newest first; skip each one's subtree. The
    // rest of a run hangs below its first character.
    for (; at.has_value(); at = tree_.NextRun(*at)) {
      const Run& other = tree_.RunOf(*at);
      const int64_t other_left = origin_left_of(*at, other);
      if (other_left < left) break;
      if (other_left == left) {
        ++counts_.concurrent_siblings;
        if (std::tie(op.lamport, op.id.agent) > std::tuple(other.lamport + at->offset, agents_[other.agent])) break;
      }
      i += other.length - at->offset;
    }
    return before(i);
  }
  // FugueMax (YjsMod): scan the characters between the origins; those whose
  // own origin_left is ours are concurrent inserts at the same place.
  const auto total = static_cast<int64_t>(tree_.total());
  int64_t right = total;
  if (op.origin_right.has_value()) right = static_cast<int64_t>(tree_.TotalBefore(*Find(*op.origin_right)));
  int64_t destination = i;
  bool scanning = false;
  while (true) {
    if (!scanning) destination = i;
    if (i >= right) break;
    const Run& other = tree_.RunOf(*at);
    const int64_t other_left = origin_left_of(*at, other);
    if (other_left < left) break;
    if (other_left == left) {
      ++counts_.concurrent_siblings;
      const int64_t other_right =
          other.right_agent == kNoAgent ? total : OriginPosition(other.right_agent, other.right_counter);
      if (other_right < right) {
        scanning = true;  // other goes after us unless a later sibling says otherwise
      } else if (other_right == right && op.id.agent < agents_[other.agent]) {
        break;
      } else {
        scanning = false;
      }
    }
    // The rest of this run hangs below the character just looked at: skip
    // it, stopping at `right` if it lies inside.
    const int64_t rest = other.length - at->offset - 1;
    ++i;
    if (i + rest > right) {
      i = right;
      continue;
    }
    i += rest;
    at = tree_.NextRun(*at);
  }
  return before(destination);
}

std::pair<std::optional<RunTree::Cursor>, std::optional<RunTree::Cursor>> Sequence::NeighboursAt(
    uint64_t position) const {
  // Just after the visible character before the cursor; tombstones after
  // it stay to the right of new text.
  if (position == 0) return {std::nullopt, tree_.First()};
  const Cursor left = tree_.AtVisible(position - 1);
  return {left, tree_.Next(left)};
}

InsertOp Sequence::MakeInsert(uint64_t agent, uint64_t counter, uint64_t position, std::u32string text) const {
  COLLABSIM_CHECK(position <= VisibleLength() && !text.empty());
  InsertOp op;
  op.id = ItemId{agent, counter};
  op.lamport = max_lamport_ + 1;
  op.text = std::move(text);
  const auto [left, right] = NeighboursAt(position);
  if (left.has_value()) op.origin_left = IdAt(*left);
  if (right.has_value()) op.origin_right = IdAt(*right);
  return op;
}

DeleteOp Sequence::MakeDelete(uint64_t position, uint64_t length) const {
  COLLABSIM_CHECK(position + length <= VisibleLength());
  DeleteOp op;
  if (length == 0) return op;
  std::optional<Cursor> at = tree_.AtVisible(position);
  for (uint64_t taken = 0; taken < length; at = tree_.NextRun(*at)) {
    COLLABSIM_CHECK(at.has_value());
    const Run& run = tree_.RunOf(*at);
    if (run.deleted) continue;
    const uint64_t n = std::min<uint64_t>(run.length - at->offset, length - taken);
    const ItemId first{agents_[run.agent], run.counter + at->offset};
    taken += n;
    if (!op.ranges.empty()) {
      DeleteRange& last = op.ranges.back();
      if (last.first.agent == first.agent && last.first.counter + last.length == first.counter) {
        last.length += n;
        continue;
      }
    }
    op.ranges.push_back(DeleteRange{first, n});
  }
  return op;
}

InsertOp Sequence::InsertLocal(uint64_t agent, uint64_t counter, uint64_t position, std::u32string text) {
  const uint64_t length = text.size();
  COLLABSIM_CHECK(position <= VisibleLength() && length > 0 && length <= UINT32_MAX);
  COLLABSIM_CHECK(counter <= UINT64_MAX - length && max_lamport_ < UINT64_MAX - length && content_.HasRoomFor(length));
  InsertOp op;
  op.id = ItemId{agent, counter};
  op.lamport = max_lamport_ + 1;
  Run run;
  run.agent = Intern(agent);
  run.counter = counter;
  run.lamport = op.lamport;
  run.length = static_cast<uint32_t>(length);
  // The origins MakeInsert would give; the new run then goes straight after
  // `left` (the character after it is its origin_right: nothing to scan).
  const auto [left, right] = NeighboursAt(position);
  if (left.has_value()) {
    const Run& l = tree_.RunOf(*left);
    run.left_agent = l.agent;
    run.left_counter = l.counter + left->offset;
    op.origin_left = ItemId{agents_[l.agent], run.left_counter};
  }
  if (right.has_value()) {
    const Run& r = tree_.RunOf(*right);
    run.right_agent = r.agent;
    run.right_counter = r.counter + right->offset;
    op.origin_right = ItemId{agents_[r.agent], run.right_counter};
  }
  run.content = content_.Append(text);
  op.text = std::move(text);
  tree_.InsertAfter(left, run);
  max_lamport_ = op.lamport + length - 1;
  return op;
}

DeleteOp Sequence::DeleteLocal(uint64_t position, uint64_t length) {
  DeleteOp op = MakeDelete(position, length);
  for (const DeleteRange& range : op.ranges) {
    const uint64_t already = tree_.MarkDeleted(*AgentIndex(range.first.agent), range.first.counter, range.length);
    COLLABSIM_CHECK(already == 0);  // MakeDelete takes visible characters only
  }
  return op;
}

Sequence::Origins Sequence::Locate(const InsertOp& op) const {
  Origins origins;
  if (op.origin_left.has_value()) {
    origins.left = Find(*op.origin_left);
    origins.missing |= !origins.left.has_value();
  }
  if (op.origin_right.has_value()) {
    origins.right = Find(*op.origin_right);
    origins.missing |= !origins.right.has_value();
  }
  if (integration_ == Integration::kFugueMax && origins.left.has_value() && origins.right.has_value()) {
    origins.in_order = tree_.TotalBefore(*origins.left) < tree_.TotalBefore(*origins.right);
  }
  return origins;
}

bool Sequence::Ready(const InsertOp& op) const {
  const Origins origins = Locate(op);
  return !origins.missing && origins.in_order;
}

bool Sequence::OriginsInOrder(const InsertOp& op) const {
  if (integration_ != Integration::kFugueMax || !op.origin_left.has_value() || !op.origin_right.has_value()) return true;
  return Locate(op).in_order;
}

bool Sequence::Ready(const DeleteOp& op) const {
  for (const DeleteRange& range : op.ranges) {
    if (range.first.counter > UINT64_MAX - range.length) return false;
    const std::optional<uint32_t> agent = AgentIndex(range.first.agent);
    if (range.length > 0 && (!agent.has_value() || tree_.CountPresent(*agent, range.first.counter, range.length) != range.length)) {
      return false;
    }
  }
  return true;
}

absl::Status Sequence::Apply(const InsertOp& op) {
  const uint64_t length = op.text.size();
  if (length == 0) return absl::InvalidArgumentError("empty insert");
  if (length > UINT32_MAX) return absl::InvalidArgumentError("insert longer than 2^32 - 1 characters");
  if (op.id.counter > UINT64_MAX - length || op.lamport > UINT64_MAX - length) {
    return absl::InvalidArgumentError("insert counter overflows");
  }
  const std::optional<uint32_t> agent = AgentIndex(op.id.agent);
  const uint64_t present = agent.has_value() ? tree_.CountPresent(*agent, op.id.counter, length) : 0;
  if (present == length) return absl::OkStatus();  // a duplicate
  if (present != 0) return absl::InvalidArgumentError("insert overlaps items already present in part");
  // A forged pair of origins the other way round would put the run after
  // its own right origin (found by the engine_session fuzz target).
  const Origins origins = Locate(op);
  if (!origins.in_order) return absl::InvalidArgumentError("insert's origin_right is not after its origin_left");
  if (origins.missing) return absl::FailedPreconditionError("insert refers to items not yet received");
  for (const auto& origin : {op.origin_left, op.origin_right}) {
    if (origin.has_value() && origin->agent == op.id.agent && origin->counter >= op.id.counter &&
        origin->counter - op.id.counter < length) {
      return absl::InvalidArgumentError("insert is its own origin");
    }
  }
  if (!content_.HasRoomFor(length)) return absl::ResourceExhaustedError("document holds 2^32 - 1 characters");

  const std::optional<Cursor>& left_at = origins.left;
  if (left_at.has_value() && tree_.RunOf(*left_at).deleted) ++counts_.insert_after_tombstone;
  const std::optional<Cursor> after = PlaceAfter(op, left_at);
  Run run;
  run.agent = Intern(op.id.agent);
  run.counter = op.id.counter;
  run.lamport = op.lamport;
  if (op.origin_left.has_value()) {
    run.left_agent = *AgentIndex(op.origin_left->agent);
    run.left_counter = op.origin_left->counter;
  }
  if (op.origin_right.has_value()) {
    run.right_agent = *AgentIndex(op.origin_right->agent);
    run.right_counter = op.origin_right->counter;
  }
  run.length = static_cast<uint32_t>(length);
  run.content = content_.Append(op.text);
  tree_.InsertAfter(after, run);
  max_lamport_ = std::max(max_lamport_, op.lamport + length - 1);
  return absl::OkStatus();
}

absl::Status Sequence::Apply(const DeleteOp& op) {
  for (const DeleteRange& range : op.ranges) {
    if (range.first.counter > UINT64_MAX - range.length) return absl::InvalidArgumentError("delete range overflows");
  }
  if (!Ready(op)) return absl::FailedPreconditionError("delete refers to items not yet received");
  for (const DeleteRange& range : op.ranges) {
    if (range.length == 0) continue;
    counts_.deleted_twice += tree_.MarkDeleted(*AgentIndex(range.first.agent), range.first.counter, range.length);
  }
  return absl::OkStatus();
}

std::optional<ItemId> Sequence::AnchorAt(uint64_t position) const {
  COLLABSIM_CHECK(position <= VisibleLength());
  if (position == 0) return std::nullopt;
  return IdAt(tree_.AtVisible(position - 1));
}

uint64_t Sequence::Resolve(const std::optional<ItemId>& anchor) const {
  if (!anchor.has_value()) return 0;
  const std::optional<Cursor> at = Find(*anchor);
  COLLABSIM_CHECK(at.has_value());
  return tree_.VisibleBefore(*at) + (tree_.RunOf(*at).deleted ? 0 : 1);
}

std::u32string Sequence::Text() const { return Slice(0, VisibleLength()); }

std::u32string Sequence::Slice(uint64_t from, uint64_t count) const {
  std::u32string out;
  if (from >= VisibleLength()) return out;
  count = std::min(count, VisibleLength() - from);
  out.reserve(count);
  for (std::optional<Cursor> at = tree_.AtVisible(from); at.has_value() && out.size() < count;
       at = tree_.NextRun(*at)) {
    const Run& run = tree_.RunOf(*at);
    if (run.deleted) continue;
    const uint64_t n = std::min<uint64_t>(run.length - at->offset, count - out.size());
    content_.CopyTo(run.content + at->offset, n, &out);
  }
  return out;
}

uint64_t Sequence::ContentBytes() const { return content_.Bytes(); }
uint64_t Sequence::TombstoneBytes() const { return tree_.deleted_runs() * sizeof(Run); }
uint64_t Sequence::MetadataBytes() const {
  const uint64_t structure = tree_.LeafBytes() + tree_.InnerBytes() + tree_.IndexBytes() +
                             agents_.capacity() * sizeof(uint64_t) +
                             agent_ids_.capacity() * (sizeof(uint64_t) + sizeof(uint32_t) + 1);
  return structure - TombstoneBytes();
}

void Sequence::CheckCounts() const {
  COLLABSIM_CHECK(agents_.size() == agent_ids_.size());
  tree_.CheckCounts();
}

void Sequence::CheckInvariants() const {
  tree_.CheckInvariants();
  COLLABSIM_CHECK(agents_.size() == agent_ids_.size());
  for (uint32_t a = 0; a < agents_.size(); ++a) COLLABSIM_CHECK(agent_ids_.at(agents_[a]) == a);
  for (std::optional<Cursor> at = tree_.First(); at.has_value(); at = tree_.NextRun(*at)) {
    const Run& run = tree_.RunOf(*at);
    const auto start = static_cast<int64_t>(tree_.TotalBefore(*at));
    if (run.left_agent != kNoAgent) COLLABSIM_CHECK(OriginPosition(run.left_agent, run.left_counter) < start);
    if (run.right_agent != kNoAgent && integration_ == Integration::kFugueMax) {
      COLLABSIM_CHECK(OriginPosition(run.right_agent, run.right_counter) >= start + run.length);
    }
    COLLABSIM_CHECK(run.deleted || run.content + uint64_t{run.length} <= content_.size());
  }
}

}  // namespace collabsim::crdt
