// The Eg-walker engine's event graph: every edit event a replica knows, each
// numbered by a local version (LV) in an order where parents come first,
// with its id (agent, seq) and its parents. Events are stored in runs: a run
// is one agent's consecutive events, each the child of the one before, so a
// typed word is one entry however long it is. The graph answers the two
// questions a merge asks (Gentle & Kleppmann, EuroSys 2025, sections 3.3
// and 3.5): which events lie between two versions, and from which version a
// merge must start so that every event it replays descends from it.
//
// Invariants (CheckInvariants): runs are contiguous from LV 0; every parent
// is an earlier LV; each agent's seq ranges are disjoint and map back to
// their runs; the frontier is the set of events no other event descends from.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"

namespace collabsim::egwalker {

using Lv = uint64_t;

// A version: the events of it that no other event of it descends from,
// ascending. Empty is the root (the empty document before any event).
using Frontier = absl::InlinedVector<Lv, 2>;

// LVs [start, end).
struct LvSpan {
  Lv start = 0;
  Lv end = 0;
  uint64_t size() const { return end - start; }
};

// An event's global name: the agent that made it (interned, see
// EventGraph::InternAgent) and its number among that agent's events.
struct EventId {
  uint32_t agent = 0;
  uint64_t seq = 0;
  friend bool operator==(const EventId&, const EventId&) = default;
};

class EventGraph {
 public:
  // Agents are named by a key the caller chooses (a replica id, a trace's
  // agent number); concurrent inserts at one place are ordered by it.
  uint32_t InternAgent(uint64_t agent_key);
  uint64_t AgentKey(uint32_t agent) const { return agent_keys_.at(agent); }
  std::optional<uint32_t> FindAgent(uint64_t agent_key) const;
  uint32_t agent_count() const { return static_cast<uint32_t>(agent_keys_.size()); }

  Lv size() const { return entries_.empty() ? 0 : entries_.back().end; }
  const Frontier& frontier() const { return frontier_; }

  // Appends `count` events of `agent` numbered seq, seq + 1, ...: the first
  // has `parents`, each next one the event before it. Returns their LVs.
  // REQUIRES: count > 0; parents sorted, unique, each < size(); no event
  // of `agent` numbered in [seq, seq + count) yet.
  LvSpan Add(uint32_t agent, uint64_t seq, uint64_t count, const Frontier& parents);
  // Forgets every event from `lv` on and every agent from `agent_count` on
  // (a merge that failed validation). REQUIRES: lv <= size(); no event
  // before `lv` is by those agents; `frontier_before` is the frontier of
  // the events before `lv`.
  void TruncateTo(Lv lv, uint32_t agent_count, const Frontier& frontier_before);

  Frontier ParentsOf(Lv lv) const;
  EventId IdOf(Lv lv) const;
  std::optional<Lv> LvOf(EventId id) const;
  // The LVs of `agent`'s events numbered [seq, seq_end), ascending.
  // REQUIRES: all are known.
  std::vector<LvSpan> SpansOf(uint32_t agent, uint64_t seq, uint64_t seq_end) const;
  // How many events of `agent` from `seq` on are known without a gap (0
  // when `seq` is not known).
  uint64_t KnownFrom(uint32_t agent, uint64_t seq) const;
  // Whether any event of `agent` numbered in [seq, seq + count) is known.
  bool KnowsAnyOf(uint32_t agent, uint64_t seq, uint64_t count) const;
  // One past the highest seq of `agent` known (0 when none).
  uint64_t NextSeq(uint32_t agent) const;
  // The end of the run holding `lv`: events [lv, RunEnd(lv)) are one
  // agent's chain, each the parent of the next.
  Lv RunEnd(Lv lv) const;

  // Whether `lv` is in `frontier` or one of its ancestors.
  bool Contains(const Frontier& frontier, Lv lv) const;
  // The frontier of the union of the versions named by `lvs`.
  Frontier Reduce(std::vector<Lv> lvs) const;

  // Events in the history of `a` and not of `b` (only_a), and the
  // reverse (only_b), as ascending disjoint spans.
  struct Difference {
    std::vector<LvSpan> only_a;
    std::vector<LvSpan> only_b;
  };
  Difference Diff(const Frontier& a, const Frontier& b) const;

  // What a merge of `from` with `to` (REQUIRES: history(from) within
  // history(to)) must replay: a base version, one event or the root
  // (nullopt), of which every replayed event is a descendant, and the
  // replayed events as ascending disjoint spans: every event of `to` after
  // the base. The base is the latest such version the walk finds.
  struct Conflict {
    std::optional<Lv> base;
    std::vector<LvSpan> spans;
  };
  Conflict FindConflicting(const Frontier& from, const Frontier& to) const;

  // Bytes held by the runs and the indexes.
  uint64_t MemoryBytes() const;
  // Aborts (COLLABSIM_CHECK) when an invariant above is broken.
  void CheckInvariants() const;

 private:
  struct Entry {
    Lv start = 0;
    Lv end = 0;
    uint32_t agent = 0;
    uint64_t seq = 0;
    Frontier parents;  // of event `start`
  };
  // Where an agent's seq range lives: seq start -> (first LV, count).
  struct SeqRun {
    Lv lv = 0;
    uint64_t count = 0;
  };
  const Entry& EntryAt(Lv lv) const;
  // The backwards walk both Diff and FindConflicting are made of: visits
  // (span, side, whether the span's first event has no parents) from the
  // latest LV down, until stop(lv, shared, last in the heap, entries
  // reached from one side only) says so.
  template <typename Visit, typename Stop>
  void WalkBack(const Frontier& a, const Frontier& b, Visit visit, Stop stop) const;

  std::vector<Entry> entries_;
  // Lookup caches (never part of the graph's meaning): the entry found
  // last, and the heap a backwards walk uses.
  mutable size_t last_entry_ = 0;
  mutable std::vector<std::pair<Lv, uint8_t>> walk_heap_;
  std::vector<uint64_t> agent_keys_;
  absl::flat_hash_map<uint64_t, uint32_t> agent_by_key_;
  std::vector<absl::btree_map<uint64_t, SeqRun>> seq_runs_;  // by agent
  Frontier frontier_;
};

}  // namespace collabsim::egwalker
