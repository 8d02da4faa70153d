// Formats a RunResult for the terminal.
#include "reports/run_summary.h"

#include "absl/strings/str_format.h"
#include "reports/aggregate.h"

namespace collabsim::reports {

std::string FormatRunSummary(const results::RunResult& run) {
  std::string out;
  absl::StrAppendFormat(&out, "converged:        %s\n", run.converged() ? "yes" : "NO");
  absl::StrAppendFormat(&out, "violations:       %d\n", run.violations_size());
  for (const auto& v : run.violations()) absl::StrAppendFormat(&out, "  [%s] %s\n", v.invariant(), v.detail());
  absl::StrAppendFormat(&out, "intents:          %d (%d edits)\n", run.intents(), run.edit_intents());
  absl::StrAppendFormat(&out, "messages:         %d (%d bytes encoded; %d lost to drops)\n", run.messages(),
                        run.bytes(), run.messages_dropped());
  absl::StrAppendFormat(&out, "connection drops: %d (%d in storms; %d reconnects refused by the server)\n",
                        run.connection_drops(), run.storm_drops(), run.connection_refusals());
  const auto& l = run.remote_visible();
  absl::StrAppendFormat(&out, "remote-visible latency (ms, %d samples): p50 %.1f  p95 %.1f  p99 %.1f  max %.1f\n",
                        l.samples(), l.p50_ms(), l.p95_ms(), l.p99_ms(), l.max_ms());
  if (run.presence().enabled()) {
    const auto& p = run.presence();
    const auto& c = p.cursor_latency();
    absl::StrAppendFormat(&out, "cursor latency (ms, %d samples): p50 %.1f  p95 %.1f  p99 %.1f  max %.1f\n", c.samples(),
                          c.p50_ms(), c.p95_ms(), c.p99_ms(), c.max_ms());
    absl::StrAppendFormat(&out, "presence:         %.0f bytes/s and %.2f messages/s per user (%d updates, %d batches, "
                          "%d bytes on the wire; %d cursor changes were selections); %d dropped over the rate limit, "
                          "%d coalesced; %d cursors compared with their owners' at the end, %d with a selection\n",
                          p.bytes_per_user_s(), p.messages_per_user_s(), p.updates_sent(), p.batches_sent(),
                          p.wire_bytes(), p.selections_published(), p.dropped(), p.coalesced(), p.carets_checked(),
                          p.selections_checked());
    if (p.bystander_edit_latency().samples() > 0) {
      absl::StrAppendFormat(&out, "without the flooder: edit latency p50 %.1f p95 %.1f ms, cursor latency p50 %.1f p95 "
                            "%.1f ms (among the other users)\n",
                            p.bystander_edit_latency().p50_ms(), p.bystander_edit_latency().p95_ms(),
                            p.bystander_cursor_latency().p50_ms(), p.bystander_cursor_latency().p95_ms());
    }
  }
  const auto& o = run.oracle();
  if (run.canvas().objects() > 0 || run.canvas().property_writes() > 0) {
    absl::StrAppendFormat(&out, "canvas:           %d objects in the final tree, %d property writes\n",
                          run.canvas().objects(), run.canvas().property_writes());
    if (run.canvas().index_bytes_max() > 0) {
      absl::StrAppendFormat(&out, "fractional index: keys of %.1f bytes on average, longest %d\n",
                            run.canvas().index_bytes_mean(), run.canvas().index_bytes_max());
    }
  }
  if (TypedText(run)) {
    absl::StrAppendFormat(&out, "intent oracle:    %d words typed, %d deleted, %d surviving; lost %d, duplicated %d, "
                          "resurrected %d, corrupted %d; %d died with crashed clients; loss rate %.2f%%\n",
                          o.tokens_inserted(), o.tokens_deleted(), o.tokens_surviving(), o.lost(), o.duplicated(),
                          o.resurrected(), o.corrupted(), o.lost_by_crash(), 100 * o.loss_rate());
  }
  std::string probes;
  for (const auto& probe : run.probes()) absl::StrAppendFormat(&probes, " %s=%d", probe.name(), probe.count());
  absl::StrAppendFormat(&out, "probes:          %s\n", probes);
  absl::StrAppendFormat(&out, "memory:           server %d bytes (history %d), largest client %d bytes\n",
                        run.memory().server_bytes(), run.memory().history_bytes(), run.memory().client_bytes_max());
  absl::StrAppendFormat(&out, "simulated:        %.1f s (quiet %.2f s after heal), %d events, measured CPU %.3f s\n",
                        run.simulated_s(), run.convergence_s(), run.events(), run.measured_cpu_s());
  absl::StrAppendFormat(&out, "local apply CPU:  mean %.2f us, p99 %.2f us (measured)\n",
                        run.measured_local_apply_us_mean(), run.measured_local_apply_us_p99());
  absl::StrAppendFormat(&out, "longest receive:  %.2f ms at replica %d (measured, steady clock)\n", run.measured_max_receive_ms(),
                        run.measured_max_receive_replica());
  absl::StrAppendFormat(&out, "trace_hash:       %s\n", run.trace_hash());
  if (run.determinism_steps_verified() > 0) {
    absl::StrAppendFormat(&out, "determinism:      verified: two runs in this process matched at all %d steps\n",
                          run.determinism_steps_verified());
  }
  return out;
}

}  // namespace collabsim::reports
