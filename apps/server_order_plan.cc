// The plan of a server-ordered replay (see server_order_plan.h).
#include "apps/server_order_plan.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"
#include "apps/concurrent_trace_replay.h"
#include "engines/common/utf8.h"
#include "engines/egwalker/egwalker_document.h"

namespace collabsim::apps {

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

absl::StatusOr<std::vector<TxnPlan>> PlanTxns(const sim::EditingTrace& trace, std::string_view client) {
  const size_t n = trace.txns.size();
  const size_t agents = trace.num_agents;
  if (static_cast<uint64_t>(n) * agents > kMaxPlanVersionEntries) {
    return absl::ResourceExhaustedError(absl::StrFormat(
        "%d transactions of %d agents: a server-ordered replay keeps a version vector per transaction, at most %d "
        "entries",
        n, agents, kMaxPlanVersionEntries));
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
          "txns[%d]: agent %d made txns[%d], which is not in the history of this transaction's parents; %s "
          "cannot go back to an older version to edit it (replay through --engine egwalker)",
          t, a, of_agent[a][seq[t] - 1], client));
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

}  // namespace collabsim::apps
