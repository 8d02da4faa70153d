#include "apps/concurrent_trace_ot.h"

#include <algorithm>
#include <deque>

#include "absl/strings/str_format.h"
#include "apps/server_order_plan.h"
#include "apps/wall_timer.h"
#include "engines/common/check.h"
#include "engines/common/chunked_text.h"
#include "engines/common/utf8.h"
#include "engines/egwalker/egwalker_document.h"
#include "engines/ot/text_op.h"
#include "engines/ot/text_op_codec.h"
#include "ot_wire.pb.h"

namespace collabsim::apps {
namespace {

using ot::TextOp;
// One transaction's edits as OT ops, each on the document the one before
// left. Kept one op per patch until it meets a concurrent transaction
// (Compact): composing a long sequential session patch by patch would
// rewrite its text once per patch.
using Ops = std::vector<TextOp>;

absl::Status Compact(Ops* ops) {
  while (ops->size() > 1) {
    Ops next;
    for (size_t i = 0; i + 1 < ops->size(); i += 2) {
      absl::StatusOr<TextOp> both = ot::Compose(std::move((*ops)[i]), std::move((*ops)[i + 1]));
      if (!both.ok()) return both.status();
      next.push_back(*std::move(both));
    }
    if (ops->size() % 2 == 1) next.push_back(std::move(ops->back()));
    *ops = std::move(next);
  }
  return absl::OkStatus();
}

// Transforms `earlier` (ordered first by the server; its inserts win ties)
// and `later`, both made on one document, past each other.
absl::Status TransformPast(Ops* earlier, Ops* later) {
  if (earlier->empty() || later->empty()) return absl::OkStatus();
  if (absl::Status s = Compact(earlier); !s.ok()) return s;
  if (absl::Status s = Compact(later); !s.ok()) return s;
  for (TextOp& b : *later) {
    for (TextOp& a : *earlier) {
      absl::StatusOr<std::pair<TextOp, TextOp>> pair = ot::Transform(std::move(a), std::move(b));
      if (!pair.ok()) return pair.status();
      a = std::move(pair->first);
      b = std::move(pair->second);
    }
  }
  return absl::OkStatus();
}

void ApplyOps(const Ops& ops, ChunkedText* text) {
  for (const TextOp& op : ops) ot::ApplyInPlace(text, op);
}

uint64_t OpsBytes(const Ops& ops) {
  uint64_t bytes = 0;
  for (const TextOp& op : ops) bytes += op.MemoryBytes();
  return bytes;
}

// The edits as ops on a document of `length` characters. An edit past the
// end is clamped to it and counted in `clamped`.
Ops OpsOfEdits(const std::vector<Edit>& edits, uint64_t length, uint64_t* clamped) {
  Ops ops;
  for (const Edit& edit : edits) {
    const uint64_t position = std::min(edit.position, length);
    const uint64_t count = std::min(edit.count, length - position);
    if (position != edit.position || count != edit.count) ++*clamped;
    if (edit.is_delete) {
      if (count == 0) continue;
      ops.push_back(ot::MakeDelete(length, position, count));
      length -= count;
    } else {
      ops.push_back(ot::MakeInsert(length, position, edit.text));
      length += edit.text.size();
    }
  }
  return ops;
}

// An agent's client: the server revision it has caught up to, its own
// transactions the server has not acknowledged to it yet (on its text),
// and its text.
struct Client {
  uint64_t revision = 0;
  std::deque<std::pair<size_t, Ops>> pending;
  ChunkedText text;
};

}  // namespace

absl::StatusOr<ConcurrentReplay> ReplayConcurrentTraceOt(const sim::EditingTrace& trace) {
  if (absl::Status status = ValidateConcurrentTrace(trace); !status.ok()) return status;
  absl::StatusOr<std::vector<TxnPlan>> plans = PlanTxns(trace, "an OT client");
  if (!plans.ok()) return plans.status();
  ConcurrentReplay result;
  for (const TxnPlan& plan : *plans) result.moved_txns += plan.moved ? 1 : 0;
  for (const sim::TraceTxn& txn : trace.txns) {
    for (const sim::TracePatch& patch : txn.patches) result.events += patch.delete_count + CountCodePoints(patch.insert);
  }

  std::vector<Client> clients(trace.num_agents);
  std::vector<Ops> log;  // the server's: transaction t is revision t + 1
  ChunkedText server_text;
  double client_ms = 0, server_ms = 0;
  auto catch_up = [&](uint32_t agent, uint64_t revision) -> absl::Status {
    Client& client = clients[agent];
    for (; client.revision < revision; ++client.revision) {
      const size_t t = client.revision;
      if (trace.txns[t].agent == agent) {
        COLLABSIM_CHECK(!client.pending.empty() && client.pending.front().first == t);
        client.pending.pop_front();  // the server's acknowledgement
        continue;
      }
      Ops theirs = log[t];
      for (auto& [own_txn, own] : client.pending) {
        if (absl::Status s = TransformPast(&theirs, &own); !s.ok()) return s;
      }
      ApplyOps(theirs, &client.text);
    }
    return absl::OkStatus();
  };

  for (size_t t = 0; t < trace.txns.size(); ++t) {
    const uint32_t agent = trace.txns[t].agent;
    const TxnPlan& plan = (*plans)[t];
    Client& client = clients[agent];
    // The client: catch up to the transaction's revision, edit.
    auto start = WallClock::now();
    if (absl::Status s = catch_up(agent, plan.revision); !s.ok()) return s;
    absl::StatusOr<std::vector<Edit>> patch_edits;
    if (!plan.moved) {
      patch_edits = EditsOfPatches(trace, t);
      if (!patch_edits.ok()) return patch_edits.status();
    }
    Ops ops = OpsOfEdits(plan.moved ? plan.edits : *patch_edits, client.text.size(), &result.clamped_edits);
    ApplyOps(ops, &client.text);
    client.pending.emplace_back(t, std::move(ops));
    client_ms += MsSince(start);

    // The server: the transaction is based on the client's revision and
    // its unacknowledged transactions; transform it past the others'
    // transactions ordered since, as the client will when it catches up.
    start = WallClock::now();
    std::vector<Ops> flight;
    for (const auto& [own_txn, own] : client.pending) flight.push_back(own);
    uint64_t flight_bytes = 0;
    for (const Ops& f : flight) flight_bytes += OpsBytes(f);
    result.merge_peak_bytes = std::max(result.merge_peak_bytes, flight_bytes);
    size_t acked = 0;
    for (size_t j = plan.revision; j < log.size(); ++j) {
      if (trace.txns[j].agent == agent) {
        ++acked;
        continue;
      }
      Ops theirs = log[j];
      for (size_t f = acked; f < flight.size(); ++f) {
        if (absl::Status s = TransformPast(&theirs, &flight[f]); !s.ok()) return s;
      }
    }
    COLLABSIM_CHECK(acked + 1 == flight.size());
    ApplyOps(flight.back(), &server_text);
    log.push_back(std::move(flight.back()));
    server_ms += MsSince(start);
  }
  result.remote_merge_ms = server_ms;
  result.replay_ms = client_ms;
  result.final_text = server_text.ToUtf8();

  // Every client catches up and must agree with the server.
  result.replicas_converged = true;
  for (uint32_t a = 0; a < trace.num_agents; ++a) {
    if (absl::Status s = catch_up(a, log.size()); !s.ok()) return s;
    result.replicas_converged = result.replicas_converged && clients[a].text.ToUtf8() == result.final_text;
  }
  uint64_t log_bytes = 0;
  for (const Ops& ops : log) log_bytes += OpsBytes(ops);
  result.steady_bytes = server_text.AllocatedBytes() + log_bytes;
  result.steady_parts = absl::StrFormat("text %d, server log %d", server_text.AllocatedBytes(), log_bytes);

  // Local storage: the server's log (as the ot engine writes it: an entry
  // per op), decoded by applying every op and checked against the text.
  ot::wire::ServerDurableState state;
  for (size_t t = 0; t < log.size(); ++t) {
    for (const TextOp& op : log[t]) {
      ot::wire::LogEntry* entry = state.add_log();
      entry->set_revision(state.log_size());
      entry->set_origin(trace.txns[t].agent + 1);
      ot::EncodeTextOp(op, entry->mutable_op());
    }
  }
  const std::string encoded = state.SerializeAsString();
  result.encoded_bytes = encoded.size();
  result.encoded_parts = "the server's log, an op per edit";
  auto start = WallClock::now();
  ot::wire::ServerDurableState decoded;
  if (!decoded.ParseFromString(encoded)) return absl::InternalError("the encoded log does not parse");
  ChunkedText restored;
  for (const ot::wire::LogEntry& entry : decoded.log()) {
    absl::StatusOr<TextOp> op = ot::DecodeTextOp(entry.op());
    if (!op.ok() || op->base_length() != restored.size()) {
      return absl::InternalError(absl::StrFormat("the encoded log's revision %d does not decode", entry.revision()));
    }
    ot::ApplyInPlace(&restored, *op);
  }
  result.decode_ms = MsSince(start);
  if (restored.ToUtf8() != result.final_text) return absl::InternalError("the decoded log's text is not the server's");
  return result;
}

}  // namespace collabsim::apps
