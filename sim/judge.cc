// The end-of-run checks and summaries (see judge.h).
#include "sim/judge.h"

#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "check/canvas.h"
#include "check/convergence.h"
#include "engines/common/probes.h"
#include "engines/common/register_write.h"
#include "sim/expectations.h"
#include "sim/latency_stats.h"
#include "sim/memory_sample.h"
#include "sim/trace_hash.h"

namespace collabsim::sim {
namespace {

// "12" for a caret, "12-15" for a selection (anchor-head).
std::string DescribeSelection(const Selection& selection) {
  if (selection.anchor == selection.head) return absl::StrFormat("%d", selection.head);
  return absl::StrFormat("%d-%d", selection.anchor, selection.head);
}

// The presence summary and, when judging, the cursor-agreement check.
void JudgePresence(const FinalState& state, RunRecord& record, bool judge, bool converged,
                   const ViolationSink& AddViolation, results::RunResult* result) {
  const std::vector<UserState>& users = *state.users;
  results::PresenceSummary* summary = result->mutable_presence();
  if (!state.presence) return;
  *summary->mutable_cursor_latency() = SummariseLatency(&record.cursor_latencies);
  if (record.flood_user != 0) {
    *summary->mutable_bystander_edit_latency() = SummariseLatency(&record.bystander_edit_latencies);
    *summary->mutable_bystander_cursor_latency() = SummariseLatency(&record.bystander_cursor_latencies);
  }
  uint64_t dropped = state.server_presence != nullptr ? state.server_presence->dropped() : 0;
  uint64_t coalesced = 0;
  for (const UserState& user : users) {
    dropped += user.presence->dropped();
    coalesced += user.presence->coalesced();
  }
  summary->set_dropped(dropped);
  summary->set_coalesced(coalesced);
  const double seconds = std::max(ToSeconds(record.last_event_time - kSimStart), 1e-9);
  summary->set_bytes_per_user_s(static_cast<double>(summary->wire_bytes()) / users.size() / seconds);
  summary->set_messages_per_user_s(static_cast<double>(summary->messages()) / users.size() / seconds);
  // Cursor agreement: once quiet, every user shows every other user's
  // caret on the character its owner's own caret is at (read-only users in
  // too large an audience: every other user, and no caret). Only
  // meaningful over one text, so not judged when the replicas diverged.
  const bool viewers_see_cursors = state.server_presence == nullptr || state.server_presence->ViewersSeeCursors();
  if (!converged) return;
  uint64_t checked = 0;
  for (ReplicaId observer = 1; observer <= users.size(); ++observer) {
    for (ReplicaId owner = 1; owner <= users.size(); ++owner) {
      if (owner == observer) continue;
      ++checked;
      const Selection own = users[owner - 1].replica->carets()->OwnSelection();
      if (own.anchor != own.head) summary->set_selections_checked(summary->selections_checked() + 1);
      if (!judge) continue;
      if (!users[observer - 1].presence->Sees(owner)) {
        AddViolation("cursor_agreement", absl::StrFormat("user %d does not see user %d in the document", observer, owner));
        continue;
      }
      const std::optional<Selection> shown = users[observer - 1].replica->carets()->RemoteSelection(owner);
      if (users[observer - 1].read_only && !viewers_see_cursors) {
        if (shown.has_value()) {
          AddViolation("cursor_agreement", absl::StrFormat("user %d, one of more viewers than see cursors, shows user "
                                                           "%d's cursor",
                                                           observer, owner));
        }
        continue;
      }
      if (!shown.has_value()) {
        AddViolation("cursor_agreement", absl::StrFormat("user %d shows no cursor for user %d, whose cursor is at %s",
                                                         observer, owner, DescribeSelection(own)));
      } else if (*shown != own) {
        AddViolation("cursor_agreement", absl::StrFormat("user %d shows user %d's cursor at %s; user %d's own is at %s",
                                                         observer, owner, DescribeSelection(*shown), owner,
                                                         DescribeSelection(own)));
      }
    }
  }
  summary->set_carets_checked(checked);
}

// The document's checks and summaries: convergence, presence, the canvas
// laws, the intent oracle, probe coverage.
void JudgeDocument(const scenario::Scenario& scenario, const EngineTraits& traits, const FinalState& state,
                   RunRecord& record, JudgeOptions options, const ViolationSink& AddViolation,
                   results::RunResult* result) {
  const bool judge = options.judge;
  const std::vector<UserState>& users = *state.users;
  std::vector<check::NamedView> views;
  if (state.server != nullptr) views.push_back({"server", state.server->GetView()});
  for (const UserState& user : users) views.push_back({absl::StrFormat("user %d", user.id), user.replica->GetView()});
  const std::optional<std::string> divergence = check::CheckConvergence(views);
  result->set_converged(!divergence.has_value());
  result->set_final_text_digest(absl::StrFormat("%016x", HashBytes(views.front().view.text)));
  if (judge && divergence.has_value()) AddViolation("convergence", *divergence);
  JudgePresence(state, record, judge, !divergence.has_value(), AddViolation, result);
  if (judge && scenario.has_design()) {
    for (const check::NamedView& named : views) {
      if (std::optional<std::string> tree = check::CheckTree(named.view.properties); tree.has_value()) {
        AddViolation("tree", absl::StrFormat("%s: %s", named.replica, *tree));
      }
    }
    for (const auto& [invariant, detail] : record.canvas.Check(views.front().view.properties, 3)) {
      AddViolation(invariant, detail);
    }
  }
  results::CanvasSummary* canvas = result->mutable_canvas();
  canvas->set_property_writes(record.canvas.writes());
  uint64_t objects = 0, indexed = 0, index_bytes = 0;
  for (const auto& [key, value] : views.front().view.properties) {
    objects += key.property == kParentProperty;
    if (key.property != kIndexProperty) continue;
    if (const auto* index = std::get_if<std::string>(&value)) {
      ++indexed;
      index_bytes += index->size();
      canvas->set_index_bytes_max(std::max<uint64_t>(canvas->index_bytes_max(), index->size()));
    }
  }
  canvas->set_objects(objects);
  canvas->set_index_bytes_mean(indexed == 0 ? 0 : static_cast<double>(index_bytes) / static_cast<double>(indexed));

  const check::OracleReport oracle = record.oracle.Check(views.front().view.text);
  results::OracleSummary* summary = result->mutable_oracle();
  summary->set_tokens_inserted(oracle.tokens_inserted);
  summary->set_tokens_deleted(oracle.tokens_deleted);
  summary->set_tokens_surviving(oracle.tokens_surviving);
  summary->set_lost(oracle.lost);
  summary->set_duplicated(oracle.duplicated);
  summary->set_resurrected(oracle.resurrected);
  summary->set_corrupted(oracle.corrupted);
  summary->set_loss_rate(oracle.LossRate());
  summary->set_lost_by_crash(oracle.lost_by_crash);
  if (judge && !oracle.Clean() && !traits.lossy_by_design) {
    AddViolation("intent_oracle",
                 absl::StrFormat("%s text: %d lost, %d duplicated, %d resurrected, %d corrupted; e.g. %s",
                                 views.front().replica, oracle.lost, oracle.duplicated, oracle.resurrected, oracle.corrupted,
                                 absl::StrJoin(oracle.examples, "; ")));
  }

  std::map<std::string, uint64_t, std::less<>> probe_counts;
  for (std::string_view name : probes::kAll) probe_counts[std::string(name)] = 0;
  std::vector<const Replica*> replicas;
  if (state.server != nullptr) replicas.push_back(state.server);
  for (const UserState& user : users) replicas.push_back(user.replica.get());
  for (const Replica* replica : replicas) {
    for (const auto& [name, count] : replica->Stats().probes) probe_counts[name] += count;
  }
  for (const auto& [name, count] : probe_counts) {
    results::ProbeCount* probe = result->add_probes();
    probe->set_name(name);
    probe->set_count(count);
  }
  for (const std::string& required : scenario.require_probe()) {
    if (judge && probe_counts[required] == 0 && options.require_probes_per_run) {
      AddViolation("coverage", absl::StrFormat("required probe %s was never hit: the run did not exercise the case "
                                               "the scenario exists for", required));
    }
  }
}

}  // namespace

void JudgeRun(const scenario::Scenario& scenario, const EngineTraits& traits, const FinalState& state,
              RunRecord& record, JudgeOptions options, const ViolationSink& AddViolation, results::RunResult* result) {
  // The ideal reference merges nothing: only its delivery is judged (during
  // the run: liveness, durability), and its text is never read.
  result->set_reference(traits.reference);
  if (!traits.reference) JudgeDocument(scenario, traits, state, record, options, AddViolation, result);

  *result->mutable_remote_visible() = SummariseLatency(&record.remote_latencies);
  *result->mutable_steady_remote_visible() = SummariseLatency(&record.steady_latencies);
  *result->mutable_fault_delayed_remote_visible() = SummariseLatency(&record.fault_delayed_latencies);
  if (!record.local_apply_cpu_ns.empty()) {
    const results::LatencySummary apply = SummariseLatency(&record.local_apply_cpu_ns);  // ns read as "SimTime"
    result->set_measured_local_apply_us_mean(apply.mean_ms() * 1000);
    result->set_measured_local_apply_us_p99(apply.p99_ms() * 1000);
  }
  result->set_simulated_s(ToSeconds(record.last_event_time - kSimStart));
  result->set_convergence_s(ToSeconds(std::max<SimTime>(0, record.last_event_time - record.heal_time)));
  const results::MemorySample& last = result->memory_samples(result->memory_samples_size() - 1);
  results::MemorySummary* memory = result->mutable_memory();
  memory->set_server_bytes(ServerBytes(last));
  memory->set_history_bytes(last.server_history_bytes());
  const uint64_t client_max = last.client_bytes_max();
  memory->set_client_bytes_max(client_max);

  // Last, on the finished results: the scenario's service levels per run.
  if (options.judge) {
    for (const std::string& line : BrokenExpectations(ExpectationsFor(scenario, traits.reference), traits.name, *result)) {
      AddViolation("expectation", line);
    }
  }
}

}  // namespace collabsim::sim
