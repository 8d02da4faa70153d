// Presence wire encoding (see presence_codec.h).
#include "engines/presence/presence_codec.h"

#include <set>

#include "absl/strings/str_cat.h"

namespace collabsim {

void EncodePresenceEntry(const PresenceEntry& entry, wire::PresenceEntry* out) {
  out->set_user(entry.user);
  if (entry.identity) {
    out->set_name(entry.name);
    out->set_colour(entry.colour);
  }
  out->set_version(entry.version);
  if (entry.anchor != entry.head) out->set_anchor(entry.anchor);  // a caret's anchor is its head
  out->set_head(entry.head);
  if (entry.viewport.has_value()) {
    out->mutable_viewport()->set_first(entry.viewport->first);
    out->mutable_viewport()->set_last(entry.viewport->last);
  }
}

absl::StatusOr<PresenceEntry> DecodePresenceEntry(const wire::PresenceEntry& in) {
  PresenceEntry entry;
  entry.user = in.user();
  if (in.has_colour() && !in.has_name()) return absl::InvalidArgumentError("presence colour: sent without a name");
  entry.identity = in.has_name();
  entry.name = in.name();
  entry.colour = in.colour();
  entry.version = in.version();
  entry.head = in.head();
  entry.anchor = in.anchor().empty() ? in.head() : in.anchor();
  if (in.has_viewport()) entry.viewport = Viewport{in.viewport().first(), in.viewport().last()};
  if (absl::Status status = ValidatePresenceEntry(entry); !status.ok()) return status;
  return entry;
}

void EncodePresenceBatch(const PresenceBatch& batch, wire::PresenceBatch* out) {
  out->set_full(batch.full);
  for (const PresenceEntry& entry : batch.entries) EncodePresenceEntry(entry, out->add_entries());
  for (ReplicaId user : batch.removed) out->add_removed(user);
  for (ReplicaId user : batch.unknown) out->add_unknown(user);
}

absl::StatusOr<PresenceBatch> DecodePresenceBatch(const wire::PresenceBatch& in) {
  PresenceBatch batch;
  batch.full = in.full();
  std::set<ReplicaId> seen;
  auto check_user = [&](ReplicaId user, const char* where) -> absl::Status {
    if (user == kServerReplica) return absl::InvalidArgumentError(absl::StrCat("presence batch ", where, ": user 0"));
    if (!seen.insert(user).second) {
      return absl::InvalidArgumentError(absl::StrCat("presence batch ", where, ": user ", user, " appears twice"));
    }
    return absl::OkStatus();
  };
  for (const wire::PresenceEntry& wire_entry : in.entries()) {
    absl::StatusOr<PresenceEntry> entry = DecodePresenceEntry(wire_entry);
    if (!entry.ok()) return entry.status();
    if (absl::Status status = check_user(entry->user, "entries"); !status.ok()) return status;
    batch.entries.push_back(*std::move(entry));
  }
  if (batch.full && in.removed_size() > 0) {
    return absl::InvalidArgumentError("presence batch removed: a full batch removes nobody");
  }
  for (ReplicaId user : in.removed()) {
    if (absl::Status status = check_user(user, "removed"); !status.ok()) return status;
    batch.removed.push_back(user);
  }
  // Asking for a user is apart from sending or removing one: its own set.
  seen.clear();
  for (ReplicaId user : in.unknown()) {
    if (absl::Status status = check_user(user, "unknown"); !status.ok()) return status;
    batch.unknown.push_back(user);
  }
  return batch;
}

}  // namespace collabsim
