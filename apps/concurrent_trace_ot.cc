#include "apps/concurrent_trace_ot.h"

#include <algorithm>
#include <deque>

#include "absl/strings/str_format.h"
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

// An edit of a transaction: a patch's delete or insert, or one of the text
// edits the Eg-walker walk moved it to.
struct Edit {
  bool is_delete = false;
  uint64_t position = 0;
  uint64_t count = 0;  // deletes
  std::u32string text;
};

absl::StatusOr<std::vector<Edit>> EditsOfPatches(const sim::EditingTrace& trace, size_t t) {
  std::vector<Edit> edits;
  const sim::TraceTxn& txn = trace.txns[t];
  for (size_t p = 0; p < txn.patches.size(); ++p) {
    const sim::TracePatch& patch = txn.patches[p];
    if (patch.delete_count > 0) {
      edits.push_back(Edit{.is_delete = true, .position = patch.position, .count = patch.delete_count});
    }
    if (patch.insert.empty()) continue;
    absl::StatusOr<std::u32string> text = DecodeUtf8(patch.insert);
    if (!text.ok()) return absl::InvalidArgumentError(absl::StrFormat("txns[%d].patches[%d]: not UTF-8", t, p));
    edits.push_back(Edit{.position = patch.position, .text = *std::move(text)});
  }
  return edits;
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

// Where each transaction is made: the server revision its client is at,
// and, when its parents are not that revision plus the agent's own
// unacknowledged edits, its edits moved there.
struct TxnPlan {
  uint64_t revision = 0;
  bool moved = false;
  std::vector<Edit> edits;  // when moved
};

absl::StatusOr<std::vector<TxnPlan>> PlanTxns(const sim::EditingTrace& trace) {
  const size_t n = trace.txns.size();
  const size_t agents = trace.num_agents;
  if (static_cast<uint64_t>(n) * agents > kMaxOtVersionEntries) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "%d transactions of %d agents: the OT replay keeps a version vector per transaction, at most %d entries", n,
        agents, kMaxOtVersionEntries));
  }
  // Each agent's transactions are one line of history (checked below), so
  // a transaction's history holds, of each agent's transactions, the first
  // vv[t * agents + b].
  std::vector<std::vector<size_t>> of_agent(agents);
  std::vector<uint32_t> seq(n);
  for (size_t t = 0; t < n; ++t) {
    seq[t] = of_agent[trace.txns[t].agent].size();
    of_agent[trace.txns[t].agent].push_back(t);
  }
  std::vector<uint32_t> vv(n * agents, 0);
  std::vector<TxnPlan> plans(n);
  std::vector<uint64_t> revision_of(agents, 0);
  std::vector<std::pair<uint64_t, size_t>> moved;  // (revision, transaction)
  for (size_t t = 0; t < n; ++t) {
    const uint32_t a = trace.txns[t].agent;
    uint32_t* row = &vv[t * agents];
    for (uint32_t p : trace.txns[t].parents) {
      const uint32_t* parent = &vv[p * agents];
      for (size_t b = 0; b < agents; ++b) row[b] = std::max(row[b], parent[b]);
      row[trace.txns[p].agent] = std::max(row[trace.txns[p].agent], seq[p] + 1);
    }
    if (row[a] != seq[t]) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "txns[%d]: agent %d made txns[%d], which is not in the history of this transaction's parents; an OT client "
          "cannot go back to an older version to edit it (replay through --engine egwalker)",
          t, a, of_agent[a][seq[t] - 1]));
    }
    // The client catches up as far as the parents need, never back.
    uint64_t revision = revision_of[a];
    for (size_t b = 0; b < agents; ++b) {
      if (b != a && row[b] > 0) revision = std::max<uint64_t>(revision, of_agent[b][row[b] - 1] + 1);
    }
    revision_of[a] = revision;
    plans[t].revision = revision;
    for (size_t b = 0; b < agents && !plans[t].moved; ++b) {
      const size_t before = std::lower_bound(of_agent[b].begin(), of_agent[b].end(), revision) - of_agent[b].begin();
      plans[t].moved = b != a && before > row[b];
    }
    if (plans[t].moved) moved.emplace_back(revision, t);
  }
  if (moved.empty()) return plans;

  // Move the edits of those transactions by the Eg-walker walk: a document
  // of the server's first `revision` transactions, plus the agent's own
  // later ones, merging the transaction reports its edits on that text.
  absl::StatusOr<TraceEvents> events = EventsOfTrace(trace);
  if (!events.ok()) return events.status();
  auto runs_of = [&](size_t t) {
    return std::vector<egwalker::EventRun>(events->runs.begin() + events->runs_of[t].first,
                                           events->runs.begin() + events->runs_of[t].second);
  };
  std::sort(moved.begin(), moved.end());
  egwalker::EgwalkerDocument prefix;
  size_t prefix_end = 0;
  for (const auto& [revision, t] : moved) {
    for (; prefix_end < revision; ++prefix_end) {
      if (absl::Status s = prefix.Merge(runs_of(prefix_end)); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrFormat("txns[%d]: %s", prefix_end, s.message()));
      }
    }
    egwalker::EgwalkerDocument at_client = prefix;
    const std::vector<size_t>& own = of_agent[trace.txns[t].agent];
    for (auto o = std::lower_bound(own.begin(), own.end(), revision); *o < t; ++o) {
      if (absl::Status s = at_client.Merge(runs_of(*o)); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrFormat("txns[%d]: %s", *o, s.message()));
      }
    }
    egwalker::EgwalkerDocument::MergeReport report;
    if (absl::Status s = at_client.Merge(runs_of(t), &report); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("txns[%d]: %s", t, s.message()));
    }
    for (const egwalker::TextEdit& edit : report.edits) {
      plans[t].edits.push_back(Edit{.is_delete = edit.kind == egwalker::EditKind::kDelete,
                                    .position = edit.position,
                                    .count = edit.count,
                                    .text = edit.content});
    }
  }
  return plans;
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
  absl::StatusOr<std::vector<TxnPlan>> plans = PlanTxns(trace);
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
