// The server's side of the presence channel (see presence_server.h).
#include "engines/presence/presence_server.h"

#include <map>
#include <utility>

#include "absl/strings/str_format.h"
#include "engines/presence/presence_codec.h"
#include "presence_wire.pb.h"

namespace collabsim {
namespace {

// Both ends of `entry`'s selection rewritten by the server's engine;
// nullopt when either cannot be placed.
std::optional<EncodedSelection> Rebase(const CaretRebase& rebase, const PresenceEntry& entry) {
  std::optional<std::string> head = rebase.RebaseCaret(entry.user, entry.head);
  if (!head.has_value()) return std::nullopt;
  if (entry.anchor == entry.head) return EncodedSelection{*head, *head};
  std::optional<std::string> anchor = rebase.RebaseCaret(entry.user, entry.anchor);
  if (!anchor.has_value()) return std::nullopt;
  return EncodedSelection{*std::move(anchor), *std::move(head)};
}

}  // namespace

PresenceOutput PresenceServer::OnTimer(int64_t now, CaretAccess engine) {
  PresenceOutput out;
  std::vector<std::pair<ReplicaId, PresenceBatch>> batches = room_.TakeBatches(now);
  // Per owner, once for every member: both ends, or nothing if either end
  // cannot be placed.
  std::map<ReplicaId, std::optional<EncodedSelection>> rebased;
  for (auto& [member, batch] : batches) {
    if (engine.rebase != nullptr) {
      for (PresenceEntry& entry : batch.entries) {
        if (!entry.has_cursor()) continue;
        auto it = rebased.find(entry.user);
        if (it == rebased.end()) it = rebased.emplace(entry.user, Rebase(*engine.rebase, entry)).first;
        entry.anchor = it->second.has_value() ? it->second->anchor : std::string();
        entry.head = it->second.has_value() ? it->second->head : std::string();
      }
    }
    wire::PresenceBatch message;
    EncodePresenceBatch(batch, &message);
    out.sends.push_back(
        PresenceSend{member, PresenceSend::Kind::kRoomBatch, message.SerializeAsString(), std::move(batch)});
  }
  // A wake-up that only let in an update kept aside sends nothing.
  out.batched = room_.last_batch() == now;
  return out;
}

PresenceOutput PresenceServer::Receive(ReplicaId from, std::string_view bytes, int64_t now, CaretAccess engine) {
  PresenceOutput out;
  wire::PresenceUpdate update;
  absl::StatusOr<PresenceEntry> entry = update.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))
                                            ? DecodePresenceEntry(update.entry())
                                            : absl::InvalidArgumentError("undecodable presence update");
  if (entry.ok() && !entry->identity) entry = absl::InvalidArgumentError("presence update without a name");
  if (!entry.ok()) {
    out.errors.push_back(
        absl::StrFormat("the server rejected user %d's presence update: %s", from, entry.status().message()));
    return out;
  }
  const auto held = room_.entries().find(from);
  const bool moved =
      held == room_.entries().end() || held->second.head != entry->head || held->second.anchor != entry->anchor;
  out.moved = room_.Update(from, *std::move(entry), now) && moved;
  return out;
}

}  // namespace collabsim
