// A concurrent editing trace through a last-writer-wins engine's own
// replicas (the `lww` server and a client per agent), to show what such an
// engine keeps of a history with concurrent branches: it converges, and
// where two branches wrote one paragraph the later write replaces the
// other. The replay reports that loss, never hides it.
//
// Messages are delivered by hand in the order server_order_plan.h gives:
// the server takes transactions in trace order; before making a
// transaction, its agent's client receives the server's messages up to the
// transaction's revision, and its edits (moved there by the Eg-walker walk
// where the parents are not such a revision) are made on what that client
// shows, clamped to its end where its text is shorter than the trace's.
//
// Times: "per-agent replay" is the whole exchange (clients and server);
// "remote merge" is a fresh client receiving the server's state.
#pragma once

#include "absl/status/statusor.h"
#include "apps/concurrent_trace_replay.h"
#include "engines/common/engine.h"
#include "sim/editing_trace.h"

namespace collabsim::apps {

// InvalidArgument naming the transaction for a trace ValidateConcurrentTrace
// or PlanTxns refuses; FailedPrecondition when an engine replica refuses a
// message or an edit (a defect of the engine, reported with the transaction).
absl::StatusOr<ConcurrentReplay> ReplayConcurrentTraceLww(const sim::EditingTrace& trace, const Engine& engine);

}  // namespace collabsim::apps
