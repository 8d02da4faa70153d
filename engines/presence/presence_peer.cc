// A mesh user on the presence channel (see presence_peer.h).
#include "engines/presence/presence_peer.h"

#include <utility>

#include "engines/presence/presence_codec.h"
#include "presence_wire.pb.h"

namespace collabsim {

PresencePeer::PresencePeer(PresenceEntry identity, const PresenceOptions& options)
    : PresenceUser(identity, options),
      options_(options),
      gossip_(std::make_unique<PresenceGossip>(identity.user, options)) {}

void PresencePeer::Crashed() {
  PresenceUser::Crashed();
  gossip_ = std::make_unique<PresenceGossip>(self(), options_);
}

void PresencePeer::LinkUp(ReplicaId peer, bool peer_reads_only, int64_t now) {
  links_.insert(peer);
  gossip_->LinkUp(peer);
}

void PresencePeer::LinkDown(ReplicaId peer) {
  links_.erase(peer);
  gossip_->LinkDown(peer);
}

void PresencePeer::ShowFresh(std::vector<PresenceEntry> fresh, CaretFacet& carets, PresenceOutput* out) {
  Show(fresh, carets, out);
  roster_.Apply(PresenceBatch{false, std::move(fresh), {}});
}

PresenceOutput PresencePeer::OnTimer(int64_t now, CaretAccess engine) {
  PresenceOutput out;
  if (std::optional<PresenceEntry> due = throttle_.TakeDue(now)) {
    // The peer's own entry, a new version for every neighbour.
    out.published = *due;
    out.published->version = gossip_->Publish(*std::move(due), now);
  }
  PresenceGossip::Due due = gossip_->TakeDue(now);
  for (ReplicaId owner : due.expired) {
    engine.carets->HideRemoteSelection(owner);
    roster_.Apply(PresenceBatch{false, {}, {owner}});
  }
  if (!due.admitted.empty()) ShowFresh(std::move(due.admitted), *engine.carets, &out);
  for (auto& [peer, batch] : due.batches) {
    wire::PresenceBatch message;
    EncodePresenceBatch(batch, &message);
    out.sends.push_back(PresenceSend{peer, PresenceSend::Kind::kGossipBatch, message.SerializeAsString(),
                                     std::move(batch)});
  }
  return out;
}

PresenceOutput PresencePeer::Receive(ReplicaId from, std::string_view bytes, int64_t now, CaretAccess engine) {
  PresenceOutput out;
  std::optional<PresenceBatch> batch = DecodeBatch(from, bytes, &out);
  if (!batch.has_value()) return out;
  ShowFresh(gossip_->Receive(from, *batch, now), *engine.carets, &out);
  return out;
}

PresenceOutput PresencePeer::Flood(std::string viewport_last, int64_t now) {
  PresenceEntry entry = Entry();
  entry.viewport = Viewport{published_.head, std::move(viewport_last)};
  entry.version = gossip_->Publish(entry, now);
  wire::PresenceBatch message;
  EncodePresenceBatch(PresenceBatch{false, {std::move(entry)}, {}}, &message);
  const std::string bytes = message.SerializeAsString();
  PresenceOutput out;  // untimed: a flood shows no new cursor
  for (ReplicaId peer : links_) out.sends.push_back(PresenceSend{peer, PresenceSend::Kind::kGossipBatch, bytes, {}});
  return out;
}

}  // namespace collabsim
