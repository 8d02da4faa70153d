// A concurrent editing trace through server-ordered OT (the `ot` engine's
// text operations and Jupiter's transform), so the cost the Eg-walker paper
// measures for OT shows: a branch is merged by transforming each of its
// edits against every edit the server ordered since the branch's base.
//
// Every agent is a client. The server orders transactions in trace order;
// a client makes a transaction at a server revision plus its own edits the
// server has not yet acknowledged to it (it catches up only as far as the
// transaction's parents need). The server takes each transaction at once
// and transforms it past the edits ordered after that revision, as the
// client itself will when it catches up.
//
// A server-ordered OT cannot make an edit at a version that is not such a
// revision. Where a transaction's parents are not one (a merge of another
// agent's branch: 76 of A1's 955 transactions), its edits are first moved
// to the revision its client is at by the Eg-walker walk, before the timed
// replay and outside its times.
//
// Times: "remote merge" is the server's work (ordering and transforming
// every transaction; a fresh replica then only applies the server's log);
// "per-agent replay" is the clients' (catching up and editing).
#pragma once

#include "absl/status/statusor.h"
#include "apps/concurrent_trace_replay.h"
#include "sim/editing_trace.h"

namespace collabsim::apps {

// InvalidArgument naming the transaction for a trace ValidateConcurrentTrace
// or PlanTxns (server_order_plan.h) refuses; ResourceExhausted for one too
// large to plan.
absl::StatusOr<ConcurrentReplay> ReplayConcurrentTraceOt(const sim::EditingTrace& trace);

}  // namespace collabsim::apps
