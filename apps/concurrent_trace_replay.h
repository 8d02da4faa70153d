// Replays of a concurrent editing trace (the editing-traces format with
// `parents`, as the Eg-walker paper's data sets are published) through a
// document, as the paper measures it: one replica per agent, each
// transaction made on its agent's replica at the version of its parents;
// then every replica takes the others' events; and a fresh replica merges
// every event at once (the "remote merge"). Times are wall-clock
// measurements of this process; everything else is deterministic. This file:
// the Eg-walker document, and what every engine's replay shares;
// apps/concurrent_trace_crdt.h: the CRDT sequences.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engines/egwalker/egwalker_document.h"
#include "sim/editing_trace.h"

namespace collabsim::apps {

// The trace's transactions as event runs: transaction t's patches as
// deletes then inserts, chained, the first made on its parents' last
// events; runs_of[t] indexes its runs. Agent keys are the trace's agent
// numbers. InvalidArgument naming the transaction and patch for text that
// is not UTF-8.
struct TraceEvents {
  std::vector<egwalker::EventRun> runs;
  std::vector<std::pair<size_t, size_t>> runs_of;  // [first, end) per transaction
};
absl::StatusOr<TraceEvents> EventsOfTrace(const sim::EditingTrace& trace);

// The transactions in the history of `txn`'s parents (and `txn` itself when
// `inclusive`) that `merged` does not mark yet, in trace order (a causal
// order); marks them.
std::vector<size_t> MissingTxns(const sim::EditingTrace& trace, size_t txn, bool inclusive,
                                std::vector<bool>* merged);

// Whether every edit fits its parents' document as the trace format
// defines it (concurrent inserts at one place in FugueMax order, as the
// Eg-walker paper's traces were made): one Eg-walker document merges the
// transactions in order. InvalidArgument naming the transaction otherwise.
// Engines that order such inserts their own way replay a trace only after
// it passes, so an edit past their end is theirs, not the trace's.
absl::Status ValidateConcurrentTrace(const sim::EditingTrace& trace);

struct ConcurrentReplay {
  std::string final_text;       // the remote merge's
  bool replicas_converged = false;
  double remote_merge_ms = 0;   // a fresh replica merging every event at once
  double replay_ms = 0;         // every agent's replica, transaction by transaction
  uint64_t merge_peak_bytes = 0;  // state that exists only while a merge runs, at its largest
  uint64_t steady_bytes = 0;    // what the remote merge's replica holds after it
  std::string steady_parts;     // what steady_bytes counts, for the reader
  uint64_t events = 0;          // characters inserted or deleted
  uint64_t walks = 0;           // Eg-walker: merges in the per-agent replay that needed a walk
  uint64_t moved_txns = 0;      // OT, LWW: transactions moved to their client's revision first
  uint64_t overwritten_writes = 0;  // LWW: writes a later write to the same register replaced
  // Edits that ran past the end of this engine's text at their parents'
  // version, its order of concurrent inserts (and so of what later deletes
  // hit) being other than the trace's: clamped to the end and counted.
  uint64_t clamped_edits = 0;
  uint64_t encoded_bytes = 0;   // the document in local storage form
  std::string encoded_parts;    // what that form holds
  double decode_ms = 0;         // restoring it (checked against the text)
};

// Through the Eg-walker document. InvalidArgument naming the transaction
// when an edit does not fit its parents' document.
absl::StatusOr<ConcurrentReplay> ReplayConcurrentTraceEgwalker(const sim::EditingTrace& trace);

}  // namespace collabsim::apps
