// Users' connections in a run: going online and offline, links between
// peers in a mesh, reconnect attempts with backoff (which the server may
// refuse), and the heal at the end of the active phase, when everyone comes
// back.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "sim/distributions.h"
#include "sim/trace_tags.h"
#include "sim/world.h"

namespace collabsim::sim {

void World::ConnectUser(ReplicaId user) {
  if (recording()) Note(user, "connected");
  User(user).links_changed_at = queue_.now();
  transport_.GoOnline(user);
  trace_.Add(kTraceTagConnect);
  trace_.Add(user);
  PresenceOnline(user);
  for (ReplicaId peer : transport_.Neighbours(user)) TryLink(user, peer);
}

void World::DisconnectUser(ReplicaId user) {
  if (recording()) Note(user, "disconnected");
  User(user).links_changed_at = queue_.now();
  const std::vector<ReplicaId> joined = transport_.Joined(user);
  transport_.GoOffline(user);
  trace_.Add(kTraceTagDrop);
  trace_.Add(user);
  result_.set_connection_drops(result_.connection_drops() + 1);
  for (ReplicaId peer : joined) DropLink(user, peer);
  PresenceOffline(user);
}

void World::TryLink(ReplicaId a, ReplicaId b) {
  if (!transport_.Online(a) || !transport_.Online(b) || transport_.IsCutEitherWay(a, b)) return;
  const Transport::EdgeChange change = transport_.Dial(a, b);
  if (change == Transport::EdgeChange::kNone) return;
  MarkLinksChanged(a, b);
  if (change == Transport::EdgeChange::kOwn) {
    if (recording()) Note(a, absl::StrFormat("link to %s up", NodeName(b)));
    trace_.Add(kTraceTagConnect);
    trace_.Add((uint64_t{a} << 32) | b);
  }
  if (b == kServerReplica) std::swap(a, b);  // the server takes a connection first
  Clocked(NodeOf(a)).Connected(b);
  Clocked(NodeOf(b)).Connected(a);
  AfterStep(NodeOf(a));
  AfterStep(NodeOf(b));
  PresenceLinkUp(a, b);
}

void World::MarkLinksChanged(ReplicaId a, ReplicaId b) {
  for (ReplicaId end : {a, b}) {
    if (end != kServerReplica) User(end).links_changed_at = queue_.now();
  }
}

void World::DropEdge(ReplicaId a, ReplicaId b) {
  if (transport_.via_server()) return DisconnectUser(a == kServerReplica ? b : a);
  DropLink(a, b);
}

void World::DropLink(ReplicaId a, ReplicaId b) {
  const Transport::EdgeChange change = transport_.Hangup(a, b);
  if (change == Transport::EdgeChange::kNone) return;
  MarkLinksChanged(a, b);
  if (change == Transport::EdgeChange::kOwn) {
    if (recording()) Note(a, absl::StrFormat("link to %s down", NodeName(b)));
    trace_.Add(kTraceTagDrop);
    trace_.Add((uint64_t{a} << 32) | b);
  }
  if (b == kServerReplica) std::swap(a, b);  // the server learns of it first
  Clocked(NodeOf(a)).Disconnected(b);
  Clocked(NodeOf(b)).Disconnected(a);
  AfterStep(NodeOf(a));
  AfterStep(NodeOf(b));
  PresenceLinkDown(a, b);
}

void World::ScheduleReconnect(ReplicaId user, SimTime at, uint64_t attempt) {
  if (User(user).reconnect_planned) return;
  User(user).reconnect_planned = true;
  ++reconnects_planned_;
  queue_.Schedule(at, events::Reconnect{user, attempt});
}

SimTime World::BackoffDelay(uint64_t attempt) {
  const scenario::Backoff& b = scenario_.reconnect_backoff();
  double ms = b.initial_ms();
  for (uint64_t k = 0; k < attempt && ms < b.max_ms(); ++k) ms *= b.multiplier();
  ms = std::min(ms, b.max_ms());
  ms *= 1 + b.jitter_fraction() * SampleUniform(fault_prng_, -1, 1);
  return std::max<SimTime>(kMillisecond, FromMilliseconds(ms));
}

void World::OnReconnect(ReplicaId user, uint64_t attempt) {
  COLLABSIM_CHECK(User(user).reconnect_planned && reconnects_planned_ > 0);
  User(user).reconnect_planned = false;
  --reconnects_planned_;
  if (User(user).offline_windows || transport_.Online(user)) return;
  // A partitioned user cannot reach the server; the partition's end
  // retries. A crashed app tries nothing; its restart does.
  // In a mesh a partitioned user still goes online: links across the
  // partition stay down (TryLink) and the ones inside come up.
  if ((transport_.via_server() && transport_.IsCutEitherWay(user, kServerReplica)) || User(user).crashed) return;
  if (server_down_) {  // the attempt fails; back off and try again
    if (recording()) Note(user, "reconnect attempt failed: the server is down");
    result_.set_connection_refusals(result_.connection_refusals() + 1);
    ScheduleReconnect(user, queue_.now() + BackoffDelay(attempt + 1), attempt + 1);
    return;
  }
  bool admitted = true;
  for (const std::unique_ptr<Fault>& fault : faults_) admitted = admitted && fault->Admits(*this);
  if (!admitted) {
    if (recording()) Note(user, "reconnect refused by the server (accept limit)");
    trace_.Add(kTraceTagRefused);
    trace_.Add(user);
    result_.set_connection_refusals(result_.connection_refusals() + 1);
    ScheduleReconnect(user, queue_.now() + BackoffDelay(attempt + 1), attempt + 1);
    return;
  }
  ConnectUser(user);
  for (const std::unique_ptr<Fault>& fault : faults_) fault->Reconnected(*this, user);
}

void World::OnHeal() {
  healed_ = true;
  if (recording()) Note(kServerReplica, "heal: faults and editing stop");
  trace_.Add(kTraceTagHeal);
  // Faults stop: everyone offline comes back, and users waiting on a
  // reconnect keep trying (the server's accept limit still applies).
  for (ReplicaId user = 1; user <= user_count_; ++user) {
    User(user).offline_windows = 0;
    if (!transport_.Online(user)) ScheduleReconnect(user, queue_.now(), 0);
  }
}

}  // namespace collabsim::sim
