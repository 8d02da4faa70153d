#include "apps/concurrent_trace_replay.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_format.h"
#include "apps/wall_timer.h"
#include "engines/common/utf8.h"
#include "engines/common/intent.h"
#include "engines/egwalker/event_columns.h"
#include "engines/egwalker/intent_document.h"

namespace collabsim::apps {
namespace {

using egwalker::EgwalkerDocument;
using egwalker::EventRun;
using egwalker::RemoteId;
// The runs of the transactions MissingTxns finds.
std::vector<EventRun> MissingHistory(const sim::EditingTrace& trace, const TraceEvents& events, size_t txn,
                                     bool inclusive, std::vector<bool>* merged) {
  std::vector<EventRun> runs;
  for (size_t t : MissingTxns(trace, txn, inclusive, merged)) {
    for (size_t k = events.runs_of[t].first; k < events.runs_of[t].second; ++k) runs.push_back(events.runs[k]);
  }
  return runs;
}

absl::Status TxnError(size_t txn, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrFormat("txns[%d]: %s", txn, status.message()));
}

}  // namespace

std::vector<size_t> MissingTxns(const sim::EditingTrace& trace, size_t txn, bool inclusive,
                                std::vector<bool>* merged) {
  std::vector<size_t> stack;
  if (inclusive) {
    stack.push_back(txn);
  } else {
    for (uint32_t parent : trace.txns[txn].parents) stack.push_back(parent);
  }
  std::vector<size_t> found;
  while (!stack.empty()) {
    const size_t t = stack.back();
    stack.pop_back();
    if ((*merged)[t]) continue;
    (*merged)[t] = true;
    found.push_back(t);
    for (uint32_t parent : trace.txns[t].parents) stack.push_back(parent);
  }
  std::sort(found.begin(), found.end());
  return found;
}

absl::StatusOr<TraceEvents> EventsOfTrace(const sim::EditingTrace& trace) {
  TraceEvents events;
  std::vector<std::vector<RemoteId>> version_after(trace.txns.size());
  std::vector<uint64_t> next_seq(trace.num_agents, 0);
  for (size_t t = 0; t < trace.txns.size(); ++t) {
    const sim::TraceTxn& txn = trace.txns[t];
    std::vector<RemoteId> version;
    for (uint32_t parent : txn.parents) {
      version.insert(version.end(), version_after[parent].begin(), version_after[parent].end());
    }
    const size_t first = events.runs.size();
    auto add = [&](EventRun run) {
      run.id = RemoteId{txn.agent, next_seq[txn.agent]};
      run.parents = std::move(version);
      next_seq[txn.agent] += run.length;
      version = {RemoteId{txn.agent, next_seq[txn.agent] - 1}};
      events.runs.push_back(std::move(run));
    };
    for (size_t p = 0; p < txn.patches.size(); ++p) {
      const sim::TracePatch& patch = txn.patches[p];
      if (patch.delete_count > 0) {
        EventRun run;
        run.kind = egwalker::EditKind::kDelete;
        run.position = patch.position;
        run.length = patch.delete_count;
        add(std::move(run));
      }
      if (!patch.insert.empty()) {
        absl::StatusOr<std::u32string> text = DecodeUtf8(patch.insert);
        if (!text.ok()) return absl::InvalidArgumentError(absl::StrFormat("txns[%d].patches[%d]: not UTF-8", t, p));
        EventRun run;
        run.kind = egwalker::EditKind::kInsert;
        run.position = patch.position;
        run.length = text->size();
        run.content = *std::move(text);
        add(std::move(run));
      }
    }
    events.runs_of.emplace_back(first, events.runs.size());
    version_after[t] = std::move(version);
  }
  return events;
}

absl::Status ValidateConcurrentTrace(const sim::EditingTrace& trace) {
  absl::StatusOr<TraceEvents> events = EventsOfTrace(trace);
  if (!events.ok()) return events.status();
  EgwalkerDocument document;
  for (size_t t = 0; t < trace.txns.size(); ++t) {
    const std::vector<EventRun> runs(events->runs.begin() + events->runs_of[t].first,
                                     events->runs.begin() + events->runs_of[t].second);
    if (absl::Status status = document.Merge(runs); !status.ok()) return TxnError(t, status);
  }
  return absl::OkStatus();
}

absl::StatusOr<ConcurrentReplay> ReplayConcurrentTraceEgwalker(const sim::EditingTrace& trace) {
  absl::StatusOr<TraceEvents> events = EventsOfTrace(trace);
  if (!events.ok()) return events.status();
  ConcurrentReplay result;
  result.events = 0;
  for (const EventRun& run : events->runs) result.events += run.length;

  // Every agent's replica, transaction by transaction.
  std::vector<std::unique_ptr<EgwalkerDocument>> replicas;
  std::vector<std::vector<bool>> merged(trace.num_agents, std::vector<bool>(trace.txns.size(), false));
  for (uint32_t a = 0; a < trace.num_agents; ++a) replicas.push_back(std::make_unique<EgwalkerDocument>());
  auto start = WallClock::now();
  for (size_t t = 0; t < trace.txns.size(); ++t) {
    const uint32_t agent = trace.txns[t].agent;
    EgwalkerDocument& replica = *replicas[agent];
    if (absl::Status status = replica.Merge(MissingHistory(trace, *events, t, false, &merged[agent])); !status.ok()) {
      return TxnError(t, status);
    }
    if (absl::Status status = replica.Merge(MissingHistory(trace, *events, t, true, &merged[agent])); !status.ok()) {
      return TxnError(t, status);
    }
  }
  result.replay_ms = MsSince(start);
  for (const auto& replica : replicas) result.walks += replica->merges();

  // The remote merge.
  start = WallClock::now();
  EgwalkerDocument remote;
  if (absl::Status status = remote.Merge(events->runs); !status.ok()) return status;
  result.remote_merge_ms = MsSince(start);
  result.final_text = remote.text().ToUtf8();
  result.merge_peak_bytes = remote.merge_peak_bytes();
  const uint64_t text = remote.text().AllocatedBytes(), graph = remote.graph().MemoryBytes(),
                 log = remote.log().RunBytes() + remote.log().ContentBytes();
  result.steady_bytes = text + graph + log;
  result.steady_parts = absl::StrFormat("text %d, graph %d, log of every edit %d", text, graph, log);

  // Every agent's replica takes the rest and must agree.
  result.replicas_converged = true;
  for (uint32_t a = 0; a < trace.num_agents; ++a) {
    if (absl::Status status = replicas[a]->Merge(remote.EventsSince(replicas[a]->Version())); !status.ok()) {
      return status;
    }
    result.replicas_converged = result.replicas_converged && replicas[a]->text().ToUtf8() == result.final_text;
  }

  // Local storage: the events (each transaction standing for one intent)
  // and the text, restored by a replay checked against the text.
  egwalker::wire::DurableState state;
  egwalker::wire::Batch runs;
  for (size_t t = 0; t < trace.txns.size(); ++t) {
    for (size_t k = events->runs_of[t].first; k < events->runs_of[t].second; ++k) {
      egwalker::EncodeRun(events->runs[k], IntentId{trace.txns[t].agent + 1, t + 1}, runs.add_runs());
    }
  }
  egwalker::EncodeColumns(runs, state.mutable_columns());
  state.set_text(result.final_text);
  const std::string encoded = state.SerializeAsString();
  result.encoded_bytes = encoded.size();
  result.encoded_parts = "events in columns, and text";
  start = WallClock::now();
  egwalker::wire::DurableState decoded;
  if (!decoded.ParseFromString(encoded)) return absl::InternalError("the encoded document does not parse");
  absl::StatusOr<egwalker::IntentDocument> restored = egwalker::IntentDocument::Restore(decoded);
  result.decode_ms = MsSince(start);
  if (!restored.ok()) return restored.status();
  return result;
}

}  // namespace collabsim::apps
