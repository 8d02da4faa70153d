// `collabsim trace`: a real recorded editing session replayed through an
// engine, next to a plain string-splice replay of the same edits. Local
// replay: the edits as one user's intents on a client kept in sync with a
// server. Remote replay: a second client that joins afterwards and receives
// the whole document as updates. Both must end with the trace's endContent.
// Times are wall-clock measurements of this process (the simulator is not
// involved), so they vary between runs; everything else does not.
#include <chrono>
#include <iostream>

#include "absl/strings/str_format.h"
#include "apps/commands.h"
#include "engines/common/utf8.h"
#include "engines/registry.h"
#include "sim/editing_trace.h"

namespace collabsim::apps {
namespace {

constexpr int kExitViolation = 1;
constexpr int kExitBadInput = 2;

using Clock = std::chrono::steady_clock;
double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A server and clients with every message delivered at once; the time each
// replica spends is added to its counter.
class Bench {
 public:
  explicit Bench(const Engine& engine) : engine_(engine), server_(engine.CreateServer(EngineOptions{})) {}

  Replica& Add(ReplicaId id) {
    clients_.push_back(engine_.CreateClient(id, EngineOptions{}));
    ms_.push_back(0);
    server_->Connected(id);
    clients_.back()->Connected(kServerReplica);
    return *clients_.back();
  }
  // Delivers until nothing is in flight; false (with `error`) if a replica
  // refused a message.
  bool Pump(std::string* error) {
    for (bool any = true; any;) {
      any = false;
      for (size_t k = 0; k < clients_.size(); ++k) {
        for (OutgoingMessage& m : clients_[k]->TakeOutbox()) {
          any = true;
          if (absl::Status s = server_->Receive(clients_[k]->id(), m.bytes); !s.ok()) return Fail(s, error);
        }
      }
      for (OutgoingMessage& m : server_->TakeOutbox()) {
        any = true;
        Replica& to = *clients_[m.to - 1];
        const auto start = Clock::now();
        const absl::Status s = to.Receive(kServerReplica, m.bytes);
        ms_[m.to - 1] += MsSince(start);
        if (!s.ok()) return Fail(s, error);
      }
    }
    return true;
  }
  double& ms(ReplicaId id) { return ms_[id - 1]; }

 private:
  static bool Fail(const absl::Status& status, std::string* error) {
    *error = std::string(status.message());
    return false;
  }
  const Engine& engine_;
  std::unique_ptr<Replica> server_;
  std::vector<std::unique_ptr<Replica>> clients_;
  std::vector<double> ms_;
};

}  // namespace

int TraceCommand(const TraceFlags& flags) {
  absl::StatusOr<const Engine*> engine = FindEngine(flags.engine);
  if (!engine.ok()) {
    std::cerr << "collabsim trace: " << engine.status().message() << "\n";
    return kExitBadInput;
  }
  auto start = Clock::now();
  absl::StatusOr<sim::EditingTrace> trace = sim::LoadEditingTrace(flags.path);
  const double load_ms = MsSince(start);
  if (!trace.ok()) {
    std::cerr << "collabsim trace: " << trace.status().message() << "\n";
    return kExitBadInput;
  }
  if (trace->concurrent) {
    std::cerr << "collabsim trace: " << flags.path
              << ": a concurrent trace; `trace` replays sequential traces (use the _flat variant)\n";
    return kExitBadInput;
  }
  start = Clock::now();
  absl::StatusOr<std::u32string> spliced = sim::ReplaySplices(*trace);
  const double splice_ms = MsSince(start);
  if (!spliced.ok() || EncodeUtf8(*spliced) != trace->end_content) {
    std::cerr << "collabsim trace: " << flags.path << ": "
              << (spliced.ok() ? "splicing every patch does not give endContent" : spliced.status().message()) << "\n";
    return kExitBadInput;
  }
  if (!trace->start_content.empty()) {
    std::cerr << "collabsim trace: " << flags.path << ": startContent must be empty for an engine replay\n";
    return kExitBadInput;
  }
  std::cout << absl::StrFormat("trace:            %s: %d patches in %d transactions, final %d characters; loaded in %.1f ms\n",
                               flags.path, trace->PatchCount(), trace->txns.size(), spliced->size(), load_ms);
  std::cout << absl::StrFormat("splice baseline:  %.1f ms (std::u32string replace per patch)\n", splice_ms);

  Bench bench(**engine);
  Replica& writer = bench.Add(1);
  std::string error;
  if (!bench.Pump(&error)) {
    std::cerr << "collabsim trace: engine error while connecting: " << error << "\n";
    return kExitViolation;
  }
  std::cerr << "[trace] local replay of " << trace->PatchCount() << " patches...\n";
  uint64_t seq = 0;
  double local_ms = 0;
  for (const sim::TraceTxn& txn : trace->txns) {
    for (const sim::TracePatch& patch : txn.patches) {
      const auto t0 = Clock::now();
      absl::Status status;
      if (patch.delete_count > 0) {
        status = writer.ApplyLocal(Intent{IntentId{1, ++seq}, DeleteText{patch.position, patch.delete_count}});
      }
      if (status.ok() && !patch.insert.empty()) {
        status = writer.ApplyLocal(Intent{IntentId{1, ++seq}, InsertText{patch.position, patch.insert}});
      }
      local_ms += MsSince(t0);
      if (!status.ok()) {
        std::cerr << "collabsim trace: the engine refused a patch: " << status.message() << "\n";
        return kExitViolation;
      }
    }
    if (!bench.Pump(&error)) {  // acks and the like, as a live session would get them
      std::cerr << "collabsim trace: engine error: " << error << "\n";
      return kExitViolation;
    }
  }
  local_ms += bench.ms(1);
  if (writer.GetView().text != trace->end_content) {
    std::cerr << "collabsim trace: local replay does not end with endContent\n";
    return kExitViolation;
  }
  std::cerr << "[trace] remote replay...\n";
  Replica& reader = bench.Add(2);
  if (!bench.Pump(&error)) {
    std::cerr << "collabsim trace: engine error in remote replay: " << error << "\n";
    return kExitViolation;
  }
  if (reader.GetView().text != trace->end_content) {
    std::cerr << "collabsim trace: remote replay does not end with endContent\n";
    return kExitViolation;
  }
  const MemoryStats memory = writer.Stats().memory;
  const std::string stored = writer.DurableState();
  start = Clock::now();
  absl::StatusOr<std::unique_ptr<Replica>> restored = (*engine)->RestoreClient(1, stored, EngineOptions{});
  const double decode_ms = MsSince(start);
  if (!restored.ok() || (*restored)->GetView().text != trace->end_content) {
    std::cerr << "collabsim trace: the encoded document does not decode to endContent\n";
    return kExitViolation;
  }
  std::cout << absl::StrFormat("%-17s %.1f ms local replay (%.2fx splice), %.1f ms remote replay (%.2fx)\n",
                               (*engine)->traits().name + ":", local_ms, local_ms / splice_ms, bench.ms(2),
                               bench.ms(2) / splice_ms);
  std::cout << absl::StrFormat("memory:           %d bytes (content %d, metadata %d, tombstones %d, history %d)\n",
                               memory.Total(), memory.content_bytes, memory.metadata_bytes, memory.tombstone_bytes,
                               memory.history_bytes);
  std::cout << absl::StrFormat("encoded:          %d bytes (the client's stored state), decoded in %.1f ms\n",
                               stored.size(), decode_ms);
  std::cout << "endContent:       matched by local replay, remote replay and the decoded copy\n";
  return 0;
}

}  // namespace collabsim::apps
