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

#include "absl/status/statusor.h"
#include "apps/concurrent_trace_replay.h"
#include "engines/crdt/sequence.h"
#include "sim/editing_trace.h"

namespace collabsim::apps {

// InvalidArgument naming the transaction for a trace ValidateConcurrentTrace
// refuses, or one where an agent's last transaction is not in the history of
// its next one.
absl::StatusOr<ConcurrentReplay> ReplayConcurrentTraceCrdt(const sim::EditingTrace& trace,
                                                           crdt::Integration integration);

}  // namespace collabsim::apps
