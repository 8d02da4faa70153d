// Integration rules and the blocked item list (see sequence.h).
#include "engines/crdt/sequence.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"

namespace collabsim::crdt {

Sequence::Sequence(Integration integration) : integration_(integration) {
  blocks_.push_back(std::make_unique<Block>());
  block_start_.push_back(0);
}

Sequence::~Sequence() = default;

void Sequence::Renumber() {
  block_start_.resize(blocks_.size());
  uint64_t start = 0;
  for (size_t b = 0; b < blocks_.size(); ++b) {
    blocks_[b]->ordinal = b;
    block_start_[b] = start;
    start += blocks_[b]->handles.size();
  }
}

int64_t Sequence::PositionOf(uint32_t handle) const {
  const Block* block = items_[handle].block;
  const auto& handles = block->handles;
  const auto offset = std::find(handles.begin(), handles.end(), handle) - handles.begin();
  return static_cast<int64_t>(block_start_[block->ordinal]) + offset;
}

int64_t Sequence::LeftPosition(const std::optional<ItemId>& id) const {
  return id.has_value() ? PositionOf(index_.at(*id)) : -1;
}

int64_t Sequence::RightPosition(const std::optional<ItemId>& id) const {
  return id.has_value() ? PositionOf(index_.at(*id)) : static_cast<int64_t>(items_.size());
}

std::pair<size_t, size_t> Sequence::Locate(uint64_t position) const {
  const auto it = std::upper_bound(block_start_.begin(), block_start_.end(), position);
  const size_t b = static_cast<size_t>(it - block_start_.begin()) - 1;
  return {b, static_cast<size_t>(position - block_start_[b])};
}

uint32_t Sequence::HandleAt(uint64_t position) const {
  const auto [b, offset] = Locate(position);
  return blocks_[b]->handles[offset];
}

uint64_t Sequence::FullPositionOfVisible(uint64_t visible_index) const {
  uint64_t seen = 0;
  for (size_t b = 0; b < blocks_.size(); ++b) {
    const Block& block = *blocks_[b];
    if (seen + block.visible <= visible_index) {
      seen += block.visible;
      continue;
    }
    for (size_t k = 0; k < block.handles.size(); ++k) {
      if (items_[block.handles[k]].deleted) continue;
      if (seen == visible_index) return block_start_[b] + k;
      ++seen;
    }
  }
  COLLABSIM_CHECK(false);  // REQUIRES: visible_index < VisibleLength()
  return 0;
}

int64_t Sequence::Destination(const Item& item) {
  const int64_t left = LeftPosition(item.origin_left);
  const auto end = static_cast<int64_t>(items_.size());
  if (integration_ == Integration::kRga) {
    int64_t i = left + 1;
    for (; i < end; ++i) {
      const Item& other = items_[HandleAt(static_cast<uint64_t>(i))];
      const int64_t other_left = LeftPosition(other.origin_left);
      if (other_left < left) break;  // past the parent's subtree
      if (other_left == left) ++counts_.concurrent_siblings;
      if (other_left == left &&
          std::tie(item.lamport, item.id.agent) > std::tie(other.lamport, other.id.agent)) {
        break;  // newer siblings go first
      }
    }
    return i;
  }
  // FugueMax (YjsMod): scan the items between the origins; items whose own
  // origins lie inside ours are concurrent inserts at the same place.
  const int64_t right = RightPosition(item.origin_right);
  int64_t destination = left + 1;
  bool scanning = false;
  for (int64_t i = left + 1;; ++i) {
    if (!scanning) destination = i;
    if (i >= right) break;
    const Item& other = items_[HandleAt(static_cast<uint64_t>(i))];
    const int64_t other_left = LeftPosition(other.origin_left);
    if (other_left < left) break;
    if (other_left == left) {
      ++counts_.concurrent_siblings;
      const int64_t other_right = RightPosition(other.origin_right);
      if (other_right < right) {
        scanning = true;  // other goes after us unless a later sibling says otherwise
        continue;
      }
      if (other_right == right && item.id.agent < other.id.agent) break;
      scanning = false;
      continue;
    }
    // other_left > left: inside an earlier sibling's run; keep going.
  }
  return destination;
}

void Sequence::InsertAt(int64_t position, uint32_t handle) {
  const auto p = static_cast<uint64_t>(position);
  size_t b = blocks_.size() - 1;
  size_t offset = blocks_[b]->handles.size();
  if (p < items_.size() - 1) std::tie(b, offset) = Locate(p);  // items_ already holds the new item
  Block& block = *blocks_[b];
  block.handles.insert(block.handles.begin() + static_cast<std::ptrdiff_t>(offset), handle);
  items_[handle].block = &block;
  if (!items_[handle].deleted) ++block.visible;
  if (block.handles.size() > kMaxBlock) {
    auto tail = std::make_unique<Block>();
    const auto half = static_cast<std::ptrdiff_t>(block.handles.size() / 2);
    tail->handles.assign(block.handles.begin() + half, block.handles.end());
    block.handles.erase(block.handles.begin() + half, block.handles.end());
    for (uint32_t moved : tail->handles) {
      items_[moved].block = tail.get();
      if (!items_[moved].deleted) {
        --block.visible;
        ++tail->visible;
      }
    }
    blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1, std::move(tail));
  }
  Renumber();
}

InsertOp Sequence::MakeInsert(uint64_t agent, uint64_t counter, uint64_t position, std::u32string text) const {
  COLLABSIM_CHECK(position <= visible_ && !text.empty());
  InsertOp op;
  op.id = ItemId{agent, counter};
  op.lamport = max_lamport_ + 1;
  op.text = std::move(text);
  // Just after the visible character before the cursor; tombstones after
  // it stay to the right of the new text.
  int64_t left = -1;
  if (position > 0) {
    left = static_cast<int64_t>(FullPositionOfVisible(position - 1));
    op.origin_left = items_[HandleAt(static_cast<uint64_t>(left))].id;
  }
  if (static_cast<uint64_t>(left + 1) < items_.size()) {
    op.origin_right = items_[HandleAt(static_cast<uint64_t>(left + 1))].id;
  }
  return op;
}

DeleteOp Sequence::MakeDelete(uint64_t position, uint64_t length) const {
  COLLABSIM_CHECK(position + length <= visible_);
  DeleteOp op;
  if (length == 0) return op;
  uint64_t full = FullPositionOfVisible(position);
  for (uint64_t taken = 0; taken < length; ++full) {
    const Item& item = items_[HandleAt(full)];
    if (item.deleted) continue;
    ++taken;
    if (!op.ranges.empty()) {
      DeleteRange& last = op.ranges.back();
      if (last.first.agent == item.id.agent && last.first.counter + last.length == item.id.counter) {
        ++last.length;
        continue;
      }
    }
    op.ranges.push_back(DeleteRange{item.id, 1});
  }
  return op;
}

bool Sequence::Ready(const InsertOp& op) const {
  return (!op.origin_left.has_value() || Contains(*op.origin_left)) &&
         (!op.origin_right.has_value() || Contains(*op.origin_right));
}

bool Sequence::Ready(const DeleteOp& op) const {
  for (const DeleteRange& range : op.ranges) {
    for (uint64_t k = 0; k < range.length; ++k) {
      if (!Contains(ItemId{range.first.agent, range.first.counter + k})) return false;
    }
  }
  return true;
}

absl::Status Sequence::Apply(const InsertOp& op) {
  if (op.text.empty()) return absl::InvalidArgumentError("empty insert");
  if (op.id.counter > UINT64_MAX - op.text.size() || op.lamport > UINT64_MAX - op.text.size()) {
    return absl::InvalidArgumentError("insert counter overflows");
  }
  size_t present = 0;
  for (size_t k = 0; k < op.text.size(); ++k) present += Contains(ItemId{op.id.agent, op.id.counter + k});
  if (present == op.text.size()) return absl::OkStatus();  // a duplicate
  if (present != 0) return absl::InvalidArgumentError("insert overlaps items already present in part");
  if (!Ready(op)) return absl::FailedPreconditionError("insert refers to items not yet received");
  if (op.origin_left.has_value() && op.origin_left->agent == op.id.agent &&
      op.origin_left->counter >= op.id.counter && op.origin_left->counter < op.id.counter + op.text.size()) {
    return absl::InvalidArgumentError("insert is its own origin");
  }
  if (op.origin_left.has_value() && items_[index_.at(*op.origin_left)].deleted) ++counts_.insert_after_tombstone;
  std::optional<ItemId> left = op.origin_left;
  for (size_t k = 0; k < op.text.size(); ++k) {
    Item item;
    item.id = ItemId{op.id.agent, op.id.counter + k};
    item.origin_left = left;
    item.origin_right = op.origin_right;
    item.lamport = op.lamport + k;
    item.ch = op.text[k];
    const int64_t destination = Destination(item);
    const auto handle = static_cast<uint32_t>(items_.size());
    items_.push_back(item);
    index_.emplace(item.id, handle);
    InsertAt(destination, handle);
    ++visible_;
    max_lamport_ = std::max(max_lamport_, item.lamport);
    left = item.id;
  }
  return absl::OkStatus();
}

absl::Status Sequence::Apply(const DeleteOp& op) {
  if (!Ready(op)) return absl::FailedPreconditionError("delete refers to items not yet received");
  for (const DeleteRange& range : op.ranges) {
    for (uint64_t k = 0; k < range.length; ++k) {
      Item& item = items_[index_.at(ItemId{range.first.agent, range.first.counter + k})];
      if (item.deleted) {
        ++counts_.deleted_twice;
        continue;
      }
      item.deleted = true;
      --item.block->visible;
      --visible_;
    }
  }
  return absl::OkStatus();
}

std::optional<ItemId> Sequence::AnchorAt(uint64_t position) const {
  COLLABSIM_CHECK(position <= visible_);
  if (position == 0) return std::nullopt;
  return items_[HandleAt(FullPositionOfVisible(position - 1))].id;
}

uint64_t Sequence::Resolve(const std::optional<ItemId>& anchor) const {
  if (!anchor.has_value()) return 0;
  const uint32_t handle = index_.at(*anchor);
  const Block* block = items_[handle].block;
  uint64_t visible = 0;
  for (size_t b = 0; b < block->ordinal; ++b) visible += blocks_[b]->visible;
  for (uint32_t other : block->handles) {
    visible += !items_[other].deleted;
    if (other == handle) break;
  }
  return visible;
}

std::u32string Sequence::Text() const { return Slice(0, visible_); }

std::u32string Sequence::Slice(uint64_t from, uint64_t count) const {
  std::u32string out;
  if (from >= visible_) return out;
  count = std::min(count, visible_ - from);
  out.reserve(count);
  uint64_t seen = 0;
  for (const auto& block : blocks_) {
    if (seen + block->visible <= from) {
      seen += block->visible;
      continue;
    }
    for (uint32_t handle : block->handles) {
      const Item& item = items_[handle];
      if (item.deleted) continue;
      if (seen++ >= from) out.push_back(item.ch);
      if (out.size() == count) return out;
    }
  }
  return out;
}

uint64_t Sequence::ContentBytes() const { return visible_ * sizeof(char32_t); }
uint64_t Sequence::MetadataBytes() const {
  return visible_ * (sizeof(Item) - sizeof(char32_t) + sizeof(uint32_t) * 2) + blocks_.size() * sizeof(Block);
}
uint64_t Sequence::TombstoneBytes() const { return TombstoneCount() * (sizeof(Item) + sizeof(uint32_t) * 2); }

void Sequence::CheckInvariants() const {
  uint64_t total = 0, visible = 0;
  for (size_t b = 0; b < blocks_.size(); ++b) {
    const Block& block = *blocks_[b];
    COLLABSIM_CHECK(block.ordinal == b && block_start_[b] == total);
    COLLABSIM_CHECK(block.handles.size() <= kMaxBlock);
    uint64_t block_visible = 0;
    for (uint32_t handle : block.handles) {
      const Item& item = items_[handle];
      COLLABSIM_CHECK(item.block == &block);
      COLLABSIM_CHECK(index_.at(item.id) == handle);
      block_visible += !item.deleted;
    }
    COLLABSIM_CHECK(block_visible == block.visible);
    total += block.handles.size();
    visible += block_visible;
  }
  COLLABSIM_CHECK(total == items_.size() && index_.size() == items_.size() && visible == visible_);
  for (uint32_t handle = 0; handle < items_.size(); ++handle) {
    const int64_t at = PositionOf(handle);
    COLLABSIM_CHECK(LeftPosition(items_[handle].origin_left) < at);
    if (integration_ == Integration::kFugueMax) COLLABSIM_CHECK(RightPosition(items_[handle].origin_right) > at);
  }
}

}  // namespace collabsim::crdt
