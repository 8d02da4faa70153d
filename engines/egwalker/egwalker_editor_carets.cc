// The caret facet of an Eg-walker replica on a user's device (see
// egwalker_editor.h): carets move with the text as indexes; a published
// caret is an index at a version, placed by the receiver once it has that
// version's events.
#include "absl/strings/str_format.h"
#include "engines/egwalker/egwalker_editor.h"

namespace collabsim::egwalker {
namespace {

// An index after a text edit, for a caret just after the character left of
// it: text inserted at the caret goes after it.
uint64_t Shifted(uint64_t index, const TextEdit& edit) {
  if (edit.position >= index) return index;
  if (edit.kind == EditKind::kInsert) return index + edit.content.size();
  return index - std::min(edit.count, index - edit.position);
}

Selection Shifted(Selection selection, const TextEdit& edit) {
  return Selection{Shifted(selection.anchor, edit), Shifted(selection.head, edit)};
}

std::string Encode(const std::vector<RemoteId>& version, uint64_t index) {
  wire::CaretPosition caret;
  IntentDocument::EncodeVersion(version, caret.mutable_version());
  caret.set_index(index);
  caret.set_placed(true);
  return caret.SerializeAsString();
}

}  // namespace

void EgwalkerEditor::ShiftCarets(const std::vector<TextEdit>& edits) {
  for (const TextEdit& edit : edits) {
    cursor_ = Shifted(cursor_, edit);
    anchor_ = Shifted(anchor_, edit);
    if (published_.has_value()) published_->live = Shifted(published_->live, edit);
    for (auto& [owner, selection] : remote_carets_) selection = Shifted(selection, edit);
  }
}

EncodedSelection EgwalkerEditor::PublishSelection() {
  const Selection live{anchor_, cursor_};
  if (published_.has_value() && published_->live == live) return published_->bytes;
  const std::vector<RemoteId> version = doc_.document().Version();
  const std::string head = Encode(version, cursor_);
  published_ = Published{EncodedSelection{anchor_ == cursor_ ? head : Encode(version, anchor_), head}, live};
  return published_->bytes;
}

absl::StatusOr<std::optional<Selection>> EgwalkerEditor::Place(const wire::CaretPosition& anchor,
                                                                const wire::CaretPosition& head) const {
  const std::vector<RemoteId> version = IntentDocument::DecodeVersion(head.version());
  absl::StatusOr<std::optional<uint64_t>> placed_head = doc_.document().PlaceIndex(version, head.index());
  if (!placed_head.ok()) return placed_head.status();
  if (!placed_head->has_value()) return std::optional<Selection>();
  absl::StatusOr<std::optional<uint64_t>> placed_anchor = doc_.document().PlaceIndex(version, anchor.index());
  if (!placed_anchor.ok()) return placed_anchor.status();
  return std::optional<Selection>(Selection{**placed_anchor, **placed_head});
}

absl::Status EgwalkerEditor::ShowRemoteSelection(ReplicaId owner, std::string_view anchor, std::string_view head) {
  wire::CaretPosition ends[2];
  for (int k = 0; k < 2; ++k) {
    const std::string_view bytes = k == 0 ? anchor : head;
    if (!ends[k].ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || !ends[k].placed()) {
      return absl::InvalidArgumentError("undecodable Eg-walker caret position");
    }
    if (ends[k].version_size() > kMaxParents) return absl::InvalidArgumentError("Eg-walker caret at a version too wide");
  }
  if (owner == id() || owner == kServerReplica) {
    return absl::InvalidArgumentError(absl::StrFormat("caret of user %d shown at replica %d", owner, id()));
  }
  if (IntentDocument::DecodeVersion(ends[0].version()) != IntentDocument::DecodeVersion(ends[1].version())) {
    return absl::InvalidArgumentError("selection anchor and head at different versions");
  }
  absl::StatusOr<std::optional<Selection>> placed = Place(ends[0], ends[1]);
  if (!placed.ok()) return placed.status();
  HideRemoteSelection(owner);
  if (placed->has_value()) {
    remote_carets_[owner] = **placed;
  } else {
    waiting_carets_[owner] = {ends[0], ends[1]};
  }
  return absl::OkStatus();
}

void EgwalkerEditor::PlaceWaitingCarets() {
  for (auto it = waiting_carets_.begin(); it != waiting_carets_.end();) {
    absl::StatusOr<std::optional<Selection>> placed = Place(it->second.first, it->second.second);
    if (placed.ok() && !placed->has_value()) {
      ++it;
      continue;
    }
    // Placed, or (once its events are here) past the end: not shown.
    if (placed.ok()) remote_carets_[it->first] = **placed;
    it = waiting_carets_.erase(it);
  }
}

void EgwalkerEditor::HideRemoteSelection(ReplicaId owner) {
  remote_carets_.erase(owner);
  waiting_carets_.erase(owner);
}

std::optional<Selection> EgwalkerEditor::RemoteSelection(ReplicaId owner) const {
  const auto it = remote_carets_.find(owner);
  if (it == remote_carets_.end()) return std::nullopt;
  return it->second;
}

}  // namespace collabsim::egwalker
