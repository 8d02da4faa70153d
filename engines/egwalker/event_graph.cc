#include "engines/egwalker/event_graph.h"

#include <algorithm>
#include <queue>

#include "absl/container/flat_hash_set.h"
#include "engines/common/check.h"

namespace collabsim::egwalker {
namespace {

// Which side of a two-version walk an event was reached from.
enum Side : uint8_t { kSideA = 1, kSideB = 2, kShared = kSideA | kSideB };

struct Reached {
  Lv lv = 0;
  uint8_t side = 0;
  bool operator<(const Reached& other) const { return lv < other.lv; }
};

void Reverse(std::vector<LvSpan>* spans) {
  std::reverse(spans->begin(), spans->end());
  // Adjacent spans reached separately are one range.
  std::vector<LvSpan> merged;
  for (const LvSpan& span : *spans) {
    if (!merged.empty() && merged.back().end == span.start) {
      merged.back().end = span.end;
    } else {
      merged.push_back(span);
    }
  }
  *spans = std::move(merged);
}

}  // namespace

uint32_t EventGraph::InternAgent(uint64_t agent_key) {
  auto [it, inserted] = agent_by_key_.try_emplace(agent_key, static_cast<uint32_t>(agent_keys_.size()));
  if (inserted) {
    agent_keys_.push_back(agent_key);
    seq_runs_.emplace_back();
  }
  return it->second;
}

std::optional<uint32_t> EventGraph::FindAgent(uint64_t agent_key) const {
  auto it = agent_by_key_.find(agent_key);
  if (it == agent_by_key_.end()) return std::nullopt;
  return it->second;
}

LvSpan EventGraph::Add(uint32_t agent, uint64_t seq, uint64_t count, const Frontier& parents) {
  COLLABSIM_CHECK(count > 0 && agent < agent_keys_.size());
  COLLABSIM_CHECK(std::is_sorted(parents.begin(), parents.end()));
  COLLABSIM_CHECK(parents.empty() || parents.back() < size());
  const Lv start = size();
  const LvSpan span{start, start + count};
  const bool continues = !entries_.empty() && entries_.back().agent == agent &&
                         entries_.back().seq + entries_.back().end - entries_.back().start == seq &&
                         parents.size() == 1 && parents[0] == start - 1;
  if (continues) {
    entries_.back().end = span.end;
  } else {
    entries_.push_back(Entry{start, span.end, agent, seq, parents});
  }
  auto& runs = seq_runs_[agent];
  auto next = runs.lower_bound(seq);
  COLLABSIM_CHECK(next == runs.end() || next->first >= seq + count);
  if (next != runs.begin()) {
    auto before = std::prev(next);
    COLLABSIM_CHECK(before->first + before->second.count <= seq);
    if (before->first + before->second.count == seq && before->second.lv + before->second.count == start) {
      before->second.count += count;
    } else {
      runs.emplace(seq, SeqRun{start, count});
    }
  } else {
    runs.emplace(seq, SeqRun{start, count});
  }
  Frontier frontier;
  for (Lv lv : frontier_) {
    if (!std::binary_search(parents.begin(), parents.end(), lv)) frontier.push_back(lv);
  }
  frontier.push_back(span.end - 1);  // the largest LV, so the frontier stays sorted
  frontier_ = std::move(frontier);
  return span;
}

void EventGraph::TruncateTo(Lv lv, uint32_t agent_count, const Frontier& frontier_before) {
  COLLABSIM_CHECK(lv <= size() && agent_count <= agent_keys_.size());
  while (agent_keys_.size() > agent_count) {
    agent_by_key_.erase(agent_keys_.back());
    agent_keys_.pop_back();
    seq_runs_.pop_back();
  }
  while (!entries_.empty() && entries_.back().start >= lv) entries_.pop_back();
  if (!entries_.empty() && entries_.back().end > lv) entries_.back().end = lv;
  for (auto& runs : seq_runs_) {
    for (auto it = runs.begin(); it != runs.end();) {
      if (it->second.lv >= lv) {
        it = runs.erase(it);
        continue;
      }
      it->second.count = std::min(it->second.count, lv - it->second.lv);
      ++it;
    }
  }
  frontier_ = frontier_before;
}

const EventGraph::Entry& EventGraph::EntryAt(Lv lv) const {
  COLLABSIM_CHECK(lv < size());
  // Walks look runs up near the one before, so try that one and its
  // neighbours before searching.
  for (size_t near : {last_entry_, last_entry_ + 1, last_entry_ - 1}) {
    if (near < entries_.size() && entries_[near].start <= lv && lv < entries_[near].end) {
      last_entry_ = near;
      return entries_[near];
    }
  }
  auto it = std::upper_bound(entries_.begin(), entries_.end(), lv,
                             [](Lv value, const Entry& entry) { return value < entry.start; });
  last_entry_ = static_cast<size_t>(std::prev(it) - entries_.begin());
  return *std::prev(it);
}

Frontier EventGraph::ParentsOf(Lv lv) const {
  const Entry& entry = EntryAt(lv);
  if (lv == entry.start) return entry.parents;
  return Frontier{lv - 1};
}

EventId EventGraph::IdOf(Lv lv) const {
  const Entry& entry = EntryAt(lv);
  return EventId{entry.agent, entry.seq + (lv - entry.start)};
}

std::optional<Lv> EventGraph::LvOf(EventId id) const {
  if (id.agent >= seq_runs_.size()) return std::nullopt;
  const auto& runs = seq_runs_[id.agent];
  auto it = runs.upper_bound(id.seq);
  if (it == runs.begin()) return std::nullopt;
  --it;
  if (id.seq - it->first >= it->second.count) return std::nullopt;
  return it->second.lv + (id.seq - it->first);
}

std::vector<LvSpan> EventGraph::SpansOf(uint32_t agent, uint64_t seq, uint64_t seq_end) const {
  std::vector<LvSpan> spans;
  while (seq < seq_end) {
    const std::optional<Lv> lv = LvOf(EventId{agent, seq});
    COLLABSIM_CHECK(lv.has_value());
    const auto& run = *std::prev(seq_runs_[agent].upper_bound(seq));
    const uint64_t count = std::min(seq_end - seq, run.first + run.second.count - seq);
    spans.push_back(LvSpan{*lv, *lv + count});
    seq += count;
  }
  std::sort(spans.begin(), spans.end(), [](const LvSpan& a, const LvSpan& b) { return a.start < b.start; });
  return spans;
}

uint64_t EventGraph::KnownFrom(uint32_t agent, uint64_t seq) const {
  if (agent >= seq_runs_.size()) return 0;
  const auto& runs = seq_runs_[agent];
  auto it = runs.upper_bound(seq);
  if (it == runs.begin()) return 0;
  --it;
  const uint64_t end = it->first + it->second.count;
  return seq < end ? end - seq : 0;
}

bool EventGraph::KnowsAnyOf(uint32_t agent, uint64_t seq, uint64_t count) const {
  if (agent >= seq_runs_.size() || count == 0) return false;
  const auto& runs = seq_runs_[agent];
  auto next = runs.lower_bound(seq);
  if (next != runs.end() && next->first < seq + count) return true;
  if (next == runs.begin()) return false;
  const auto& before = *std::prev(next);
  return before.first + before.second.count > seq;
}

uint64_t EventGraph::NextSeq(uint32_t agent) const {
  if (agent >= seq_runs_.size() || seq_runs_[agent].empty()) return 0;
  const auto& last = *seq_runs_[agent].rbegin();
  return last.first + last.second.count;
}

Lv EventGraph::RunEnd(Lv lv) const { return EntryAt(lv).end; }

bool EventGraph::Contains(const Frontier& frontier, Lv lv) const {
  std::priority_queue<Lv> heap(frontier.begin(), frontier.end());
  while (!heap.empty()) {
    const Lv top = heap.top();
    heap.pop();
    while (!heap.empty() && heap.top() == top) heap.pop();
    if (top < lv) return false;
    const Entry& entry = EntryAt(top);
    if (entry.start <= lv) return true;
    for (Lv parent : entry.parents) heap.push(parent);
  }
  return false;
}

Frontier EventGraph::Reduce(std::vector<Lv> lvs) const {
  std::sort(lvs.begin(), lvs.end(), std::greater<Lv>());
  lvs.erase(std::unique(lvs.begin(), lvs.end()), lvs.end());
  Frontier result;
  // Descending: a later LV is never an ancestor of an earlier one.
  for (Lv lv : lvs) {
    if (!Contains(result, lv)) result.push_back(lv);
  }
  std::sort(result.begin(), result.end());
  return result;
}

template <typename Visit, typename Stop>
void EventGraph::WalkBack(const Frontier& a, const Frontier& b, Visit visit, Stop stop) const {
  // A max-heap by LV in storage kept between calls (walks are many and short).
  struct Heap {
    std::vector<std::pair<Lv, uint8_t>>& items;
    bool empty() const { return items.empty(); }
    size_t size() const { return items.size(); }
    Reached top() const { return Reached{items.front().first, items.front().second}; }
    void push(Reached item) {
      items.emplace_back(item.lv, item.side);
      std::push_heap(items.begin(), items.end());
    }
    void pop() {
      std::pop_heap(items.begin(), items.end());
      items.pop_back();
    }
  } heap{walk_heap_};
  walk_heap_.clear();
  size_t unshared = 0;  // entries of the heap reached from one side only
  auto push = [&](Lv lv, uint8_t side) {
    heap.push(Reached{lv, side});
    if (side != kShared) ++unshared;
  };
  auto pop = [&] {
    Reached top = heap.top();
    heap.pop();
    if (top.side != kShared) --unshared;
    return top;
  };
  for (Lv lv : a) push(lv, kSideA);
  for (Lv lv : b) push(lv, kSideB);
  while (!heap.empty()) {
    Reached item = pop();
    while (!heap.empty() && heap.top().lv == item.lv) item.side |= pop().side;
    if (stop(item.lv, item.side == kShared, heap.empty(), unshared)) return;
    const Entry& entry = EntryAt(item.lv);
    if (!heap.empty() && heap.top().lv >= entry.start) {
      // Another walk reaches into this run lower down: go as far as it and
      // let the two meet there.
      const Lv meet = heap.top().lv;
      visit(LvSpan{meet + 1, item.lv + 1}, item.side, false);
      push(meet, item.side);
    } else {
      visit(LvSpan{entry.start, item.lv + 1}, item.side, entry.parents.empty());
      for (Lv parent : entry.parents) push(parent, item.side);
    }
  }
}

EventGraph::Difference EventGraph::Diff(const Frontier& a, const Frontier& b) const {
  Difference difference;
  WalkBack(
      a, b,
      [&](LvSpan span, uint8_t side, bool) {
        if (side == kSideA) difference.only_a.push_back(span);
        if (side == kSideB) difference.only_b.push_back(span);
      },
      [](Lv, bool shared, bool, size_t unshared) { return shared && unshared == 0; });
  Reverse(&difference.only_a);
  Reverse(&difference.only_b);
  return difference;
}

EventGraph::Conflict EventGraph::FindConflicting(const Frontier& from, const Frontier& to) const {
  Conflict conflict;
  bool reached_root = false;  // then only the root is a base
  WalkBack(
      from, to,
      [&](LvSpan span, uint8_t, bool to_root) {
        conflict.spans.push_back(span);
        reached_root |= to_root;
      },
      [&](Lv lv, bool shared, bool last, size_t) {
        // One shared event left: every path back from the events walked
        // so far passed through it.
        if (shared && last && !reached_root) conflict.base = lv;
        return conflict.base.has_value();
      });
  Reverse(&conflict.spans);
  return conflict;
}

uint64_t EventGraph::MemoryBytes() const {
  uint64_t bytes = entries_.capacity() * sizeof(Entry) + agent_keys_.capacity() * sizeof(uint64_t) +
                   agent_by_key_.capacity() * (sizeof(uint64_t) + sizeof(uint32_t));
  for (const Entry& entry : entries_) {
    if (entry.parents.capacity() > 2) bytes += entry.parents.capacity() * sizeof(Lv);  // beyond the inline two
  }
  for (const auto& runs : seq_runs_) bytes += runs.size() * (sizeof(uint64_t) + sizeof(SeqRun));
  return bytes;
}

void EventGraph::CheckInvariants() const {
  Lv next = 0;
  absl::flat_hash_set<Lv> parents_seen;
  for (const Entry& entry : entries_) {
    COLLABSIM_CHECK(entry.start == next && entry.end > entry.start);
    COLLABSIM_CHECK(std::is_sorted(entry.parents.begin(), entry.parents.end()));
    COLLABSIM_CHECK(entry.parents.empty() || entry.parents.back() < entry.start);
    for (Lv parent : entry.parents) parents_seen.insert(parent);
    for (Lv lv : {entry.start, entry.end - 1}) {
      const EventId id = IdOf(lv);
      COLLABSIM_CHECK(LvOf(id) == lv);
    }
    next = entry.end;
  }
  Frontier expected;
  for (const Entry& entry : entries_) {
    if (!parents_seen.contains(entry.end - 1)) expected.push_back(entry.end - 1);
  }
  COLLABSIM_CHECK(expected == frontier_);
}

}  // namespace collabsim::egwalker
