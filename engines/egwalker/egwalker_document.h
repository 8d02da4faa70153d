// One Eg-walker replica's document: the plain text, the event graph and the
// edit log, and nothing else in the steady state. A local edit, or a remote
// event whose parents are the text's version, applies to the text
// directly; events concurrent with what the text holds are merged by a
// MergeWalker that exists only while concurrency lasts (the paper's claim:
// the memory of a CRDT only while merging): it is kept from one merge to
// the next, so a stream of events concurrent with one pending edit does not
// replay the stream again at each event, and dropped at the next event made
// on everything this replica has. Events come and go as EventRuns,
// which name events by (agent key, seq), never by LV, so any two replicas
// can exchange them.
//
// Invariants (CheckInvariants): the graph and the log hold the same events;
// those of the graph, the log, the text and any kept merge state. That the
// text is the replay of every event is what the tests check (against a
// merge of every event from the empty document) and what a restore checks.
// The O(state) parts run on a FullCheckCadence.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "engines/common/check.h"
#include "engines/common/chunked_text.h"
#include "engines/egwalker/edit_log.h"
#include "engines/egwalker/event_graph.h"
#include "engines/egwalker/merge_walker.h"

namespace collabsim::egwalker {

// A global event name: the agent's key and the event's seq.
struct RemoteId {
  uint64_t agent_key = 0;
  uint64_t seq = 0;
  friend bool operator==(const RemoteId&, const RemoteId&) = default;
};

// `length` events of one agent, seq, seq + 1, ...: the first has `parents`,
// each next one the event before it; what they do is an EditRun's meaning.
struct EventRun {
  RemoteId id;
  std::vector<RemoteId> parents;
  EditKind kind = EditKind::kInsert;
  bool backward = false;
  uint64_t position = 0;
  uint64_t length = 0;
  std::u32string content;  // inserts: `length` code points
};

class EgwalkerDocument {
 public:
  // How Merge places concurrent events: from the latest base the graph
  // allows (the engine), or always from the empty document (a reference
  // for tests: slower, and must give the same text).
  enum class MergeFrom { kLatestBase, kRoot };
  explicit EgwalkerDocument(MergeFrom merge_from = MergeFrom::kLatestBase) : merge_from_(merge_from) {}

  // Local edits by the agent named `agent_key`, at the current version.
  // InvalidArgument (and no change) when past the end of the text.
  absl::Status Insert(uint64_t agent_key, uint64_t position, std::u32string_view text);
  absl::Status Delete(uint64_t agent_key, uint64_t position, uint64_t count);

  // What a merge did: the LVs each run's new events took (empty when all
  // were known), the text edits it made, in order, and how many events
  // were already known.
  struct MergeReport {
    std::vector<LvSpan> added;
    std::vector<TextEdit> edits;
    uint64_t known_events = 0;
  };
  // Adds the events of `runs` this replica does not have yet, in order,
  // and changes the text to include them. Events already known are skipped
  // (a run may be partly known). InvalidArgument, with nothing changed,
  // for a run that is empty or malformed, names an unknown parent, reuses a
  // seq for another event, or edits past the end of its parents' document.
  absl::Status Merge(const std::vector<EventRun>& runs, MergeReport* report = nullptr);

  // The events this replica has that are not in the history of `version`
  // (the events named; unknown names are ignored), ascending.
  std::vector<LvSpan> MissingFrom(const std::vector<RemoteId>& version) const;
  // The events of `span` as runs (cut where the graph's or the log's runs
  // are), appended to `runs`.
  void ExportSpan(LvSpan span, std::vector<EventRun>* runs) const;
  // Every event missing from `version`, in an order Merge accepts.
  std::vector<EventRun> EventsSince(const std::vector<RemoteId>& version) const;
  // Where index `index` of the document at `version` is in the text now
  // (see MergeWalker::PlaceIndex): nullopt while some event of `version`
  // is not here; InvalidArgument when past the end at `version`.
  absl::StatusOr<std::optional<uint64_t>> PlaceIndex(const std::vector<RemoteId>& version, uint64_t index) const;
  // The names of the current version's events.
  std::vector<RemoteId> Version() const;

  const ChunkedText& text() const { return text_; }
  const EventGraph& graph() const { return graph_; }
  const EditLog& log() const { return log_; }
  // Bytes of merge state held at the largest merge so far (0 when every
  // event applied directly), and held now between merges.
  uint64_t merge_peak_bytes() const { return merge_peak_bytes_; }
  uint64_t merge_bytes() const { return walker_.walker == nullptr ? 0 : walker_.walker->MemoryBytes(); }
  // Merges that needed the walker, and events they replayed.
  uint64_t merges() const { return merges_; }
  uint64_t events_replayed() const { return events_replayed_; }
  // What the merges met, summed (MergeWalker::Counts).
  const MergeWalker::Counts& merge_counts() const { return merge_counts_; }

  void CheckInvariants() const;

 private:
  // Validates `run` and appends its unknown events; OK without adding
  // anything when all are known.
  absl::Status Append(const EventRun& run);
  // The text edits that bring the text from `version` (all events before
  // `first_new`) to every event.
  absl::Status EditsFrom(Lv first_new, Frontier version, std::vector<TextEdit>* edits,
                         MergeWalker::Counts* counts);
  void ApplyToText(const std::vector<TextEdit>& edits);
  RemoteId NameOf(Lv lv) const;

  // Merge state kept between merges while concurrency lasts (see
  // EditsFrom), dropped at a critical version or once it has replayed more
  // than kKeptEvents events.
  static constexpr uint64_t kKeptEvents = 4096;
  // The walker refers to this document's graph and log, so a moved or
  // copied document starts without one.
  struct WalkerSlot {
    std::unique_ptr<MergeWalker> walker;
    WalkerSlot() = default;
    WalkerSlot(const WalkerSlot&) {}
    WalkerSlot(WalkerSlot&&) noexcept {}
    WalkerSlot& operator=(const WalkerSlot&) {
      walker.reset();
      return *this;
    }
    WalkerSlot& operator=(WalkerSlot&&) noexcept {
      walker.reset();
      return *this;
    }
  };
  MergeFrom merge_from_;
  mutable WalkerSlot walker_;  // a cache: PlaceIndex may build or use it
  FullCheckCadence full_check_;
  ChunkedText text_;
  EventGraph graph_;
  EditLog log_;
  uint64_t merge_peak_bytes_ = 0;
  uint64_t merges_ = 0;
  uint64_t events_replayed_ = 0;
  MergeWalker::Counts merge_counts_;
};

}  // namespace collabsim::egwalker
