// Flattens RunResult into CSV columns.
#include "reports/csv_writer.h"

#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/aggregate.h"

namespace collabsim::reports {
namespace {

std::string Quote(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string RunsToCsv(const results::ResultsFile& file) {
  std::string out =
      "scenario,engine,seed,trace_hash,converged,violations,first_violation,intents,edit_intents,messages,"
      "bytes,wire_bytes,messages_dropped,connection_drops,latency_samples,p50_ms,p95_ms,p99_ms,max_ms,mean_ms,"
      "convergence_s,simulated_s,events,server_bytes_peak,client_bytes_peak,history_bytes,tokens_inserted,"
      "tokens_deleted,lost,duplicated,resurrected,corrupted,loss_rate,measured_cpu_s,measured_local_apply_us_mean,"
      "measured_local_apply_us_p99,measured_max_receive_ms,canvas_objects,property_writes,index_bytes_max,"
      "index_bytes_mean,cursor_samples,cursor_p50_ms,cursor_p95_ms,cursor_p99_ms,presence_messages,"
      "presence_wire_bytes,presence_bytes_per_user_s,presence_dropped,server_merge_bytes_peak,client_merge_bytes_peak";
  // One column per probe, named as in the first run (every run lists them all).
  std::vector<std::string> probe_names;
  if (file.runs_size() > 0) {
    for (const auto& probe : file.runs(0).probes()) probe_names.push_back(probe.name());
  }
  for (const std::string& name : probe_names) out += ",probe_" + name;
  out += "\n";
  for (const auto& r : file.runs()) {
    const std::string first = r.violations_size() > 0
                                  ? r.violations(0).invariant() + ": " + r.violations(0).detail()
                                  : "";
    const auto& l = r.remote_visible();
    const auto& o = r.oracle();
    std::vector<std::string> cells = {
        Quote(r.scenario()), Quote(r.engine()), absl::StrFormat("%d", r.seed()), r.trace_hash(),
        r.converged() ? "true" : "false", absl::StrFormat("%d", r.violations_size()), Quote(first),
        absl::StrFormat("%d", r.intents()), absl::StrFormat("%d", r.edit_intents()),
        absl::StrFormat("%d", r.messages()), absl::StrFormat("%d", r.bytes()), absl::StrFormat("%d", r.wire_bytes()),
        absl::StrFormat("%d", r.messages_dropped()), absl::StrFormat("%d", r.connection_drops()),
        absl::StrFormat("%d", l.samples()), absl::StrFormat("%.6f", l.p50_ms()), absl::StrFormat("%.6f", l.p95_ms()),
        absl::StrFormat("%.6f", l.p99_ms()), absl::StrFormat("%.6f", l.max_ms()), absl::StrFormat("%.6f", l.mean_ms()),
        absl::StrFormat("%.6f", r.convergence_s()), absl::StrFormat("%.6f", r.simulated_s()),
        absl::StrFormat("%d", r.events()), absl::StrFormat("%d", r.memory().server_bytes_peak()),
        absl::StrFormat("%d", r.memory().client_bytes_peak()), absl::StrFormat("%d", r.memory().history_bytes()),
        absl::StrFormat("%d", o.tokens_inserted()), absl::StrFormat("%d", o.tokens_deleted()),
        absl::StrFormat("%d", o.lost()), absl::StrFormat("%d", o.duplicated()), absl::StrFormat("%d", o.resurrected()),
        absl::StrFormat("%d", o.corrupted()), TypedText(r) ? absl::StrFormat("%.6f", o.loss_rate()) : "",
        absl::StrFormat("%.4f", r.measured_cpu_s()), absl::StrFormat("%.3f", r.measured_local_apply_us_mean()),
        absl::StrFormat("%.3f", r.measured_local_apply_us_p99()), absl::StrFormat("%.3f", r.measured_max_receive_ms()),
        absl::StrFormat("%d", r.canvas().objects()), absl::StrFormat("%d", r.canvas().property_writes()),
        absl::StrFormat("%d", r.canvas().index_bytes_max()), absl::StrFormat("%.3f", r.canvas().index_bytes_mean())};
    // Presence cells stay empty for runs without it, never a 0 that reads as "instant".
    const auto& p = r.presence();
    const auto& c = p.cursor_latency();
    for (const std::string& cell :
         {absl::StrFormat("%d", c.samples()), absl::StrFormat("%.6f", c.p50_ms()), absl::StrFormat("%.6f", c.p95_ms()),
          absl::StrFormat("%.6f", c.p99_ms()), absl::StrFormat("%d", p.messages()),
          absl::StrFormat("%d", p.wire_bytes()), absl::StrFormat("%.3f", p.bytes_per_user_s()),
          absl::StrFormat("%d", p.dropped())}) {
      cells.push_back(p.enabled() ? cell : "");
    }
    cells.push_back(absl::StrFormat("%d", r.memory().server_merge_bytes_peak()));
    cells.push_back(absl::StrFormat("%d", r.memory().client_merge_bytes_peak()));
    for (const std::string& name : probe_names) {
      uint64_t count = 0;
      for (const auto& probe : r.probes()) count = probe.name() == name ? probe.count() : count;
      cells.push_back(absl::StrFormat("%d", count));
    }
    out += absl::StrJoin(cells, ",") + "\n";
  }
  return out;
}

}  // namespace collabsim::reports
