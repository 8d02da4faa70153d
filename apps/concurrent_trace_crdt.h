// A concurrent editing trace through a CRDT sequence (FugueMax for `crdt`
// and `crdt-mesh`, RGA for `crdt-rga`), measured as the Eg-walker paper
// measures the CRDTs it compares with: one replica per agent, each
// transaction's edits made on its agent's replica once that replica holds
// exactly its parents' history, each edit kept as the CRDT operation it
// became; then a fresh replica applies every operation in trace order (the
// "remote merge"). Each agent's transactions must be one line of history
// (each in the next one's history), as in S1, A1 and friendsforever: a CRDT
// replica cannot edit an older version. The CRDT's structure is its steady
// state: there is no
// merge-only state, so the peak it reports is zero.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "apps/concurrent_trace_replay.h"
#include "engines/crdt/sequence.h"
#include "sim/editing_trace.h"

namespace collabsim::apps {

// One operation a patch became: an insert, or a delete when `is_delete`.
struct CrdtTraceOp {
  bool is_delete = false;
  crdt::InsertOp insert;
  crdt::DeleteOp del;
};

// The per-agent replay: each agent's replica at its end, what it has
// merged, and the operations each transaction became. Run it on a trace
// ValidateConcurrentTrace passed: it clamps an edit past the end as an
// engine's own, and so would a bad trace's. InvalidArgument when an agent's
// last transaction is not in the history of its next one.
struct CrdtPerAgentReplay {
  std::vector<std::unique_ptr<crdt::Sequence>> replicas;
  std::vector<std::vector<bool>> merged;         // per agent, per transaction
  std::vector<std::vector<CrdtTraceOp>> ops;     // per transaction
  uint64_t clamped_edits = 0;
};
absl::StatusOr<CrdtPerAgentReplay> ReplayCrdtPerAgent(const sim::EditingTrace& trace, crdt::Integration integration);

// The remote merge: a fresh sequence applying every transaction's
// operations in trace order.
absl::StatusOr<std::unique_ptr<crdt::Sequence>> MergeCrdtOps(const std::vector<std::vector<CrdtTraceOp>>& ops,
                                                             crdt::Integration integration);

// InvalidArgument naming the transaction for a trace ValidateConcurrentTrace
// refuses, or one where an agent's last transaction is not in the history of
// its next one.
absl::StatusOr<ConcurrentReplay> ReplayConcurrentTraceCrdt(const sim::EditingTrace& trace,
                                                           crdt::Integration integration);

}  // namespace collabsim::apps
