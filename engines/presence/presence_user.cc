// A user's side of the presence channel (see presence_user.h).
#include "engines/presence/presence_user.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/presence/presence_codec.h"
#include "presence_wire.pb.h"

namespace collabsim {

PresenceUser::PresenceUser(PresenceEntry identity, const PresenceOptions& options)
    : throttle_(options), identity_(std::move(identity)) {
  COLLABSIM_CHECK(identity_.user != kServerReplica && !identity_.has_cursor());
}

PresenceEntry PresenceUser::Entry() const {
  PresenceEntry entry = identity_;
  entry.anchor = published_.anchor;
  entry.head = published_.head;
  return entry;
}

bool PresenceUser::Publish(const EncodedSelection& selection) {
  // An empty position means "no cursor" on the wire.
  COLLABSIM_CHECK(!selection.anchor.empty() && !selection.head.empty());
  if (selection == published_) return false;
  published_ = selection;
  throttle_.Set(Entry());
  return true;
}

void PresenceUser::Crashed() {
  published_ = {};  // the new app publishes its caret afresh
  roster_.Clear();
}

std::optional<PresenceBatch> PresenceUser::DecodeBatch(ReplicaId from, std::string_view bytes,
                                                       PresenceOutput* out) const {
  wire::PresenceBatch message;
  absl::StatusOr<PresenceBatch> batch = message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))
                                            ? DecodePresenceBatch(message)
                                            : absl::InvalidArgumentError("undecodable presence batch");
  if (batch.ok() && from == kServerReplica && !batch->unknown.empty()) {
    batch = absl::InvalidArgumentError("presence batch unknown: only peers ask for users");
  }
  if (!batch.ok()) {
    out->errors.push_back(absl::StrFormat(
        "user %d rejected a presence batch from %s: %s", self(),
        from == kServerReplica ? std::string("the server") : absl::StrFormat("user %d", from),
        batch.status().message()));
    return std::nullopt;
  }
  return *std::move(batch);
}

void PresenceUser::Show(const std::vector<PresenceEntry>& entries, CaretFacet& carets, PresenceOutput* out) const {
  for (const PresenceEntry& entry : entries) {
    if (!entry.has_cursor()) {
      carets.HideRemoteSelection(entry.user);
      continue;
    }
    absl::Status shown = carets.ShowRemoteSelection(entry.user, entry.anchor, entry.head);
    if (!shown.ok()) {
      out->errors.push_back(
          absl::StrFormat("user %d could not show user %d's caret: %s", self(), entry.user, shown.message()));
    }
    out->shown.push_back(entry.user);
  }
}

void PresenceClient::Offline(CaretAccess engine) {
  PresenceUser::Offline(engine);
  for (const auto& [owner, entry] : roster_.entries()) engine.carets->HideRemoteSelection(owner);
  roster_.Clear();
}

PresenceOutput PresenceClient::OnTimer(int64_t now, CaretAccess engine) {
  PresenceOutput out;
  if (std::optional<PresenceEntry> due = throttle_.TakeDue(now)) {
    wire::PresenceUpdate update;
    EncodePresenceEntry(*due, update.mutable_entry());
    out.sends.push_back(PresenceSend{kServerReplica, PresenceSend::Kind::kUpdate, update.SerializeAsString(), {}});
    out.published = *std::move(due);
  }
  return out;
}

PresenceOutput PresenceClient::Receive(ReplicaId from, std::string_view bytes, int64_t now, CaretAccess engine) {
  PresenceOutput out;
  std::optional<PresenceBatch> batch = DecodeBatch(from, bytes, &out);
  if (!batch.has_value()) return out;
  if (absl::Status valid = roster_.Check(*batch); !valid.ok()) {
    out.errors.push_back(absl::StrFormat("user %d rejected a presence batch: %s", self(), valid.message()));
    return out;
  }
  CaretFacet& carets = *engine.carets;
  if (batch->full) {
    for (const auto& [owner, entry] : roster_.entries()) carets.HideRemoteSelection(owner);
  }
  for (ReplicaId owner : batch->removed) carets.HideRemoteSelection(owner);
  // Never sent its own entry, but a forged batch could hold it.
  std::erase_if(batch->entries, [&](const PresenceEntry& entry) { return entry.user == self(); });
  Show(batch->entries, carets, &out);
  roster_.Apply(*std::move(batch));
  // The app's own invariants (its carets included) are checked after its
  // next edit step: checking the whole document after every one of
  // thousands of presence batches would cost far more than it finds.
  return out;
}

PresenceOutput PresenceClient::Flood(std::string viewport_last, int64_t now) {
  PresenceEntry entry = Entry();
  entry.viewport = Viewport{published_.head, std::move(viewport_last)};
  wire::PresenceUpdate update;
  EncodePresenceEntry(entry, update.mutable_entry());
  PresenceOutput out;
  out.sends.push_back(PresenceSend{kServerReplica, PresenceSend::Kind::kUpdate, update.SerializeAsString(), {}});
  return out;
}

}  // namespace collabsim
