// The presence channel in a run: each client's throttle, the server's room
// (or, peer to peer, each peer's gossip), the messages between them on the
// users' connections (beside the edits, in the same FIFO streams), cursor
// latency, and at the end the check that every user sees every other user's
// cursor where its owner sees it.
//
// Presence runs on simulated time (an app's monotonic clock; skew does not
// matter to intervals this short). Everything it does is ordered by the
// event queue and ordered maps, like the rest of the run.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/presence_codec.h"
#include "presence_wire.pb.h"
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

// "12" for a caret, "12-15" for a selection (anchor-head).
std::string DescribeSelection(const Selection& selection) {
  if (selection.anchor == selection.head) return absl::StrFormat("%d", selection.head);
  return absl::StrFormat("%d-%d", selection.anchor, selection.head);
}

// A stable colour per user, spread over the hue circle.
uint32_t ColourOf(ReplicaId user) { return (user * 0x9E3779B1u) & 0xFFFFFFu; }

}  // namespace

void World::StartPresence() {
  // Servers relay positions as they are unless they rebase them (OT).
  presence_ = scenario_.has_presence() && users_[0].replica->SupportsPresence();
  presence_timer_at_.assign(user_count_ + 1, -1);
  result_.mutable_presence()->set_enabled(presence_);
  if (!presence_) return;
  presence_options_ = OptionsOf(scenario_.presence());
  for (UserState& user : users_) {
    user.presence.emplace(presence_options_);
    if (mesh_) user.presence->gossip = std::make_unique<PresenceGossip>(user.id, presence_options_);
  }
  if (!mesh_) room_ = std::make_unique<PresenceRoom>(presence_options_);
  if (scenario_.presence().has_flood()) {
    const auto& flood = scenario_.presence().flood();
    flood_user_ = flood.user();
    flood_interval_ = std::max<SimTime>(1, FromSeconds(1 / flood.updates_per_s()));
    queue_.Schedule(queue_.now(), events::PresenceFlood{flood.user()});
  }
}

PresenceEntry World::EntryFor(ReplicaId user) const {
  PresenceEntry entry;
  entry.user = user;
  entry.name = absl::StrFormat("user %d", user);
  entry.colour = ColourOf(user);
  entry.anchor = User(user).presence->published.anchor;
  entry.head = User(user).presence->published.head;
  return entry;
}

void World::PublishPresence(ReplicaId user) {
  if (User(user).crashed) return;
  EncodedSelection selection = ClientOf(user).PublishSelection();
  // An empty position means "no cursor" on the wire.
  COLLABSIM_CHECK(!selection.anchor.empty() && !selection.head.empty());
  if (selection == User(user).presence->published) return;
  User(user).presence->published = selection;
  if (selection.anchor != selection.head) {
    result_.mutable_presence()->set_selections_published(result_.presence().selections_published() + 1);
  }
  auto& times = User(user).presence->publish_times;
  times.emplace_back(std::move(selection), queue_.now());
  if (times.size() > kPublishTimesKept) times.pop_front();
  User(user).presence->throttle.Set(EntryFor(user));
  ArmPresenceTimer(user, User(user).presence->throttle.NextDue());
}

std::optional<EncodedSelection> World::RebaseSelection(const PresenceEntry& entry) const {
  std::optional<std::string> head = server_->RebaseCaret(entry.user, entry.head);
  if (!head.has_value()) return std::nullopt;
  if (entry.anchor == entry.head) return EncodedSelection{*head, *head};
  std::optional<std::string> anchor = server_->RebaseCaret(entry.user, entry.anchor);
  if (!anchor.has_value()) return std::nullopt;
  return EncodedSelection{*std::move(anchor), *std::move(head)};
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
  const SimTime now = queue_.now();
  if (node == kServerReplica) {
    if (server_down_) return;
    std::vector<std::pair<ReplicaId, PresenceBatch>> batches = room_->TakeBatches(now);
    // Per owner, once for every member: both ends, or nothing if either
    // end cannot be placed.
    std::map<ReplicaId, std::optional<EncodedSelection>> rebased;
    for (auto& [member, batch] : batches) {
      std::vector<std::pair<ReplicaId, SimTime>> stamps;
      for (PresenceEntry& entry : batch.entries) {
        if (!entry.has_cursor()) continue;
        auto it = rebased.find(entry.user);
        if (it == rebased.end()) it = rebased.emplace(entry.user, RebaseSelection(entry)).first;
        if (it->second.has_value()) {
          entry.anchor = it->second->anchor;
          entry.head = it->second->head;
        } else {
          entry.anchor.clear();
          entry.head.clear();
        }
        const auto moved = moved_at_.find(entry.user);
        if (!batch.full && moved != moved_at_.end()) stamps.emplace_back(entry.user, moved->second);
      }
      wire::PresenceBatch message;
      EncodePresenceBatch(batch, &message);
      result_.mutable_presence()->set_batches_sent(result_.presence().batches_sent() + 1);
      SendPresence(kServerReplica, member, message.SerializeAsString(), std::move(stamps));
    }
    // A wake-up that only let in an update kept aside sends nothing: the
    // moves not yet sent keep their times.
    if (room_->last_batch() == now) moved_at_.clear();
    ArmPresenceTimer(kServerReplica, room_->NextDue());
    return;
  }
  if (User(node).crashed || !transport_.Online(node)) return;
  PresenceThrottle& throttle = User(node).presence->throttle;
  if (std::optional<PresenceEntry> due = throttle.TakeDue(now)) {
    std::vector<std::pair<ReplicaId, SimTime>> stamps;
    // Only a caret's first send is a move; a keepalive or a resend after a
    // reconnect shows nothing new and is not timed.
    auto& times = User(node).presence->publish_times;
    for (auto it = times.rbegin(); it != times.rend(); ++it) {
      if (it->first.anchor == due->anchor && it->first.head == due->head) {
        stamps.emplace_back(node, it->second);
        times.erase(times.begin(), it.base());
        break;
      }
    }
    result_.mutable_presence()->set_updates_sent(result_.presence().updates_sent() + 1);
    if (mesh_) {  // the peer's own entry, a new version for every neighbour
      const uint64_t version = User(node).presence->gossip->Publish(*std::move(due), now);
      if (!stamps.empty()) version_times_[{node, version}] = stamps.front().second;
    } else {
      wire::PresenceUpdate update;
      EncodePresenceEntry(*due, update.mutable_entry());
      SendPresence(node, kServerReplica, update.SerializeAsString(), std::move(stamps));
    }
  }
  if (mesh_) {
    SendGossip(node);
    return;
  }
  ArmPresenceTimer(node, throttle.NextDue());
}

void World::SendGossip(ReplicaId node) {
  PresenceGossip& gossip = *User(node).presence->gossip;
  PresenceGossip::Due due = gossip.TakeDue(queue_.now());
  for (ReplicaId owner : due.expired) {
    ClientOf(node).HideRemoteSelection(owner);
    User(node).presence->roster.Apply(PresenceBatch{false, {}, {owner}});
  }
  if (!due.admitted.empty()) ShowGossip(node, std::move(due.admitted), {});
  for (auto& [peer, batch] : due.batches) {
    std::vector<std::pair<ReplicaId, SimTime>> stamps;
    for (const PresenceEntry& entry : batch.entries) {
      const auto made = version_times_.find({entry.user, entry.version});
      if (made != version_times_.end()) stamps.emplace_back(entry.user, made->second);
    }
    wire::PresenceBatch message;
    EncodePresenceBatch(batch, &message);
    result_.mutable_presence()->set_batches_sent(result_.presence().batches_sent() + 1);
    SendPresence(node, peer, message.SerializeAsString(), std::move(stamps));
  }
  const std::optional<int64_t> throttle = User(node).presence->throttle.NextDue(), gossip_due = gossip.NextDue();
  ArmPresenceTimer(node, !throttle.has_value()                                     ? gossip_due
                         : !gossip_due.has_value() || *throttle <= *gossip_due ? throttle
                                                                                 : gossip_due);
}

void World::OnPresenceFlood(ReplicaId user) {
  if (!presence_ || healed_) return;
  queue_.Schedule(queue_.now() + flood_interval_, events::PresenceFlood{user});
  if (User(user).crashed || !transport_.Online(user)) return;
  // A client that skips its throttle and reports every scroll step: the
  // same caret, a viewport that changes each time.
  ++flood_sent_;
  PresenceEntry entry = EntryFor(user);
  entry.viewport = Viewport{User(user).presence->published.head, absl::StrFormat("scroll %d", flood_sent_)};
  result_.mutable_presence()->set_updates_sent(result_.presence().updates_sent() + 1);
  if (mesh_) {  // straight to every neighbour, skipping the gossip's batching too
    entry.version = User(user).presence->gossip->Publish(entry, queue_.now());
    wire::PresenceBatch batch;
    EncodePresenceBatch(PresenceBatch{false, {entry}, {}}, &batch);
    for (ReplicaId peer : transport_.Neighbours(user)) {
      if (transport_.IsUp(user, peer)) SendPresence(user, peer, batch.SerializeAsString(), {});
    }
    return;
  }
  wire::PresenceUpdate update;
  EncodePresenceEntry(entry, update.mutable_entry());
  SendPresence(user, kServerReplica, update.SerializeAsString(), {});
}

void World::SendPresence(ReplicaId from, ReplicaId to, std::string bytes,
                         std::vector<std::pair<ReplicaId, SimTime>> stamps) {
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
  const bool to_server = event.to == kServerReplica;
  const ReplicaId user = to_server ? event.from : event.to;
  const bool lost = !transport_.IsUp(event.from, event.to) || transport_.Epoch(event.from, event.to) != event.epoch ||
                    transport_.IsCut(event.from, event.to);
  if (lost) return;
  trace_.Add(kTraceTagPresence);
  trace_.Add((uint64_t{event.from} << 32) | event.to);
  trace_.AddBytes(event.bytes);
  if (mesh_) return OnGossip(event);
  const SimTime now = queue_.now();
  if (to_server) {
    if (server_down_) return;
    wire::PresenceUpdate update;
    absl::StatusOr<PresenceEntry> entry =
        update.ParseFromString(event.bytes) ? DecodePresenceEntry(update.entry())
                                            : absl::InvalidArgumentError("undecodable presence update");
    if (entry.ok() && !entry->identity) entry = absl::InvalidArgumentError("presence update without a name");
    if (!entry.ok()) {
      AddViolation("engine_error", absl::StrFormat("the server rejected user %d's presence update: %s", user,
                                                   entry.status().message()));
      return;
    }
    const auto held = room_->entries().find(user);
    const bool moved =
        held == room_->entries().end() || held->second.head != entry->head || held->second.anchor != entry->anchor;
    if (room_->Update(user, *std::move(entry), now) && moved) {
      for (const auto& [owner, at] : event.stamps) moved_at_[owner] = at;
    }
    ArmPresenceTimer(kServerReplica, room_->NextDue());
    return;
  }
  std::optional<PresenceBatch> batch = DecodeBatch(event);
  if (!batch.has_value()) return;
  Replica& client = ClientOf(user);
  PresenceRoster& roster = User(user).presence->roster;
  if (absl::Status valid = roster.Check(*batch); !valid.ok()) {
    AddViolation("engine_error", absl::StrFormat("user %d rejected a presence batch: %s", user, valid.message()));
    return;
  }
  if (batch->full) {
    for (const auto& [owner, entry] : roster.entries()) client.HideRemoteSelection(owner);
  }
  for (ReplicaId owner : batch->removed) client.HideRemoteSelection(owner);
  // Never sent its own entry, but a forged batch could hold it.
  std::erase_if(batch->entries, [&](const PresenceEntry& entry) { return entry.user == user; });
  ShowEntries(user, batch->entries, event.stamps);
  roster.Apply(*std::move(batch));
  // The client's own invariants (its carets included) are checked after
  // its next edit step: checking the whole document after every one of
  // thousands of presence batches would cost far more than it finds.
}

std::optional<PresenceBatch> World::DecodeBatch(const events::PresenceDeliver& event) {
  wire::PresenceBatch message;
  absl::StatusOr<PresenceBatch> batch = message.ParseFromString(event.bytes)
                                            ? DecodePresenceBatch(message)
                                            : absl::InvalidArgumentError("undecodable presence batch");
  if (batch.ok() && event.from == kServerReplica && !batch->unknown.empty()) {
    batch = absl::InvalidArgumentError("presence batch unknown: only peers ask for users");
  }
  if (!batch.ok()) {
    AddViolation("engine_error", absl::StrFormat("user %d rejected a presence batch from %s: %s", event.to,
                                                 event.from == kServerReplica ? std::string("the server")
                                                                              : absl::StrFormat("user %d", event.from),
                                                 batch.status().message()));
    return std::nullopt;
  }
  return *std::move(batch);
}

void World::ShowEntries(ReplicaId user, const std::vector<PresenceEntry>& entries,
                        const std::vector<std::pair<ReplicaId, SimTime>>& stamps) {
  const SimTime now = queue_.now();
  Replica& client = ClientOf(user);
  for (const PresenceEntry& entry : entries) {
    if (!entry.has_cursor()) {
      client.HideRemoteSelection(entry.user);
      continue;
    }
    absl::Status shown = client.ShowRemoteSelection(entry.user, entry.anchor, entry.head);
    if (!shown.ok()) {
      AddViolation("engine_error", absl::StrFormat("user %d could not show user %d's caret: %s", user, entry.user,
                                                   shown.message()));
    }
    for (const auto& [owner, at] : stamps) {
      if (owner != entry.user) continue;
      cursor_latencies_.push_back(now - at);
      if (flood_user_ != 0 && owner != flood_user_ && user != flood_user_) bystander_cursor_latencies_.push_back(now - at);
    }
  }
}

void World::PresenceConnected(ReplicaId user) {
  if (!presence_) return;
  User(user).presence->throttle.Reconnected();
  ArmPresenceTimer(user, User(user).presence->throttle.NextDue());
  if (mesh_) return;  // links come up one by one (PresenceLinkUp)
  room_->Join(user, User(user).read_only, queue_.now());
  ArmPresenceTimer(kServerReplica, room_->NextDue());
}

void World::PresenceDisconnected(ReplicaId user) {
  if (!presence_) return;
  User(user).presence->throttle.Disconnected();
  // A peer keeps what it heard until the TTL; through a server, the room
  // is the roster, and it is gone with the connection.
  if (mesh_) return;
  room_->Leave(user);
  for (const auto& [owner, entry] : User(user).presence->roster.entries()) ClientOf(user).HideRemoteSelection(owner);
  User(user).presence->roster.Clear();
  ArmPresenceTimer(kServerReplica, room_->NextDue());
}

void World::PresenceServerCrash() {
  if (!presence_ || mesh_) return;
  room_ = std::make_unique<PresenceRoom>(presence_options_);
  moved_at_.clear();
}

void World::PresenceLinkUp(ReplicaId a, ReplicaId b) {
  if (!presence_) return;
  User(a).presence->gossip->LinkUp(b);
  User(b).presence->gossip->LinkUp(a);
  ArmPresenceTimer(a, User(a).presence->gossip->NextDue());
  ArmPresenceTimer(b, User(b).presence->gossip->NextDue());
}

void World::PresenceLinkDown(ReplicaId a, ReplicaId b) {
  if (!presence_) return;
  User(a).presence->gossip->LinkDown(b);
  User(b).presence->gossip->LinkDown(a);
}

void World::PresenceClientCrash(ReplicaId user) {
  if (!presence_) return;
  User(user).presence->published = {};  // the new app publishes its caret afresh
  User(user).presence->roster.Clear();
  if (mesh_) User(user).presence->gossip = std::make_unique<PresenceGossip>(user, presence_options_);
}

void World::OnGossip(events::PresenceDeliver& event) {
  const ReplicaId user = event.to;
  std::optional<PresenceBatch> batch = DecodeBatch(event);
  if (!batch.has_value()) return;
  ShowGossip(user, User(user).presence->gossip->Receive(event.from, *batch, queue_.now()), event.stamps);
  if (options_.check_invariants) User(user).presence->gossip->CheckInvariants();
  ArmPresenceTimer(user, User(user).presence->gossip->NextDue());
}

void World::ShowGossip(ReplicaId user, std::vector<PresenceEntry> fresh,
                       const std::vector<std::pair<ReplicaId, SimTime>>& stamps) {
  ShowEntries(user, fresh, stamps);
  User(user).presence->roster.Apply(PresenceBatch{false, std::move(fresh), {}});
}

bool World::PresencePending() const {
  if (!presence_) return false;
  if (!mesh_ && !server_down_ && room_->BatchPending()) return true;
  for (ReplicaId user = 1; user <= user_count_; ++user) {
    if (!transport_.Online(user) || User(user).crashed) continue;
    if (User(user).presence->throttle.HasUnsent() || (mesh_ && User(user).presence->gossip->BatchPending())) return true;
  }
  return false;
}

void World::FinishPresence(bool judge, bool converged) {
  results::PresenceSummary* summary = result_.mutable_presence();
  if (!presence_) return;
  *summary->mutable_cursor_latency() = SummariseLatency(&cursor_latencies_);
  if (flood_user_ != 0) {
    *summary->mutable_bystander_edit_latency() = SummariseLatency(&bystander_edit_latencies_);
    *summary->mutable_bystander_cursor_latency() = SummariseLatency(&bystander_cursor_latencies_);
  }
  uint64_t dropped = mesh_ ? 0 : room_->dropped();
  for (const UserState& user : users_) dropped += mesh_ ? user.presence->gossip->dropped() : 0;
  summary->set_dropped(dropped);
  uint64_t coalesced = 0;
  for (const UserState& user : users_) coalesced += user.presence->throttle.coalesced();
  summary->set_coalesced(coalesced);
  const double seconds = std::max(ToSeconds(last_event_time_ - kSimStart), 1e-9);
  summary->set_bytes_per_user_s(static_cast<double>(summary->wire_bytes()) / user_count_ / seconds);
  summary->set_messages_per_user_s(static_cast<double>(summary->messages()) / user_count_ / seconds);
  // Cursor agreement: once quiet, every user shows every other user's
  // caret on the character its owner's own caret is at (read-only users in
  // too large an audience: every other user, and no caret). Only
  // meaningful over one text, so not judged when the replicas diverged.
  const bool viewers_see_cursors = mesh_ || room_->ViewersSeeCursors();
  if (!converged) return;
  uint64_t checked = 0;
  for (ReplicaId observer = 1; observer <= user_count_; ++observer) {
    for (ReplicaId owner = 1; owner <= user_count_; ++owner) {
      if (owner == observer) continue;
      ++checked;
      const Selection own = ClientOf(owner).OwnSelection();
      if (own.anchor != own.head) summary->set_selections_checked(summary->selections_checked() + 1);
      if (!judge) continue;
      if (!User(observer).presence->roster.entries().contains(owner)) {
        AddViolation("cursor_agreement", absl::StrFormat("user %d does not see user %d in the document", observer, owner));
        continue;
      }
      const std::optional<Selection> shown = ClientOf(observer).RemoteSelection(owner);
      if (User(observer).read_only && !viewers_see_cursors) {
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

}  // namespace collabsim::sim
