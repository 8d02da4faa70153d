// What the crash faults (sim/faults/server_crashes.cc, client_crashes.cc)
// do to a run: a process dies with everything in its memory, and comes
// back from what it wrote to durable storage, which must hold everything
// it acknowledged (the durability check).
#include <algorithm>
#include <iterator>

#include "absl/strings/str_format.h"
#include "sim/trace_tags.h"
#include "sim/world.h"

namespace collabsim::sim {

void World::CrashServer(size_t index) {
  if (server_ == nullptr) {
    if (recording()) Note(kServerReplica, "server crash: a mesh has no server, nothing happens");
    return;
  }
  if (server_down_) return;
  if (recording()) Note(kServerReplica, "server crashed");
  trace_.Add(kTraceTagServerCrash);
  trace_.Add(index);
  result_.set_server_crashes(result_.server_crashes() + 1);
  server_down_ = true;
  // Clients notice at once and start retrying with backoff, each on its own
  // jittered schedule, so they come back at different times.
  for (ReplicaId user = 1; user <= user_count_; ++user) {
    if (!transport_.Online(user)) continue;
    DisconnectUser(user);
    ScheduleReconnect(user, queue_.now() + BackoffDelay(0), 0);
  }
  // The process and everything in its memory are gone; what it wrote is not.
  PresenceServerCrash();
  const std::string durable = server_->DurableState();
  absl::StatusOr<std::unique_ptr<Replica>> restored = engine_.RestoreServer(durable, engine_options_);
  if (!restored.ok()) {
    AddViolation("durability", absl::StrFormat("the server could not be rebuilt from its durable state: %s",
                                               restored.status().ToString()));
    return;  // keep the old server object so the run can finish and report
  }
  std::vector<IntentId> acknowledged = std::move(server_applied_);
  server_applied_.clear();
  server_ = *std::move(restored);
  std::vector<IntentId> recovered = server_->TakeNewlyVisible();
  std::sort(recovered.begin(), recovered.end());
  std::sort(acknowledged.begin(), acknowledged.end());
  std::vector<IntentId> lost;
  std::set_difference(acknowledged.begin(), acknowledged.end(), recovered.begin(), recovered.end(),
                      std::back_inserter(lost));
  if (!lost.empty()) {
    AddViolation("durability", absl::StrFormat("%d acknowledged intents missing after the server restarted, e.g. %d.%d",
                                               lost.size(), lost.front().replica, lost.front().seq));
  }
  server_applied_ = std::move(recovered);
  if (options_.check_invariants) server_->CheckInvariants();
}

void World::RestartServer() {
  if (!server_down_) return;
  server_down_ = false;
  if (recording()) Note(kServerReplica, "server restarted from its durable state");
  trace_.Add(kTraceTagServerCrash);
  // Users already in a backoff loop keep their schedule; anyone else (back
  // from offline or a partition while the server was down) tries now.
  for (ReplicaId user = 1; user <= user_count_; ++user) {
    if (!transport_.Online(user) && User(user).offline_windows == 0) ScheduleReconnect(user, queue_.now(), 0);
  }
}

void World::CrashClient(ReplicaId user, bool local_storage) {
  if (User(user).crashed) return;
  if (recording()) Note(user, local_storage ? "app crashed (local storage kept)" : "app crashed (nothing kept)");
  trace_.Add(kTraceTagClientCrash);
  trace_.Add(user);
  result_.set_client_crashes(result_.client_crashes() + 1);
  if (transport_.Online(user)) DisconnectUser(user);  // what was in flight is lost too
  User(user).crashed = true;
  if (local_storage) {
    // The app stored its state on every change: it comes back as it was,
    // and its pending edits must still reach everyone.
    const std::string stored = ClientOf(user).DurableState();
    trace_.AddBytes(stored);
    absl::StatusOr<std::unique_ptr<Replica>> restored = engine_.RestoreClient(user, stored, engine_options_);
    if (restored.ok()) {
      User(user).replica = *std::move(restored);
      PresenceClientCrash(user);
      return;
    }
    AddViolation("durability", absl::StrFormat("user %d's client could not be restored from its local storage: %s",
                                               user, restored.status().message()));
  }
  // Intents the server never applied died with the app (nothing was kept
  // locally): the oracle must not expect them.
  std::vector<bool> applied(User(user).intent_times.size() + 1, false);
  for (const IntentId& id : server_applied_) {
    if (id.replica == user) applied[id.seq] = true;
  }
  // Another replica holding it is as good as the server: a peer serves it
  // on (through a server, whatever a client saw the server had applied).
  const std::vector<bool>& held = User(user).held_elsewhere;
  for (size_t k = 0; k < held.size(); ++k) applied[k + 1] = applied[k + 1] || held[k];
  for (uint64_t seq = 1; seq < applied.size(); ++seq) {
    if (!applied[seq]) {
      record_.oracle.ForgetIntent(IntentId{user, seq});
      record_.canvas.Forget(IntentId{user, seq});
    }
  }
  User(user).replica = engine_.CreateClient(user, engine_options_);
  PresenceClientCrash(user);
}

void World::RestartClient(ReplicaId user) {
  if (!User(user).crashed) return;
  User(user).crashed = false;
  if (recording()) Note(user, "app restarted");
  trace_.Add(kTraceTagClientCrash);
  trace_.Add(user);
  if (User(user).offline_windows == 0) ScheduleReconnect(user, queue_.now(), 0);
}

}  // namespace collabsim::sim
