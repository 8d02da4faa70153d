// What presence costs per step: a run asks every client for its encoded
// cursor after every step, and most steps do not move it, so the idle ask
// must be far cheaper than encoding; and the server room's batch tick with
// a 50-user document where everyone moved.
#include <benchmark/benchmark.h>

#include <string>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/presence/presence_room.h"
#include "engines/registry.h"

namespace collabsim {
namespace {

constexpr ReplicaId kUser = 1;

// A client that typed `words` words alone (its ops pending, as offline).
std::unique_ptr<Replica> ClientWithText(const char* engine, int words) {
  auto found = FindEngine(engine);
  COLLABSIM_CHECK(found.ok());
  std::unique_ptr<Replica> client = (*found)->CreateClient(kUser, EngineOptions{});
  uint64_t seq = 0;
  for (int k = 0; k < words; ++k) {
    const std::string word = absl::StrFormat("w%d%s", k, k % 12 == 11 ? "\n" : " ");
    const absl::Status typed =
        client->ApplyLocal(Intent{IntentId{kUser, ++seq}, InsertText{client->TextLength(), word}});
    COLLABSIM_CHECK(typed.ok());
  }
  return client;
}

// The cursor did not move since the last ask.
void BM_PublishSelectionIdle(benchmark::State& state, const char* engine) {
  std::unique_ptr<Replica> client = ClientWithText(engine, 2000);
  benchmark::DoNotOptimize(client->carets()->PublishSelection());
  for (auto _ : state) benchmark::DoNotOptimize(client->carets()->PublishSelection());
}

// Every ask follows a click (or, every other time, a selection) elsewhere.
void BM_PublishSelectionMoved(benchmark::State& state, const char* engine) {
  std::unique_ptr<Replica> client = ClientWithText(engine, 2000);
  const uint64_t length = client->TextLength();
  uint64_t seq = 1'000'000, at = 0;
  for (auto _ : state) {
    at = (at + 7919) % length;
    MoveCursor move{at};
    if (seq % 2 == 0) move.anchor = at / 2;
    const absl::Status moved = client->ApplyLocal(Intent{IntentId{kUser, ++seq}, move});
    COLLABSIM_CHECK(moved.ok());
    benchmark::DoNotOptimize(client->carets()->PublishSelection());
  }
}

BENCHMARK_CAPTURE(BM_PublishSelectionIdle, ot, "ot");
BENCHMARK_CAPTURE(BM_PublishSelectionIdle, crdt, "crdt");
BENCHMARK_CAPTURE(BM_PublishSelectionIdle, lww, "lww");
BENCHMARK_CAPTURE(BM_PublishSelectionMoved, ot, "ot");
BENCHMARK_CAPTURE(BM_PublishSelectionMoved, crdt, "crdt");
BENCHMARK_CAPTURE(BM_PublishSelectionMoved, lww, "lww");

// One broadcast interval of a room of state.range(0) members who all moved:
// their updates in, then the batches out (each member gets everyone else).
void BM_PresenceRoomTick(benchmark::State& state) {
  const auto members = static_cast<ReplicaId>(state.range(0));
  const PresenceOptions options;
  PresenceRoom room(options);
  int64_t now = 0;
  for (ReplicaId user = 1; user <= members; ++user) room.Join(user, false, now);
  uint64_t entries = 0;
  for (auto _ : state) {
    now += options.broadcast_interval_ns;
    for (ReplicaId user = 1; user <= members; ++user) {
      PresenceEntry entry;
      entry.name = absl::StrFormat("user %d", user);
      entry.head = entry.anchor = absl::StrFormat("%d", now);
      room.Update(user, std::move(entry), now);
    }
    for (const auto& [member, batch] : room.TakeBatches(now)) entries += batch.entries.size();
  }
  state.counters["entries_per_tick"] =
      benchmark::Counter(static_cast<double>(entries), benchmark::Counter::kAvgIterations);
}

BENCHMARK(BM_PresenceRoomTick)->Arg(5)->Arg(50)->Arg(125)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace collabsim
