// Real editing traces replayed in one binary, so the ratios between the rows
// mean something: a plain std::string splice of every patch (the baseline);
// the CRDT's sequence alone taking the patches as local edits and, on a
// second copy, as remote ops; and each engine's client through
// apps::DirectRelay (local edits, and a second client catching up). Traces are
// read from $COLLABSIM_TRACES, else from ../shared/traces beside the source
// tree; a missing trace skips its rows with a message. Concurrent traces
// (S1, A1, friendsforever): the remote merge through every engine that
// replays them (RemoteMerge/ENGINE/TRACE).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <map>

#include "engines/common/utf8.h"
#include "engines/crdt/sequence.h"
#include "engines/registry.h"
#include "apps/trace_replay.h"
#include "apps/concurrent_trace_crdt.h"
#include "apps/concurrent_trace_ot.h"
#include "apps/concurrent_trace_replay.h"
#include "engines/egwalker/egwalker_document.h"

namespace collabsim {
namespace {

const char* const kTraces[] = {"automerge-paper", "seph-blog1"};
const char* const kEngines[] = {"crdt", "ot", "egwalker"};

// A trace and its patches decoded once, outside any timing.
struct LoadedTrace {
  sim::EditingTrace trace;
  struct Patch {
    uint64_t position, delete_count;
    std::u32string insert;
  };
  std::vector<Patch> patches;
};

const LoadedTrace* Load(const std::string& name, std::string* error) {
  static std::map<std::string, absl::StatusOr<LoadedTrace>> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    const char* dir = std::getenv("COLLABSIM_TRACES");
    const std::string path = std::string(dir != nullptr ? dir : COLLABSIM_DEFAULT_TRACES) + "/" + name + ".json.gz";
    absl::StatusOr<sim::EditingTrace> trace = sim::LoadEditingTrace(path);
    absl::StatusOr<LoadedTrace> loaded = absl::InternalError("unset");
    if (!trace.ok()) {
      loaded = trace.status();
    } else {
      loaded = LoadedTrace{*std::move(trace), {}};
      for (const sim::TraceTxn& txn : loaded->trace.txns) {
        for (const sim::TracePatch& p : txn.patches) {
          loaded->patches.push_back({p.position, p.delete_count, *DecodeUtf8(p.insert)});
        }
      }
    }
    it = cache.emplace(name, std::move(loaded)).first;
  }
  if (!it->second.ok()) {
    *error = std::string(it->second.status().message()) + " (set COLLABSIM_TRACES to the traces directory)";
    return nullptr;
  }
  return &*it->second;
}

#define LOAD_OR_SKIP(var, name)                     \
  std::string load_error;                           \
  const LoadedTrace* var = Load(name, &load_error); \
  if (var == nullptr) {                             \
    state.SkipWithError(load_error.c_str());        \
    return;                                         \
  }

void Splice(benchmark::State& state, std::string name) {
  LOAD_OR_SKIP(t, name);
  if (!apps::EveryCharacterIsAscii(t->trace)) {
    state.SkipWithError("the std::string baseline needs an ASCII trace");
    return;
  }
  for (auto _ : state) {
    std::string doc;
    for (const sim::TraceTxn& txn : t->trace.txns) {
      for (const sim::TracePatch& p : txn.patches) doc.replace(p.position, p.delete_count, p.insert);
    }
    benchmark::DoNotOptimize(doc.data());
    if (doc != t->trace.end_content) state.SkipWithError("splice does not give endContent");
  }
  state.SetItemsProcessed(state.iterations() * t->patches.size());
}

// The ops a local replay made, in order.
struct SequenceOps {
  std::vector<crdt::InsertOp> inserts;
  std::vector<crdt::DeleteOp> deletes;
  std::vector<bool> is_insert;
};

// The patches as local edits of one agent; the ops made, if `ops` is given.
std::unique_ptr<crdt::Sequence> SequenceLocal(const LoadedTrace& t, SequenceOps* ops) {
  auto s = std::make_unique<crdt::Sequence>(crdt::Integration::kFugueMax);
  uint64_t counter = 0;
  for (const LoadedTrace::Patch& p : t.patches) {
    if (p.delete_count > 0) {
      crdt::DeleteOp op = s->DeleteLocal(p.position, p.delete_count);
      ++counter;
      if (ops != nullptr) {
        ops->deletes.push_back(std::move(op));
        ops->is_insert.push_back(false);
      }
    }
    if (!p.insert.empty()) {
      crdt::InsertOp op = s->InsertLocal(1, counter, p.position, p.insert);
      counter += p.insert.size();
      if (ops != nullptr) {
        ops->inserts.push_back(std::move(op));
        ops->is_insert.push_back(true);
      }
    }
  }
  return s;
}

void SequenceLocalReplay(benchmark::State& state, std::string name) {
  LOAD_OR_SKIP(t, name);
  uint64_t memory = 0;
  for (auto _ : state) {
    std::unique_ptr<crdt::Sequence> s = SequenceLocal(*t, nullptr);
    state.PauseTiming();
    if (EncodeUtf8(s->Text()) != t->trace.end_content) state.SkipWithError("does not give endContent");
    memory = s->ContentBytes() + s->MetadataBytes() + s->TombstoneBytes();
    s.reset();
    state.ResumeTiming();
  }
  state.counters["memory_bytes"] = static_cast<double>(memory);
  state.SetItemsProcessed(state.iterations() * t->patches.size());
}

void SequenceRemoteReplay(benchmark::State& state, std::string name) {
  LOAD_OR_SKIP(t, name);
  SequenceOps ops;
  SequenceLocal(*t, &ops);
  for (auto _ : state) {
    crdt::Sequence s(crdt::Integration::kFugueMax);
    size_t insert = 0, del = 0;
    for (bool is_insert : ops.is_insert) {
      const absl::Status status = is_insert ? s.Apply(ops.inserts[insert++]) : s.Apply(ops.deletes[del++]);
      if (!status.ok()) std::abort();
    }
    state.PauseTiming();
    if (EncodeUtf8(s.Text()) != t->trace.end_content) state.SkipWithError("does not give endContent");
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * ops.is_insert.size());
}

// Engine rows time only the client being measured (manual time).
void EngineReplay(benchmark::State& state, std::string engine_name, std::string name, bool remote) {
  LOAD_OR_SKIP(t, name);
  const Engine* engine = *FindEngine(engine_name);
  for (auto _ : state) {
    apps::DirectRelay relay(*engine);
    relay.AddClient(1);
    absl::Status status = relay.Pump();
    if (status.ok()) status = relay.ReplayLocally(t->trace, 1);
    double ms = relay.client_ms(1);
    if (remote && status.ok()) {
      relay.AddClient(2);
      status = relay.Pump();
      ms = relay.client_ms(2);
    }
    if (!status.ok() || relay.client(remote ? 2 : 1).GetView().text != t->trace.end_content) {
      state.SkipWithError("replay failed or did not give endContent");
      return;
    }
    state.SetIterationTime(ms / 1000.0);
  }
  state.SetItemsProcessed(state.iterations() * t->patches.size());
}

// Concurrent traces (the Eg-walker paper's): the remote merge, a fresh
// replica taking every event, per engine. What the merge takes is made
// once, outside the timing: Eg-walker's event runs, the operations the
// CRDT's per-agent replay made. OT's merge is the server's work, which
// is interleaved with its clients', so its rows run the whole replay and
// time the server's part (manual time).
const char* const kConcurrentTraces[] = {"S1", "A1", "friendsforever"};

const sim::EditingTrace* LoadConcurrent(const std::string& name, std::string* error) {
  static std::map<std::string, absl::StatusOr<sim::EditingTrace>> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    const char* dir = std::getenv("COLLABSIM_TRACES");
    const std::string path = std::string(dir != nullptr ? dir : COLLABSIM_DEFAULT_TRACES) + "/" + name + ".json.gz";
    absl::StatusOr<sim::EditingTrace> trace = sim::LoadEditingTrace(path);
    if (trace.ok() && !trace->concurrent) trace = absl::InvalidArgumentError(path + ": not a concurrent trace");
    if (trace.ok()) {
      if (absl::Status status = apps::ValidateConcurrentTrace(*trace); !status.ok()) trace = status;
    }
    it = cache.emplace(name, std::move(trace)).first;
  }
  if (!it->second.ok()) {
    *error = std::string(it->second.status().message()) + " (set COLLABSIM_TRACES to the traces directory)";
    return nullptr;
  }
  return &*it->second;
}

#define LOAD_CONCURRENT_OR_SKIP(var, name)                       \
  std::string load_error;                                        \
  const sim::EditingTrace* var = LoadConcurrent(name, &load_error); \
  if (var == nullptr) {                                          \
    state.SkipWithError(load_error.c_str());                     \
    return;                                                      \
  }

void EgwalkerRemoteMerge(benchmark::State& state, std::string name) {
  LOAD_CONCURRENT_OR_SKIP(trace, name);
  absl::StatusOr<apps::TraceEvents> events = apps::EventsOfTrace(*trace);
  if (!events.ok()) {
    state.SkipWithError(std::string(events.status().message()).c_str());
    return;
  }
  for (auto _ : state) {
    egwalker::EgwalkerDocument remote;
    if (!remote.Merge(events->runs).ok()) std::abort();
    state.PauseTiming();
    if (remote.text().ToUtf8() != trace->end_content) state.SkipWithError("does not give endContent");
    state.counters["steady_bytes"] = static_cast<double>(remote.text().AllocatedBytes() + remote.graph().MemoryBytes() +
                                                         remote.log().RunBytes() + remote.log().ContentBytes());
    state.counters["merge_peak_bytes"] = static_cast<double>(remote.merge_peak_bytes());
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * trace->PatchCount());
}

void CrdtRemoteMerge(benchmark::State& state, crdt::Integration integration, std::string name) {
  LOAD_CONCURRENT_OR_SKIP(trace, name);
  absl::StatusOr<apps::CrdtPerAgentReplay> per_agent = apps::ReplayCrdtPerAgent(*trace, integration);
  if (!per_agent.ok()) {
    state.SkipWithError(std::string(per_agent.status().message()).c_str());
    return;
  }
  per_agent->replicas.clear();
  for (auto _ : state) {
    absl::StatusOr<std::unique_ptr<crdt::Sequence>> remote = apps::MergeCrdtOps(per_agent->ops, integration);
    if (!remote.ok()) std::abort();
    state.PauseTiming();
    const crdt::Sequence& s = **remote;
    state.counters["steady_bytes"] = static_cast<double>(s.ContentBytes() + s.MetadataBytes() + s.TombstoneBytes());
    remote->reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * trace->PatchCount());
}

void OtRemoteMerge(benchmark::State& state, std::string name) {
  LOAD_CONCURRENT_OR_SKIP(trace, name);
  for (auto _ : state) {
    absl::StatusOr<apps::ConcurrentReplay> replay = apps::ReplayConcurrentTraceOt(*trace);
    if (!replay.ok()) {
      state.SkipWithError(std::string(replay.status().message()).c_str());
      return;
    }
    state.SetIterationTime(replay->remote_merge_ms / 1000.0);
    state.counters["steady_bytes"] = static_cast<double>(replay->steady_bytes);
  }
  state.SetItemsProcessed(state.iterations() * trace->PatchCount());
}

const bool kRegistered = [] {
  for (const char* trace : kConcurrentTraces) {
    const std::string t = trace;
    benchmark::RegisterBenchmark(("RemoteMerge/egwalker/" + t).c_str(), EgwalkerRemoteMerge, t)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("RemoteMerge/crdt/" + t).c_str(), CrdtRemoteMerge, crdt::Integration::kFugueMax, t)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("RemoteMerge/crdt-rga/" + t).c_str(), CrdtRemoteMerge, crdt::Integration::kRga, t)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("RemoteMerge/ot/" + t).c_str(), OtRemoteMerge, t)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  for (const char* trace : kTraces) {
    const std::string t = trace;
    benchmark::RegisterBenchmark(("Splice/std::string/" + t).c_str(), Splice, t)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("LocalReplay/crdt-sequence/" + t).c_str(), SequenceLocalReplay, t)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("RemoteReplay/crdt-sequence/" + t).c_str(), SequenceRemoteReplay, t)
        ->Unit(benchmark::kMillisecond);
    for (const char* engine : kEngines) {
      const std::string e = engine;
      for (bool remote : {false, true}) {
        benchmark::RegisterBenchmark(((remote ? "RemoteReplay/" : "LocalReplay/") + e + "-client/" + t).c_str(),
                                     EngineReplay, e, t, remote)
            ->UseManualTime()
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  return true;
}();

}  // namespace
}  // namespace collabsim
