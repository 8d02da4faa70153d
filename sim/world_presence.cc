// The presence channel in a run, hosted: each participant (a user's client,
// the server's room, or a mesh peer; engines/presence/) gets its timers and
// its messages on the users' connections (beside the edits, in the same
// FIFO streams). The host times cursors (when a cursor was made, carried
// beside the messages, never on the wire) and at the end checks that every
// user sees every other user's cursor where its owner sees it.
//
// Presence runs on simulated time (an app's monotonic clock; skew does not
// matter to intervals this short). Everything it does is ordered by the
// event queue and ordered maps, like the rest of the run.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/presence/presence_peer.h"
#include "engines/presence/presence_server.h"
#include "engines/presence/presence_user.h"
#include "sim/latency_stats.h"
#include "sim/trace_tags.h"
#include "sim/websocket_framing.h"
#include "sim/world.h"

namespace collabsim::sim {
namespace {

// Each presence message carries one byte naming its channel, so a client
// can tell it from the engine's own messages on the same connection.
constexpr uint64_t kChannelByte = 1;
constexpr size_t kPublishTimesKept = 16;

int64_t Nanos(double value, double unit, int64_t fallback) {
  return value > 0 ? static_cast<int64_t>(value * unit) : fallback;
}

PresenceOptions OptionsOf(const scenario::Presence& p) {
  PresenceOptions o;
  o.client_interval_ns = Nanos(p.client_interval_ms(), 1e6, o.client_interval_ns);
  o.broadcast_interval_ns = Nanos(p.broadcast_interval_ms(), 1e6, o.broadcast_interval_ns);
  o.ttl_ns = Nanos(p.ttl_s(), 1e9, o.ttl_ns);
  o.keepalive_ns = std::max(Nanos(p.keepalive_s(), 1e9, o.keepalive_ns), o.client_interval_ns);
  if (p.rate_per_s() > 0) o.rate_per_s = p.rate_per_s();
  if (p.burst() > 0) o.burst = p.burst();
  if (p.viewers_with_cursors() > 0) o.viewers_with_cursors = p.viewers_with_cursors();
  return o;
}

// A stable colour per user, spread over the hue circle.
uint32_t ColourOf(ReplicaId user) { return (user * 0x9E3779B1u) & 0xFFFFFFu; }

}  // namespace

void World::StartPresence() {
  // Servers relay positions as they are unless they rebase them (OT).
  presence_ = scenario_.has_presence() && users_[0].replica->carets() != nullptr;
  presence_timer_at_.assign(user_count_ + 1, -1);
  result_.mutable_presence()->set_enabled(presence_);
  if (!presence_) return;
  presence_options_ = OptionsOf(scenario_.presence());
  for (UserState& user : users_) {
    PresenceEntry identity;
    identity.user = user.id;
    identity.name = absl::StrFormat("user %d", user.id);
    identity.colour = ColourOf(user.id);
    if (transport_.via_server()) {
      user.presence = std::make_unique<PresenceClient>(std::move(identity), presence_options_);
    } else {
      user.presence = std::make_unique<PresencePeer>(std::move(identity), presence_options_);
    }
  }
  if (transport_.via_server()) server_presence_ = std::make_unique<PresenceServer>(presence_options_);
  if (scenario_.presence().has_flood()) {
    const auto& flood = scenario_.presence().flood();
    record_.flood_user = flood.user();
    flood_interval_ = std::max<SimTime>(1, FromSeconds(1 / flood.updates_per_s()));
    queue_.Schedule(queue_.now(), events::PresenceFlood{flood.user()});
  }
}

PresenceNode& World::PresenceOf(ReplicaId node) {
  return node == kServerReplica ? *server_presence_ : *User(node).presence;
}

CaretAccess World::CaretsOf(ReplicaId node) {
  if (node == kServerReplica) return CaretAccess{nullptr, server_->caret_rebase()};
  return CaretAccess{ClientOf(node).carets(), nullptr};
}

void World::PublishPresence(ReplicaId user) {
  if (User(user).crashed) return;
  EncodedSelection selection = ClientOf(user).carets()->PublishSelection();
  if (!User(user).presence->Publish(selection)) return;
  if (selection.anchor != selection.head) {
    result_.mutable_presence()->set_selections_published(result_.presence().selections_published() + 1);
  }
  auto& times = User(user).publish_times;
  times.emplace_back(std::move(selection), queue_.now());
  if (times.size() > kPublishTimesKept) times.pop_front();
  ArmPresenceTimer(user, User(user).presence->OwnDue());
}

void World::ArmPresenceTimer(ReplicaId node, std::optional<int64_t> due) {
  if (!due.has_value()) return;
  const SimTime at = std::max<SimTime>(*due, queue_.now());
  SimTime& armed = presence_timer_at_[node];
  if (armed >= queue_.now() && armed <= at) return;  // an earlier timer will look again
  armed = at;
  queue_.Schedule(at, events::PresenceTimer{node, at});
}

void World::OnPresenceTimer(ReplicaId node, SimTime armed_for) {
  if (!presence_ || presence_timer_at_[node] != armed_for) return;  // replaced by an earlier one
  presence_timer_at_[node] = -1;
  if (node == kServerReplica ? server_down_ : User(node).crashed || !transport_.Online(node)) return;
  HostPresence(node, PresenceOf(node).OnTimer(queue_.now(), CaretsOf(node)), {});
  ArmPresenceTimer(node, PresenceOf(node).NextDue());
}

PresenceStamps World::OwnStamps(ReplicaId user, const PresenceEntry& sent) {
  // Only a caret's first send is a move; a keepalive or a resend after a
  // reconnect shows nothing new and is not timed.
  PresenceStamps stamps;
  auto& times = User(user).publish_times;
  for (auto it = times.rbegin(); it != times.rend(); ++it) {
    if (it->first.anchor == sent.anchor && it->first.head == sent.head) {
      stamps.emplace_back(user, it->second);
      times.erase(times.begin(), it.base());
      break;
    }
  }
  return stamps;
}

void World::HostPresence(ReplicaId node, PresenceOutput out, const PresenceStamps& arrived) {
  results::PresenceSummary* summary = result_.mutable_presence();
  PresenceStamps own;
  if (out.published.has_value()) {
    own = OwnStamps(node, *out.published);
    summary->set_updates_sent(summary->updates_sent() + 1);
    if (out.published->version != 0 && !own.empty()) version_times_[{node, out.published->version}] = own.front().second;
  }
  for (const std::string& error : out.errors) AddViolation("engine_error", error);
  const SimTime now = queue_.now();
  for (ReplicaId owner : out.shown) {
    for (const auto& [stamped, at] : arrived) {
      if (stamped != owner) continue;
      record_.cursor_latencies.push_back(now - at);
      if (record_.flood_user != 0 && owner != record_.flood_user && node != record_.flood_user) record_.bystander_cursor_latencies.push_back(now - at);
    }
  }
  if (out.moved) {
    for (const auto& [owner, at] : arrived) moved_at_[owner] = at;
  }
  for (PresenceSend& send : out.sends) {
    PresenceStamps stamps;
    switch (send.kind) {
      case PresenceSend::Kind::kUpdate:
        stamps = own;
        break;
      case PresenceSend::Kind::kRoomBatch:
        for (const PresenceEntry& entry : send.content.entries) {
          const auto moved = moved_at_.find(entry.user);
          if (!send.content.full && moved != moved_at_.end()) stamps.emplace_back(entry.user, moved->second);
        }
        break;
      case PresenceSend::Kind::kGossipBatch:
        for (const PresenceEntry& entry : send.content.entries) {
          const auto made = version_times_.find({entry.user, entry.version});
          if (made != version_times_.end()) stamps.emplace_back(entry.user, made->second);
        }
        break;
    }
    if (send.kind != PresenceSend::Kind::kUpdate) summary->set_batches_sent(summary->batches_sent() + 1);
    SendPresence(node, send.to, std::move(send.bytes), std::move(stamps));
  }
  // The moves not yet sent keep their times.
  if (out.batched) moved_at_.clear();
}

void World::OnPresenceFlood(ReplicaId user) {
  if (!presence_ || healed_) return;
  queue_.Schedule(queue_.now() + flood_interval_, events::PresenceFlood{user});
  if (User(user).crashed || !transport_.Online(user)) return;
  // A client that skips its throttle and reports every scroll step: the
  // same caret, a viewport that changes each time.
  ++flood_sent_;
  result_.mutable_presence()->set_updates_sent(result_.presence().updates_sent() + 1);
  PresenceOutput out = User(user).presence->Flood(absl::StrFormat("scroll %d", flood_sent_), queue_.now());
  for (PresenceSend& send : out.sends) SendPresence(user, send.to, std::move(send.bytes), {});
}

void World::SendPresence(ReplicaId from, ReplicaId to, std::string bytes, PresenceStamps stamps) {
  const bool to_server = to == kServerReplica;
  if (!transport_.IsUp(from, to)) return;
  const uint64_t payload = bytes.size() + kChannelByte;
  const uint64_t wire = payload + WebSocketFrameOverhead(payload, transport_.Masks(from, to));
  results::PresenceSummary* summary = result_.mutable_presence();
  summary->set_messages(summary->messages() + 1);
  summary->set_wire_bytes(summary->wire_bytes() + wire);
  if (recording()) {
    Note(from, absl::StrFormat("presence %s to %s (%d bytes)", to_server ? "update" : "batch",
                               to_server ? std::string("server") : absl::StrFormat("user %d", to), bytes.size()));
  }
  const SimTime arrival = transport_.Arrival(from, to, queue_.now(), wire);
  ++messages_in_flight_;
  queue_.Schedule(arrival, events::PresenceDeliver{from, to, transport_.Epoch(from, to), std::move(bytes), std::move(stamps)});
}

void World::OnPresenceDeliver(events::PresenceDeliver& event) {
  COLLABSIM_CHECK(messages_in_flight_ > 0);
  --messages_in_flight_;
  const bool lost = !transport_.IsUp(event.from, event.to) || transport_.Epoch(event.from, event.to) != event.epoch ||
                    transport_.IsCut(event.from, event.to);
  if (lost) return;
  trace_.Add(kTraceTagPresence);
  trace_.Add((uint64_t{event.from} << 32) | event.to);
  trace_.AddBytes(event.bytes);
  if (event.to == kServerReplica && server_down_) return;
  PresenceNode& node = PresenceOf(event.to);
  HostPresence(event.to, node.Receive(event.from, event.bytes, queue_.now(), CaretsOf(event.to)), event.stamps);
  if (options_.check_invariants) node.CheckInvariants();
  ArmPresenceTimer(event.to, node.RelayDue());
}

void World::PresenceOnline(ReplicaId user) {
  if (!presence_) return;
  User(user).presence->Online();
  ArmPresenceTimer(user, User(user).presence->OwnDue());  // its links wake what it relays
}

void World::PresenceOffline(ReplicaId user) {
  if (!presence_) return;
  User(user).presence->Offline(CaretsOf(user));
}

void World::PresenceLinkUp(ReplicaId a, ReplicaId b) {
  if (!presence_) return;
  PresenceOf(a).LinkUp(b, b != kServerReplica && User(b).read_only, queue_.now());
  PresenceOf(b).LinkUp(a, a != kServerReplica && User(a).read_only, queue_.now());
  ArmPresenceTimer(a, PresenceOf(a).RelayDue());
  ArmPresenceTimer(b, PresenceOf(b).RelayDue());
}

void World::PresenceLinkDown(ReplicaId a, ReplicaId b) {
  if (!presence_) return;
  PresenceOf(a).LinkDown(b);
  PresenceOf(b).LinkDown(a);
  // The room's next batch tells the others. A peer's wake-ups only move
  // later when it loses a link.
  if (a == kServerReplica || b == kServerReplica) ArmPresenceTimer(kServerReplica, server_presence_->RelayDue());
}

void World::PresenceServerCrash() {
  if (!presence_) return;
  server_presence_ = std::make_unique<PresenceServer>(presence_options_);
  moved_at_.clear();
}

void World::PresenceClientCrash(ReplicaId user) {
  if (!presence_) return;
  User(user).presence->Crashed();
}

bool World::PresencePending() const {
  if (!presence_) return false;
  if (server_presence_ != nullptr && !server_down_ && server_presence_->Pending()) return true;
  for (ReplicaId user = 1; user <= user_count_; ++user) {
    if (!transport_.Online(user) || User(user).crashed) continue;
    if (User(user).presence->Pending()) return true;
  }
  return false;
}

}  // namespace collabsim::sim
