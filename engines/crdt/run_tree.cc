// The B-tree of runs and its id index (see run_tree.h). Inner-node counts
// are kept right by recomputing them along a leaf's path after every
// change (FixUp), which costs O(fanout * depth) and cannot drift.
#include "engines/crdt/run_tree.h"

#include <algorithm>
#include <iterator>

#include "engines/common/check.h"

namespace collabsim::crdt {

bool Run::ContinuesIds(const Run& next) const {
  return next.agent == agent && next.counter == counter + length && next.left_agent == agent &&
         next.left_counter == counter + length - 1 && next.right_agent == right_agent &&
         next.right_counter == right_counter && next.lamport == lamport + length && next.deleted == deleted;
}

bool Run::Continues(const Run& next) const { return ContinuesIds(next) && next.content == content + length; }

Run Run::SplitAt(uint32_t k) {
  COLLABSIM_CHECK(k > 0 && k < length);
  Run tail = *this;
  tail.counter += k;
  tail.lamport += k;
  tail.left_agent = agent;
  tail.left_counter = counter + k - 1;
  tail.length = length - k;
  tail.content += k;
  length = k;
  return tail;
}

RunTree::RunTree() {
  first_ = NewLeaf();
  root_ = first_;
}

RunTree::~RunTree() = default;

RunTree::Leaf* RunTree::NewLeaf() {
  leaves_.push_back(std::make_unique<Leaf>());
  return leaves_.back().get();
}

RunTree::Inner* RunTree::NewInner() {
  inners_.push_back(std::make_unique<Inner>());
  return inners_.back().get();
}

RunTree::Index& RunTree::IndexOf(uint32_t agent) {
  if (agent >= index_.size()) index_.resize(agent + 1);
  return index_[agent];
}

uint64_t RunTree::IndexBytes() const {
  // absl::btree_map nodes hold up to ~15 pairs of 16 bytes; assume them
  // two-thirds full.
  uint64_t entries = 0;
  for (const Index& index : index_) entries += index.size();
  return index_.capacity() * sizeof(Index) + entries * sizeof(Index::value_type) * 3 / 2;
}

std::optional<RunTree::Cursor> RunTree::Find(uint32_t agent, uint64_t counter) const {
  if (agent >= index_.size()) return std::nullopt;
  const Index& index = index_[agent];
  auto it = index.upper_bound(counter);
  if (it == index.begin()) return std::nullopt;
  Leaf* leaf = std::prev(it)->second;
  for (uint32_t i = 0; i < leaf->size; ++i) {
    const Run& run = leaf->runs[i];
    if (run.Holds(agent, counter)) return Cursor{leaf, i, static_cast<uint32_t>(counter - run.counter)};
  }
  return std::nullopt;
}

uint64_t RunTree::CountPresent(uint32_t agent, uint64_t counter, uint64_t length) const {
  if (agent >= index_.size() || length == 0) return 0;
  const Index& index = index_[agent];
  const uint64_t end = counter + length;  // REQUIRES: no overflow
  auto it = index.upper_bound(counter);
  if (it != index.begin()) --it;
  std::vector<const Leaf*> seen;
  uint64_t present = 0;
  for (; it != index.end() && it->first < end; ++it) {
    const Leaf* leaf = it->second;
    if (std::find(seen.begin(), seen.end(), leaf) != seen.end()) continue;
    seen.push_back(leaf);
    for (uint32_t i = 0; i < leaf->size; ++i) {
      const Run& run = leaf->runs[i];
      if (run.agent != agent) continue;
      const uint64_t lo = std::max(run.counter, counter);
      const uint64_t hi = std::min(run.counter + run.length, end);
      if (hi > lo) present += hi - lo;
    }
  }
  return present;
}

uint32_t RunTree::ChildIndex(const Inner* parent, const void* child) {
  for (uint32_t i = 0; i < parent->size; ++i) {
    if (parent->children[i] == child) return i;
  }
  COLLABSIM_CHECK(false);  // a child is always among its parent's children
  return 0;
}

uint64_t RunTree::TotalBefore(const Cursor& c) const {
  uint64_t n = c.offset;
  for (uint32_t i = 0; i < c.run; ++i) n += c.leaf->runs[i].length;
  const void* child = c.leaf;
  for (const Inner* p = c.leaf->parent; p != nullptr; child = p, p = p->parent) {
    const uint32_t at = ChildIndex(p, child);
    for (uint32_t i = 0; i < at; ++i) n += p->total[i];
  }
  return n;
}

uint64_t RunTree::VisibleBefore(const Cursor& c) const {
  uint64_t n = c.leaf->runs[c.run].deleted ? 0 : c.offset;
  for (uint32_t i = 0; i < c.run; ++i) n += c.leaf->runs[i].visible();
  const void* child = c.leaf;
  for (const Inner* p = c.leaf->parent; p != nullptr; child = p, p = p->parent) {
    const uint32_t at = ChildIndex(p, child);
    for (uint32_t i = 0; i < at; ++i) n += p->visible[i];
  }
  return n;
}

RunTree::Cursor RunTree::AtTotal(uint64_t position) const {
  COLLABSIM_CHECK(position < total_);
  const void* node = root_;
  for (bool leaf = root_is_leaf_; !leaf;) {
    const auto* inner = static_cast<const Inner*>(node);
    uint32_t j = 0;
    while (j + 1 < inner->size && position >= inner->total[j]) position -= inner->total[j++];
    leaf = inner->leaves;
    node = inner->children[j];
  }
  auto* leaf = static_cast<Leaf*>(const_cast<void*>(node));
  for (uint32_t i = 0; i < leaf->size; ++i) {
    if (position < leaf->runs[i].length) return Cursor{leaf, i, static_cast<uint32_t>(position)};
    position -= leaf->runs[i].length;
  }
  COLLABSIM_CHECK(false);  // counts disagree with the runs
  return {};
}

RunTree::Cursor RunTree::AtVisible(uint64_t position) const {
  COLLABSIM_CHECK(position < visible_);
  const void* node = root_;
  for (bool leaf = root_is_leaf_; !leaf;) {
    const auto* inner = static_cast<const Inner*>(node);
    uint32_t j = 0;
    while (j + 1 < inner->size && position >= inner->visible[j]) position -= inner->visible[j++];
    leaf = inner->leaves;
    node = inner->children[j];
  }
  auto* leaf = static_cast<Leaf*>(const_cast<void*>(node));
  for (uint32_t i = 0; i < leaf->size; ++i) {
    if (position < leaf->runs[i].visible()) return Cursor{leaf, i, static_cast<uint32_t>(position)};
    position -= leaf->runs[i].visible();
  }
  COLLABSIM_CHECK(false);  // counts disagree with the runs
  return {};
}

std::optional<RunTree::Cursor> RunTree::First() const {
  if (first_->size == 0) return std::nullopt;
  return Cursor{first_, 0, 0};
}

std::optional<RunTree::Cursor> RunTree::NextRun(const Cursor& c) const {
  if (c.run + 1 < c.leaf->size) return Cursor{c.leaf, c.run + 1, 0};
  if (c.leaf->next == nullptr) return std::nullopt;
  return Cursor{c.leaf->next, 0, 0};
}

std::optional<RunTree::Cursor> RunTree::Next(const Cursor& c) const {
  if (c.offset + 1 < c.leaf->runs[c.run].length) return Cursor{c.leaf, c.run, c.offset + 1};
  return NextRun(c);
}

void RunTree::Assign(const Run& run, Leaf* leaf) {
  Index& index = IndexOf(run.agent);
  const uint64_t lo = run.counter;
  const uint64_t hi = run.counter + run.length;
  // Usually [lo, hi) already lies inside one entry for this leaf (typing on
  // in the same place): nothing to do.
  if (auto it = index.upper_bound(lo); it != index.begin() && std::prev(it)->second == leaf &&
                                        (it == index.end() || it->first >= hi)) {
    return;
  }
  Leaf* owner_of_hi = nullptr;
  if (auto it = index.upper_bound(hi); it != index.begin()) owner_of_hi = std::prev(it)->second;
  index.erase(index.lower_bound(lo), index.upper_bound(hi));
  auto next = index.lower_bound(lo);
  const bool covered = next != index.begin() && std::prev(next)->second == leaf;
  if (!covered) index.emplace_hint(next, lo, leaf);
  if (owner_of_hi != nullptr && owner_of_hi != leaf) index.emplace(hi, owner_of_hi);
}

void RunTree::FixUp(void* node, bool is_leaf) {
  uint64_t visible = 0, total = 0;
  Inner* parent = nullptr;
  if (is_leaf) {
    const auto* leaf = static_cast<const Leaf*>(node);
    for (uint32_t i = 0; i < leaf->size; ++i) {
      visible += leaf->runs[i].visible();
      total += leaf->runs[i].length;
    }
    parent = leaf->parent;
  } else {
    const auto* inner = static_cast<const Inner*>(node);
    for (uint32_t i = 0; i < inner->size; ++i) {
      visible += inner->visible[i];
      total += inner->total[i];
    }
    parent = inner->parent;
  }
  for (const void* child = node; parent != nullptr; child = parent, parent = parent->parent) {
    const uint32_t at = ChildIndex(parent, child);
    parent->visible[at] = visible;
    parent->total[at] = total;
    visible = total = 0;
    for (uint32_t i = 0; i < parent->size; ++i) {
      visible += parent->visible[i];
      total += parent->total[i];
    }
  }
  visible_ = visible;
  total_ = total;
}

void RunTree::InsertChild(Inner* parent, void* after, void* child, bool leaves) {
  auto set_parent = [leaves](void* node, Inner* p) {
    if (leaves) {
      static_cast<Leaf*>(node)->parent = p;
    } else {
      static_cast<Inner*>(node)->parent = p;
    }
  };
  if (parent == nullptr) {  // `after` was the root
    Inner* root = NewInner();
    root->leaves = leaves;
    root->size = 2;
    root->children[0] = after;
    root->children[1] = child;
    set_parent(after, root);
    set_parent(child, root);
    root_ = root;
    root_is_leaf_ = false;
    FixUp(after, leaves);
    FixUp(child, leaves);
    return;
  }
  const uint32_t at = ChildIndex(parent, after) + 1;
  if (parent->size < kFanout) {
    for (uint32_t i = parent->size; i > at; --i) {
      parent->children[i] = parent->children[i - 1];
      parent->visible[i] = parent->visible[i - 1];
      parent->total[i] = parent->total[i - 1];
    }
    parent->children[at] = child;
    parent->visible[at] = parent->total[at] = 0;
    ++parent->size;
    set_parent(child, parent);
    FixUp(child, leaves);
    return;
  }
  // Split the full parent: the first half stays, the rest moves to a sibling.
  std::array<void*, kFanout + 1> children;
  std::array<uint64_t, kFanout + 1> visible, total;
  for (uint32_t i = 0, j = 0; i <= kFanout; ++i) {
    if (i == at) {
      children[i] = child;
      visible[i] = total[i] = 0;
      continue;
    }
    children[i] = parent->children[j];
    visible[i] = parent->visible[j];
    total[i] = parent->total[j];
    ++j;
  }
  Inner* sibling = NewInner();
  sibling->leaves = leaves;
  constexpr uint32_t kKeep = (kFanout + 1) / 2;
  parent->size = kKeep;
  sibling->size = kFanout + 1 - kKeep;
  for (uint32_t i = 0; i <= kFanout; ++i) {
    Inner* owner = i < kKeep ? parent : sibling;
    const uint32_t slot = i < kKeep ? i : i - kKeep;
    owner->children[slot] = children[i];
    owner->visible[slot] = visible[i];
    owner->total[slot] = total[i];
    set_parent(children[i], owner);
  }
  InsertChild(parent->parent, parent, sibling, false);
  FixUp(parent, false);
  FixUp(sibling, false);
  FixUp(child, leaves);
}

std::pair<RunTree::Leaf*, uint32_t> RunTree::MakeRoom(Leaf* leaf, uint32_t gap, uint32_t slots) {
  COLLABSIM_CHECK(gap <= leaf->size && slots < kLeafRuns / 2);
  if (leaf->size + slots <= kLeafRuns) return {leaf, gap};
  // Typing at the end of the document keeps the full leaf full.
  const uint32_t mid = (gap == leaf->size && leaf->next == nullptr) ? leaf->size - 1 : leaf->size / 2;
  Leaf* right = NewLeaf();
  right->size = leaf->size - mid;
  for (uint32_t i = mid; i < leaf->size; ++i) {
    right->runs[i - mid] = leaf->runs[i];
    Assign(leaf->runs[i], right);
  }
  leaf->size = mid;
  right->next = leaf->next;
  if (right->next != nullptr) right->next->prev = right;
  right->prev = leaf;
  leaf->next = right;
  InsertChild(leaf->parent, leaf, right, true);
  FixUp(leaf, true);
  FixUp(right, true);
  if (gap <= mid) return {leaf, gap};
  return {right, gap - mid};
}

void RunTree::PlaceAt(Leaf* leaf, uint32_t gap, const Run& run) {
  COLLABSIM_CHECK(leaf->size < kLeafRuns && gap <= leaf->size && run.length > 0);
  for (uint32_t i = leaf->size; i > gap; --i) leaf->runs[i] = leaf->runs[i - 1];
  leaf->runs[gap] = run;
  ++leaf->size;
  ++runs_;
  deleted_runs_ += run.deleted;
}

void RunTree::RemoveRun(Leaf* leaf, uint32_t i) {
  deleted_runs_ -= leaf->runs[i].deleted;
  for (uint32_t k = i; k + 1 < leaf->size; ++k) leaf->runs[k] = leaf->runs[k + 1];
  --leaf->size;
  --runs_;
}

void RunTree::InsertAfter(const std::optional<Cursor>& after, const Run& run) {
  COLLABSIM_CHECK(run.length > 0);
  if (!after.has_value()) {
    auto [leaf, gap] = MakeRoom(first_, 0, 1);
    PlaceAt(leaf, gap, run);
    Assign(run, leaf);
    FixUp(leaf, true);
    return;
  }
  Run& before = after->leaf->runs[after->run];
  if (after->offset + 1 == before.length) {
    if (before.Continues(run)) {
      before.length += run.length;
      Assign(run, after->leaf);
      FixUp(after->leaf, true);
      return;
    }
    auto [leaf, gap] = MakeRoom(after->leaf, after->run + 1, 1);
    PlaceAt(leaf, gap, run);
    Assign(run, leaf);
    FixUp(leaf, true);
    return;
  }
  // Inside a run: split it around the new one.
  auto [leaf, gap] = MakeRoom(after->leaf, after->run + 1, 2);
  const Run tail = leaf->runs[gap - 1].SplitAt(after->offset + 1);
  PlaceAt(leaf, gap, tail);
  PlaceAt(leaf, gap, run);
  Assign(run, leaf);
  FixUp(leaf, true);
}

void RunTree::MergeAround(Leaf* leaf, uint32_t i) {
  if (i + 1 < leaf->size && leaf->runs[i].Continues(leaf->runs[i + 1])) {
    leaf->runs[i].length += leaf->runs[i + 1].length;
    RemoveRun(leaf, i + 1);
  }
  if (i > 0 && leaf->runs[i - 1].Continues(leaf->runs[i])) {
    leaf->runs[i - 1].length += leaf->runs[i].length;
    RemoveRun(leaf, i);
  }
}

uint64_t RunTree::MarkDeleted(uint32_t agent, uint64_t counter, uint64_t length) {
  uint64_t already = 0;
  while (length > 0) {
    const std::optional<Cursor> at = Find(agent, counter);
    COLLABSIM_CHECK(at.has_value());
    Leaf* leaf = at->leaf;
    uint32_t i = at->run;
    const Run& found = leaf->runs[i];
    const uint64_t taken = std::min<uint64_t>(length, found.length - at->offset);
    if (found.deleted) {
      already += taken;
    } else {
      if (at->offset > 0) {  // keep the part before the range visible
        std::tie(leaf, i) = MakeRoom(leaf, i + 1, 1);
        PlaceAt(leaf, i, leaf->runs[i - 1].SplitAt(at->offset));
      }
      if (taken < leaf->runs[i].length) {  // and the part after it
        uint32_t gap = 0;
        std::tie(leaf, gap) = MakeRoom(leaf, i + 1, 1);
        PlaceAt(leaf, gap, leaf->runs[gap - 1].SplitAt(static_cast<uint32_t>(taken)));
        i = gap - 1;
      }
      leaf->runs[i].deleted = true;
      ++deleted_runs_;
      MergeAround(leaf, i);
      FixUp(leaf, true);
    }
    counter += taken;
    length -= taken;
  }
  return already;
}

void RunTree::BulkLoad(const std::vector<Run>& runs) {
  COLLABSIM_CHECK(runs_ == 0 && total_ == 0);
  leaves_.clear();
  inners_.clear();
  index_.clear();
  constexpr uint32_t kLeafFill = kLeafRuns * 3 / 4;
  constexpr uint32_t kInnerFill = kFanout * 3 / 4;
  std::vector<void*> level;
  Leaf* previous = nullptr;
  for (size_t r = 0; r < runs.size() || level.empty(); r += kLeafFill) {
    Leaf* leaf = NewLeaf();
    leaf->prev = previous;
    if (previous != nullptr) previous->next = leaf;
    previous = leaf;
    for (size_t k = r; k < std::min(runs.size(), r + kLeafFill); ++k) {
      COLLABSIM_CHECK(runs[k].length > 0);
      leaf->runs[leaf->size++] = runs[k];
      Assign(runs[k], leaf);
    }
    level.push_back(leaf);
  }
  first_ = static_cast<Leaf*>(level.front());
  runs_ = runs.size();
  deleted_runs_ = static_cast<uint64_t>(std::count_if(runs.begin(), runs.end(), [](const Run& r) { return r.deleted; }));
  bool leaves = true;
  while (level.size() > 1) {
    std::vector<void*> up;
    for (size_t c = 0; c < level.size(); c += kInnerFill) {
      Inner* inner = NewInner();
      inner->leaves = leaves;
      for (size_t k = c; k < std::min(level.size(), c + kInnerFill); ++k) {
        inner->children[inner->size++] = level[k];
        if (leaves) {
          static_cast<Leaf*>(level[k])->parent = inner;
        } else {
          static_cast<Inner*>(level[k])->parent = inner;
        }
      }
      up.push_back(inner);
    }
    level = std::move(up);
    leaves = false;
  }
  root_ = level.front();
  root_is_leaf_ = leaves;
  for (Leaf* leaf = first_; leaf != nullptr; leaf = leaf->next) FixUp(leaf, true);
}

uint64_t RunTree::CheckNode(const void* node, bool is_leaf, const Inner* parent, uint64_t* visible,
                            std::vector<const Leaf*>* order) const {
  uint64_t total = 0;
  *visible = 0;
  if (is_leaf) {
    const auto* leaf = static_cast<const Leaf*>(node);
    COLLABSIM_CHECK(leaf->parent == parent);
    COLLABSIM_CHECK(leaf->size > 0 || (parent == nullptr && runs_ == 0));
    for (uint32_t i = 0; i < leaf->size; ++i) {
      const Run& run = leaf->runs[i];
      COLLABSIM_CHECK(run.length > 0);
      const auto first = Find(run.agent, run.counter);
      const auto last = Find(run.agent, run.counter + run.length - 1);
      COLLABSIM_CHECK(first.has_value() && first->leaf == leaf && first->run == i);
      COLLABSIM_CHECK(last.has_value() && last->leaf == leaf && last->run == i);
      *visible += run.visible();
      total += run.length;
    }
    order->push_back(leaf);
    return total;
  }
  const auto* inner = static_cast<const Inner*>(node);
  COLLABSIM_CHECK(inner->parent == parent && inner->size > 0 && inner->size <= kFanout);
  for (uint32_t i = 0; i < inner->size; ++i) {
    uint64_t child_visible = 0;
    const uint64_t child_total = CheckNode(inner->children[i], inner->leaves, inner, &child_visible, order);
    COLLABSIM_CHECK(inner->visible[i] == child_visible && inner->total[i] == child_total);
    *visible += child_visible;
    total += child_total;
  }
  return total;
}

void RunTree::CheckCounts() const {
  COLLABSIM_CHECK(visible_ <= total_ && first_ != nullptr && first_->prev == nullptr);
  if (root_is_leaf_) return;
  const auto* root = static_cast<const Inner*>(root_);
  uint64_t visible = 0, total = 0;
  for (uint32_t i = 0; i < root->size; ++i) {
    COLLABSIM_CHECK(root->visible[i] <= root->total[i]);
    visible += root->visible[i];
    total += root->total[i];
  }
  COLLABSIM_CHECK(root->parent == nullptr && visible == visible_ && total == total_);
}

void RunTree::CheckInvariants() const {
  uint64_t visible = 0;
  std::vector<const Leaf*> order;
  const uint64_t total = CheckNode(root_, root_is_leaf_, nullptr, &visible, &order);
  COLLABSIM_CHECK(total == total_ && visible == visible_);
  COLLABSIM_CHECK(order.size() == leaves_.size() && order.front() == first_);
  uint64_t runs = 0, deleted = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    COLLABSIM_CHECK(order[i]->prev == (i == 0 ? nullptr : order[i - 1]));
    COLLABSIM_CHECK(order[i]->next == (i + 1 == order.size() ? nullptr : order[i + 1]));
    runs += order[i]->size;
    for (uint32_t r = 0; r < order[i]->size; ++r) deleted += order[i]->runs[r].deleted;
  }
  COLLABSIM_CHECK(runs == runs_ && deleted == deleted_runs_);
}

}  // namespace collabsim::crdt
