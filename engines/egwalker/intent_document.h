// An Eg-walker document as its replicas (client and relay) hold it: the
// document, plus which user intent each event carries out, so that what a
// replica forwards or sends on catch-up names its intents and a receiver can
// say which intents became visible. Also the wire form of events: batches
// decoded with every field checked, and encoded in chunks that never split
// an intent.
//
// Invariants (CheckInvariants): every event has an intent; those of the
// document.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "egwalker_wire.pb.h"
#include "engines/common/check.h"
#include "engines/common/intent.h"
#include "engines/common/replica.h"
#include "engines/egwalker/egwalker_document.h"

namespace collabsim::egwalker {

// Bounds on what one wire run may claim.
inline constexpr uint64_t kMaxRunEvents = uint64_t{1} << 32;
inline constexpr int kMaxParents = 1024;
// Runs per catch-up or forward message.
inline constexpr size_t kRunsPerMessage = 256;

// `run`, carrying out `intent`, in wire form.
void EncodeRun(const EventRun& run, IntentId intent, wire::EventRun* out);

// The agent of a session whose first edit carries `first_intent`: 24 bits
// of replica and 40 of intent sequence, so sessions never share an agent.
uint64_t AgentFor(const IntentId& first_intent);

class IntentDocument {
 public:
  const EgwalkerDocument& document() const { return document_; }

  // A local edit by `agent_key` carrying out `intent`. InvalidArgument
  // (nothing changed) when past the end of the text.
  absl::Status Insert(uint64_t agent_key, IntentId intent, uint64_t position, std::u32string_view text);
  absl::Status Delete(uint64_t agent_key, IntentId intent, uint64_t position, uint64_t count);

  // Decodes and merges a batch; InvalidArgument (nothing changed) for a
  // malformed run or one Merge refuses. Returns the intents whose events
  // were new here, in order; `report` gets what the merge did.
  absl::StatusOr<std::vector<IntentId>> MergeBatch(const wire::Batch& batch, EgwalkerDocument::MergeReport* report);

  // The events of `spans`, with their intents, in messages of at most
  // kRunsPerMessage runs (more when one intent needs more), all but the
  // last marked `more`.
  std::vector<wire::Batch> Export(const std::vector<LvSpan>& spans) const;
  // The intents of `spans`, in order, each once.
  std::vector<IntentId> IntentsOf(const std::vector<LvSpan>& spans) const;
  // For the events of `spans` (all by `agent`), each intent and one past
  // the seq of its last event there, in order.
  std::vector<std::pair<IntentId, uint64_t>> IntentEnds(const std::vector<LvSpan>& spans, uint32_t agent) const;

  // Every event (in columns, event_columns.h) and the text, for local
  // storage; Restore replays the events and refuses a text that differs
  // from the replay. Restore also reads events stored a run per message.
  void Encode(wire::DurableState* state) const;
  static absl::StatusOr<IntentDocument> Restore(const wire::DurableState& state);

  static std::vector<RemoteId> DecodeVersion(
      const google::protobuf::RepeatedPtrField<wire::EventName>& names);
  static void EncodeVersion(const std::vector<RemoteId>& version,
                            google::protobuf::RepeatedPtrField<wire::EventName>* names);

  // Bytes of the intent index.
  uint64_t IntentBytes() const { return intents_.size() * (sizeof(Lv) + sizeof(Span)); }
  void CheckInvariants() const;

 private:
  struct Span {
    Lv end = 0;
    IntentId intent;
  };
  void Note(LvSpan span, IntentId intent);

  EgwalkerDocument document_;
  absl::btree_map<Lv, Span> intents_;  // first LV -> the intent of [first, end)
  FullCheckCadence full_check_;         // for the O(intents) walk
};

// Collects the batches of one transfer (see Batch.more in the wire
// format) so that it is merged at once. Bounded: a transfer of more than
// kMaxTransferRuns runs is refused.
class TransferBuffer {
 public:
  static constexpr int kMaxTransferRuns = 1 << 20;

  // The whole transfer once `batch` ends it; nullopt while more is to come.
  absl::StatusOr<std::optional<wire::Batch>> Add(const wire::Batch& batch);
  // A connection closed mid-transfer: the sender starts again.
  void Clear() { runs_.Clear(); }
  uint64_t BufferedBytes() const { return runs_.ByteSizeLong(); }

 private:
  wire::Batch runs_;
};

// Memory by category: the text is content; the graph and the intent index
// are metadata; the edit log (every event's edit and inserted text) is
// history; the walk state kept between merges is merge state, with the
// most a merge held as its peak. Nothing is a tombstone: deleted text
// lives only in the log.
MemoryStats DocumentMemory(const IntentDocument& doc);

// What the document's merges met (concurrent inserts at one place, deletes
// of one character twice) and `known_events` events that arrived again, as
// probes (only those seen).
void AddMergeProbes(const IntentDocument& doc, uint64_t known_events,
                    std::map<std::string, uint64_t, std::less<>>* probes);

}  // namespace collabsim::egwalker
