// The Eg-walker merge (Gentle & Kleppmann, EuroSys 2025, section 3): the
// only place the engine holds CRDT-like state, and only while a merge runs.
// It replays the events after a base version, keeping for every character
// two states: in the "prepare" version (the parents of the event being
// replayed: not inserted yet, inserted, or deleted k times) and in the
// "effect" version (everything replayed so far: visible or deleted). Moving
// the prepare version between events is retreat and advance; an insert is
// placed among concurrent inserts at one place by the FugueMax rules (no
// interleaving of concurrent runs), and its index in the effect version is
// where the text changes. Characters of the base version stand as one
// placeholder run, so a merge costs what happened since the base, not the
// document's size. Events already in the text only update the state; new
// ones produce text edits.
//
// Invariants (CheckInvariants): those of the sequence; every delete target
// is a character of it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engines/egwalker/edit_log.h"
#include "engines/egwalker/event_graph.h"
#include "engines/egwalker/merge_sequence.h"

namespace collabsim::egwalker {

// One change to the document's text, in code points, in the order made.
struct TextEdit {
  EditKind kind = EditKind::kInsert;
  uint64_t position = 0;
  uint64_t count = 0;      // deletes
  std::u32string content;  // inserts
};

class MergeWalker {
 public:
  MergeWalker(const EventGraph& graph, const EditLog& log) : graph_(graph), log_(log) {}

  // Replays `conflict` (EventGraph::FindConflicting of the text's version
  // and the new one). Events from `first_new` on are not in the text yet:
  // their edits, as indexes into the text as it changes (which has
  // `text_length` code points before them), are appended to `edits`.
  // InvalidArgument naming the event when a new event's index is past the
  // end of the document at its parents, or it deletes nothing.
  absl::Status Walk(const EventGraph::Conflict& conflict, Lv first_new, uint64_t text_length,
                    std::vector<TextEdit>* edits);

  // Replays more events, [span.start, span.end), after those replayed so
  // far: events from `first_new` on are not in the text yet, as in Walk.
  // REQUIRES: span.start == walked_to(); every event of `span` descends
  // from the base (CanContinueFrom).
  absl::Status Continue(LvSpan span, Lv first_new, uint64_t text_length, std::vector<TextEdit>* edits);
  // Once every event is walked: where index `index` of the document at
  // `version` (REQUIRES: within the walk, as FindConflicting(version, the
  // frontier) gives) is in the text now: just after the character left of
  // it, wherever that went. InvalidArgument when past the end there.
  // `text_length`: the text's length now (REQUIRES: every event walked).
  absl::StatusOr<uint64_t> PlaceIndex(const Frontier& version, uint64_t index, uint64_t text_length);
  // Whether a merge whose base is `base` can go on from this state: its
  // base is this one or an event replayed here.
  bool CanContinueFrom(const std::optional<Lv>& base) const;
  // One past the last event replayed; events replayed so far.
  Lv walked_to() const { return walked_.empty() ? 0 : walked_.back().end; }
  uint64_t walked_events() const { return walked_events_; }

  // Hard cases the new events met (coverage probes, engines/common/probes.h).
  struct Counts {
    uint64_t concurrent_inserts_same_position = 0;
    uint64_t delete_delete_overlaps = 0;
    void Add(const Counts& other) {
      concurrent_inserts_same_position += other.concurrent_inserts_same_position;
      delete_delete_overlaps += other.delete_delete_overlaps;
    }
  };
  // The counts since the last call.
  Counts TakeCounts() { return std::exchange(counts_, Counts{}); }

  // Bytes the merge state held at its largest (records and delete targets).
  uint64_t peak_bytes() const { return peak_bytes_; }
  uint64_t MemoryBytes() const;
  void CheckInvariants() const;

 private:
  using Place = MergeSequence::Place;
  // Events [lv, lv + length) deleted characters [target, target + length)
  // (backward runs are stored one event per entry).
  struct DeleteTarget {
    uint64_t target = 0;
    uint64_t length = 0;
  };

  // Replays `span` piece by piece and notes it as walked.
  absl::Status Replay(LvSpan span, Lv first_new, std::vector<TextEdit>* edits);
  absl::Status ReplaySpan(LvSpan span, Lv first_new, std::vector<TextEdit>* edits);
  void MoveTo(const Frontier& parents);
  // Retreat (-1) or advance (+1) every event of `span`.
  void Shift(LvSpan span, int direction);
  absl::Status Insert(const EditRun& run, LvSpan span, bool emit, std::vector<TextEdit>* edits);
  absl::Status Delete(const EditRun& run, LvSpan span, bool emit, std::vector<TextEdit>* edits);
  // Where a new character after `left` (kNoId: the start) goes among the
  // concurrent inserts between `left` and `right` (FugueMax).
  Place Integrate(Lv lv, uint64_t left, uint64_t right, Place cursor, bool count);
  // A key ordering characters by place, for an origin: kNoId is before
  // every character as an origin_left and after every one as an
  // origin_right.
  using Order = std::tuple<uint64_t, uint64_t, uint64_t>;
  Order OrderOf(uint64_t id, bool is_left) const;
  // InvalidArgument naming the event at `lv`.
  absl::Status PastEnd(Lv lv, std::string_view what, uint64_t position) const;
  void NotePeak();

  const EventGraph& graph_;
  const EditLog& log_;
  MergeSequence sequence_;
  absl::btree_map<Lv, DeleteTarget> delete_targets_;
  Frontier prepare_version_;
  std::optional<Lv> base_;
  std::vector<LvSpan> walked_;  // ascending
  uint64_t walked_events_ = 0;
  uint64_t text_length_ = 0;
  uint64_t peak_bytes_ = 0;
  Counts counts_;
};

}  // namespace collabsim::egwalker
