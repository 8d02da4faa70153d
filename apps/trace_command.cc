// `collabsim trace`: a real recorded editing session replayed through an
// engine (sim/trace_replay.h), next to a plain string-splice replay of the
// same edits; a concurrent trace (with parents) through the engine's document
// (Eg-walker, the CRDT sequences, server-ordered OT), as the Eg-walker paper measures it
// (apps/concurrent_trace_replay.h). Local and remote replay must both end with the trace's
// endContent, and so must the client's stored state once decoded. Times are
// wall-clock measurements of this process (the simulator is not involved),
// so they vary between runs; everything else does not.
#include <functional>
#include <iostream>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "apps/commands.h"
#include "apps/wall_timer.h"
#include "engines/common/utf8.h"
#include "engines/registry.h"
#include "sim/editing_trace.h"
#include "apps/trace_replay.h"
#include "apps/concurrent_trace_crdt.h"
#include "apps/concurrent_trace_lww.h"
#include "apps/concurrent_trace_ot.h"
#include "apps/concurrent_trace_replay.h"

namespace collabsim::apps {
namespace {

constexpr int kExitViolation = 1;
constexpr int kExitBadInput = 2;

// How many of `expected`'s lines `text` has, each line counted as often as
// it occurs (a multiset): a measure of what a lossy engine kept.
struct LinesKept {
  uint64_t lines = 0;
  uint64_t missing = 0;
};
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t start = 0;;) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return lines;
    start = end + 1;
  }
}

LinesKept LinesOfIn(std::string_view expected, std::string_view text) {
  absl::flat_hash_map<std::string_view, uint64_t> have;
  for (std::string_view line : Lines(text)) ++have[line];
  LinesKept kept;
  for (std::string_view line : Lines(expected)) {
    ++kept.lines;
    auto it = have.find(line);
    if (it == have.end() || it->second == 0) {
      ++kept.missing;
    } else {
      --it->second;
    }
  }
  return kept;
}

// A concurrent trace through the engine's document (apps/concurrent_trace_replay.h).
int ConcurrentTrace(const TraceFlags& flags, const Engine& engine, const sim::EditingTrace& trace, double load_ms) {
  const std::string& name = engine.traits().name;
  std::function<absl::StatusOr<ConcurrentReplay>()> replay_through;
  const bool egwalker = name == "egwalker" || name == "egwalker-mesh";  // one document, either topology
  if (egwalker) {
    replay_through = [&] { return ReplayConcurrentTraceEgwalker(trace); };
  } else if (name == "crdt" || name == "crdt-mesh") {
    replay_through = [&] { return ReplayConcurrentTraceCrdt(trace, crdt::Integration::kFugueMax); };
  } else if (name == "crdt-rga") {
    replay_through = [&] { return ReplayConcurrentTraceCrdt(trace, crdt::Integration::kRga); };
  } else if (name == "ot") {
    replay_through = [&] { return ReplayConcurrentTraceOt(trace); };
  } else if (engine.traits().lossy_by_design) {
    replay_through = [&] { return ReplayConcurrentTraceLww(trace, engine); };
  } else {
    std::cerr << "collabsim trace: " << flags.path << ": a concurrent trace; it replays through --engine egwalker, "
              << "egwalker-mesh, crdt, crdt-mesh, crdt-rga, ot, lww or lww-document (" << name
              << " replays sequential traces: use the _flat variant if there is one)\n";
    return kExitBadInput;
  }
  std::cout << absl::StrFormat(
      "trace:            %s: concurrent, %d agents, %d transactions, %d patches, endContent %d characters; loaded in "
      "%.1f ms\n",
      flags.path, trace.num_agents, trace.txns.size(), trace.PatchCount(), CountCodePoints(trace.end_content), load_ms);
  std::cerr << "[trace] replaying " << trace.txns.size() << " transactions on " << trace.num_agents
            << " replicas, then the remote merge...\n";
  absl::StatusOr<ConcurrentReplay> replay = replay_through();
  if (!replay.ok()) {
    std::cerr << "collabsim trace: " << flags.path << ": " << replay.status().message() << "\n";
    return kExitBadInput;
  }
  std::cout << absl::StrFormat("%-17s %.1f ms remote merge of %d events; %.1f ms per-agent replay", name + ":",
                               replay->remote_merge_ms, replay->events, replay->replay_ms);
  if (egwalker) std::cout << absl::StrFormat(" (%d walks)", replay->walks);
  if (name == "ot" || engine.traits().lossy_by_design) {
    std::cout << absl::StrFormat(" (%d transactions moved to their client's server revision first)", replay->moved_txns);
  }
  std::cout << "\n";
  if (replay->clamped_edits > 0) {
    std::cout << absl::StrFormat(
        "clamped:          %d edits ran past the end of %s's text at their parents' version and were clamped to it "
        "(its order of concurrent inserts, and so what later deletes hit, differs from the trace's)\n",
        replay->clamped_edits, name);
  }
  std::cout << absl::StrFormat("memory:           %d bytes steady (%s); merge state at its peak %d bytes\n",
                               replay->steady_bytes, replay->steady_parts, replay->merge_peak_bytes);
  std::cout << absl::StrFormat("encoded:          %d bytes (%s), decoded and checked in %.1f ms\n",
                               replay->encoded_bytes, replay->encoded_parts, replay->decode_ms);
  if (!replay->replicas_converged) {
    std::cerr << "collabsim trace: the agents' replicas did not converge on the remote merge's text\n";
    return kExitViolation;
  }
  if (replay->final_text == trace.end_content) {
    std::cout << "endContent:       matched by every agent's replica and the remote merge\n";
    return 0;
  }
  const std::string& expected = trace.end_content;
  size_t first = 0;
  while (first < expected.size() && first < replay->final_text.size() && expected[first] == replay->final_text[first]) {
    ++first;
  }
  if (engine.traits().lossy_by_design) {
    // Losing concurrent writes is what the engine does; say how much.
    const LinesKept kept = LinesOfIn(expected, replay->final_text);
    std::cout << absl::StrFormat(
        "endContent:       differs from byte %d on (%d bytes against %d): %s keeps the last of concurrent "
        "writes to one register (lossy by design); writes replaced by a concurrent one: %d; endContent's lines "
        "not in the text as written: %d of %d\n",
        first, replay->final_text.size(), expected.size(), name, replay->overwritten_writes, kept.missing, kept.lines);
    return 0;
  }
  // A tie-break for concurrent inserts at one place other than the trace
  // author's may order them differently; say where, never hide it.
  std::cout << absl::StrFormat(
      "endContent:       differs from the replicas' common text from byte %d on (%d bytes against %d): concurrent "
      "inserts at one place ordered differently\n",
      first, replay->final_text.size(), expected.size());
  return kExitViolation;
}

}  // namespace

int TraceCommand(const TraceFlags& flags) {
  absl::StatusOr<const Engine*> engine = FindEngine(flags.engine);
  if (!engine.ok()) {
    std::cerr << "collabsim trace: " << engine.status().message() << "\n";
    return kExitBadInput;
  }
  if ((*engine)->traits().negative_control) {
    // A negative control is wrong on purpose; timing it on a trace says
    // nothing, and a failure would read as a bad trace.
    std::cerr << "collabsim trace: " << (*engine)->traits().name
              << " is a negative control (wrong on purpose); `trace` replays traces through the engines meant "
                 "for use (see `collabsim list`)\n";
    return kExitBadInput;
  }
  auto start = WallClock::now();
  absl::StatusOr<sim::EditingTrace> trace = sim::LoadEditingTrace(flags.path);
  const double load_ms = MsSince(start);
  if (!trace.ok()) {
    std::cerr << "collabsim trace: " << trace.status().message() << "\n";
    return kExitBadInput;
  }
  if (trace->concurrent) return ConcurrentTrace(flags, **engine, *trace, load_ms);
  start = WallClock::now();
  absl::StatusOr<std::string> spliced = ReplaySplices(*trace);
  const double splice_ms = MsSince(start);
  if (!spliced.ok() || *spliced != trace->end_content) {
    std::cerr << "collabsim trace: " << flags.path << ": "
              << (spliced.ok() ? "splicing every patch does not give endContent" : spliced.status().message()) << "\n";
    return kExitBadInput;
  }
  if (!trace->start_content.empty()) {
    std::cerr << "collabsim trace: " << flags.path << ": startContent must be empty for an engine replay\n";
    return kExitBadInput;
  }
  std::cout << absl::StrFormat("trace:            %s: %d patches in %d transactions, final %d characters; loaded in %.1f ms\n",
                               flags.path, trace->PatchCount(), trace->txns.size(), CountCodePoints(*spliced), load_ms);
  std::cout << absl::StrFormat("splice baseline:  %.1f ms (%s replace per patch)\n", splice_ms,
                               EveryCharacterIsAscii(*trace) ? "std::string" : "std::u32string");

  DirectRelay relay(**engine);
  Replica& writer = relay.AddClient(1);
  if (absl::Status s = relay.Pump(); !s.ok()) {
    std::cerr << "collabsim trace: engine error while connecting: " << s.message() << "\n";
    return kExitViolation;
  }
  std::cerr << "[trace] local replay of " << trace->PatchCount() << " patches...\n";
  if (absl::Status s = relay.ReplayLocally(*trace, 1); !s.ok()) {
    std::cerr << "collabsim trace: local replay: " << s.message() << "\n";
    return kExitViolation;
  }
  const double local_ms = relay.client_ms(1);
  if (writer.GetView().text != trace->end_content) {
    std::cerr << "collabsim trace: local replay does not end with endContent\n";
    return kExitViolation;
  }
  std::cerr << "[trace] remote replay...\n";
  Replica& reader = relay.AddClient(2);
  if (absl::Status s = relay.Pump(); !s.ok()) {
    std::cerr << "collabsim trace: engine error in remote replay: " << s.message() << "\n";
    return kExitViolation;
  }
  const double remote_ms = relay.client_ms(2);
  if (reader.GetView().text != trace->end_content) {
    std::cerr << "collabsim trace: remote replay does not end with endContent\n";
    return kExitViolation;
  }
  const MemoryStats memory = writer.Stats().memory;
  const std::string stored = writer.DurableState();
  start = WallClock::now();
  absl::StatusOr<std::unique_ptr<Replica>> restored = (*engine)->RestoreClient(1, stored, EngineOptions{});
  const double decode_ms = MsSince(start);
  if (!restored.ok() || (*restored)->GetView().text != trace->end_content) {
    std::cerr << "collabsim trace: the encoded document does not decode to endContent\n";
    return kExitViolation;
  }
  std::cout << absl::StrFormat("%-17s %.1f ms local replay (%.2fx splice), %.1f ms remote replay (%.2fx)\n",
                               (*engine)->traits().name + ":", local_ms, local_ms / splice_ms, remote_ms,
                               remote_ms / splice_ms);
  std::cout << absl::StrFormat(
      "memory:           %d bytes (content %d, metadata %d, tombstones %d, history %d, buffered %d, merge state %d)\n",
      memory.Total(), memory.content_bytes, memory.metadata_bytes, memory.tombstone_bytes, memory.history_bytes,
      memory.buffered_bytes, memory.merge_bytes);
  std::cout << absl::StrFormat("encoded:          %d bytes (the client's stored state), decoded in %.1f ms\n",
                               stored.size(), decode_ms);
  std::cout << "endContent:       matched by local replay, remote replay and the decoded copy\n";
  return 0;
}

}  // namespace collabsim::apps
