#include "apps/concurrent_trace_crdt.h"

#include <memory>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "apps/wall_timer.h"
#include "engines/common/utf8.h"
#include "crdt_wire.pb.h"

namespace collabsim::apps {
namespace {

using crdt::DeleteOp;
using crdt::InsertOp;
using crdt::Sequence;
using Op = CrdtTraceOp;

absl::Status ApplyOp(Sequence& sequence, const Op& op) {
  return op.is_delete ? sequence.Apply(op.del) : sequence.Apply(op.insert);
}

// Applies the operations of `txns` (in trace order) to `sequence`.
absl::Status ApplyTxns(Sequence& sequence, const std::vector<std::vector<Op>>& ops, const std::vector<size_t>& txns) {
  for (size_t t : txns) {
    for (const Op& op : ops[t]) {
      if (absl::Status status = ApplyOp(sequence, op); !status.ok()) {
        return absl::InternalError(absl::StrFormat("txns[%d]: the CRDT refused its own operation: %s", t,
                                                   status.message()));
      }
    }
  }
  return absl::OkStatus();
}

// Transaction `t`'s patches as local edits of `agent` on `sequence`, which
// holds exactly its parents' history; the operations they became.
// Transaction `t`'s patches as local edits of `agent` on `sequence`, which
// holds exactly its parents' history; the operations they became. An edit
// past the end is clamped to it and counted in `clamped`.
absl::StatusOr<std::vector<Op>> MakeTxn(const sim::EditingTrace& trace, size_t t, uint64_t agent, uint64_t* counter,
                                        Sequence& sequence, uint64_t* clamped) {
  std::vector<Op> ops;
  const sim::TraceTxn& txn = trace.txns[t];
  for (size_t p = 0; p < txn.patches.size(); ++p) {
    const sim::TracePatch& patch = txn.patches[p];
    const uint64_t length = sequence.VisibleLength();
    const uint64_t position = std::min(patch.position, length);
    const uint64_t delete_count = std::min(patch.delete_count, length - position);
    if (position != patch.position || delete_count != patch.delete_count) ++*clamped;
    if (delete_count > 0) {
      ops.push_back(Op{.is_delete = true, .del = sequence.DeleteLocal(position, delete_count)});
    }
    if (patch.insert.empty()) continue;
    absl::StatusOr<std::u32string> text = DecodeUtf8(patch.insert);
    if (!text.ok()) return absl::InvalidArgumentError(absl::StrFormat("txns[%d].patches[%d]: not UTF-8", t, p));
    const uint64_t inserted = text->size();
    ops.push_back(Op{.insert = sequence.InsertLocal(agent, *counter, position, *std::move(text))});
    *counter += inserted;
  }
  return ops;
}

// Whether `target`, which `merged` marks, is in the history of `txn`'s
// parents. A path there passes through unmarked transactions only: a marked
// one after `target` on it would be in the replica's history, which is
// `target`'s own and so cannot hold a later transaction.
bool InParentsHistory(const sim::EditingTrace& trace, size_t txn, size_t target, const std::vector<bool>& merged) {
  std::vector<size_t> stack(trace.txns[txn].parents.begin(), trace.txns[txn].parents.end());
  absl::flat_hash_set<size_t> seen;  // the transactions the replica lacks: few
  while (!stack.empty()) {
    const size_t t = stack.back();
    stack.pop_back();
    if (t == target) return true;
    if (merged[t] || !seen.insert(t).second) continue;
    for (uint32_t parent : trace.txns[t].parents) stack.push_back(parent);
  }
  return false;
}

}  // namespace

absl::StatusOr<CrdtPerAgentReplay> ReplayCrdtPerAgent(const sim::EditingTrace& trace, crdt::Integration integration) {
  // Agent a is CRDT agent a + 1 (0 is no one).
  CrdtPerAgentReplay replay;
  replay.merged.assign(trace.num_agents, std::vector<bool>(trace.txns.size(), false));
  replay.ops.resize(trace.txns.size());
  std::vector<uint64_t> counters(trace.num_agents, 0);
  for (uint32_t a = 0; a < trace.num_agents; ++a) replay.replicas.push_back(std::make_unique<Sequence>(integration));
  std::vector<std::optional<size_t>> last_txn(trace.num_agents);
  for (size_t t = 0; t < trace.txns.size(); ++t) {
    const uint32_t agent = trace.txns[t].agent;
    Sequence& replica = *replay.replicas[agent];
    std::vector<bool>& merged = replay.merged[agent];
    // A CRDT edit is made on the replica's whole state, so that state must
    // be the parents' history: the agent's last transaction must be in it.
    if (last_txn[agent] && !InParentsHistory(trace, t, *last_txn[agent], merged)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "txns[%d]: agent %d made txns[%d], which is not in the history of this transaction's parents; a CRDT "
          "replica cannot go back to an older version to edit it (replay through --engine egwalker)",
          t, agent, *last_txn[agent]));
    }
    last_txn[agent] = t;
    if (absl::Status status = ApplyTxns(replica, replay.ops, MissingTxns(trace, t, false, &merged)); !status.ok()) {
      return status;
    }
    merged[t] = true;
    absl::StatusOr<std::vector<Op>> made =
        MakeTxn(trace, t, agent + 1, &counters[agent], replica, &replay.clamped_edits);
    if (!made.ok()) return made.status();
    replay.ops[t] = *std::move(made);
  }
  return replay;
}

absl::StatusOr<std::unique_ptr<Sequence>> MergeCrdtOps(const std::vector<std::vector<CrdtTraceOp>>& ops,
                                                       crdt::Integration integration) {
  std::vector<size_t> all(ops.size());
  for (size_t t = 0; t < all.size(); ++t) all[t] = t;
  auto remote = std::make_unique<Sequence>(integration);
  if (absl::Status status = ApplyTxns(*remote, ops, all); !status.ok()) return status;
  return remote;
}

absl::StatusOr<ConcurrentReplay> ReplayConcurrentTraceCrdt(const sim::EditingTrace& trace,
                                                           crdt::Integration integration) {
  if (absl::Status status = ValidateConcurrentTrace(trace); !status.ok()) return status;
  ConcurrentReplay result;
  auto start = WallClock::now();
  absl::StatusOr<CrdtPerAgentReplay> per_agent = ReplayCrdtPerAgent(trace, integration);
  if (!per_agent.ok()) return per_agent.status();
  result.replay_ms = MsSince(start);
  result.clamped_edits = per_agent->clamped_edits;
  const std::vector<std::vector<Op>>& ops = per_agent->ops;
  for (const std::vector<Op>& txn_ops : ops) {
    for (const Op& op : txn_ops) {
      result.events += op.is_delete ? 0 : op.insert.text.size();
      for (const crdt::DeleteRange& range : op.del.ranges) result.events += range.length;
    }
  }

  // The remote merge: every operation, in trace order, on a fresh replica.
  start = WallClock::now();
  absl::StatusOr<std::unique_ptr<Sequence>> merged = MergeCrdtOps(ops, integration);
  if (!merged.ok()) return merged.status();
  result.remote_merge_ms = MsSince(start);
  const Sequence& remote = **merged;
  result.final_text = EncodeUtf8(remote.Text());
  result.steady_bytes = remote.ContentBytes() + remote.MetadataBytes() + remote.TombstoneBytes();
  result.steady_parts = absl::StrFormat("characters %d, runs and id index %d, tombstone runs %d", remote.ContentBytes(),
                                        remote.MetadataBytes(), remote.TombstoneBytes());

  // Every agent's replica takes the rest and must agree.
  result.replicas_converged = true;
  for (uint32_t a = 0; a < trace.num_agents; ++a) {
    std::vector<size_t> rest;
    for (size_t t = 0; t < trace.txns.size(); ++t) {
      if (!per_agent->merged[a][t]) rest.push_back(t);
    }
    if (absl::Status status = ApplyTxns(*per_agent->replicas[a], ops, rest); !status.ok()) return status;
    result.replicas_converged =
        result.replicas_converged && EncodeUtf8(per_agent->replicas[a]->Text()) == result.final_text;
  }

  // Local storage: the sequence's snapshot (every run with its origins,
  // tombstones without their text), decoded and checked against the text.
  crdt::wire::SequenceSnapshot snapshot;
  remote.EncodeSnapshot(&snapshot);
  const std::string encoded = snapshot.SerializeAsString();
  result.encoded_bytes = encoded.size();
  result.encoded_parts = "runs, origins and text; tombstones without text";
  start = WallClock::now();
  crdt::wire::SequenceSnapshot decoded;
  if (!decoded.ParseFromString(encoded)) return absl::InternalError("the encoded document does not parse");
  absl::StatusOr<std::unique_ptr<Sequence>> restored = Sequence::FromSnapshot(integration, decoded);
  result.decode_ms = MsSince(start);
  if (!restored.ok()) return restored.status();
  if (EncodeUtf8((*restored)->Text()) != result.final_text) {
    return absl::InternalError("the decoded document's text is not the remote merge's");
  }
  return result;
}

}  // namespace collabsim::apps
