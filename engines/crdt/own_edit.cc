// Own intents as CRDT changes (see own_edit.h).
#include "engines/crdt/own_edit.h"

#include "absl/strings/str_format.h"
#include "engines/common/utf8.h"

namespace collabsim::crdt {

absl::StatusOr<OwnEdit> ApplyOwnIntent(ReplicaId replica, const Intent& intent, CausalDoc* doc, uint64_t* agent) {
  if (absl::Status own = ValidateOwnIntent(replica, intent); !own.ok()) return own;
  OwnEdit edit;
  if (IsObjectIntent(intent.body)) {
    if (std::holds_alternative<MoveObject>(intent.body)) {
      return absl::UnimplementedError(
          "the crdt engines do not move objects (last-writer-wins parents can make cycles)");
    }
    absl::StatusOr<std::vector<RegisterWrite>> writes = doc->canvas().Edit(intent.body, intent.id);
    if (!writes.ok()) return writes.status();
    if (*agent == 0) *agent = AgentFor(intent.id);
    edit.change = doc->WriteOwn(intent.id, *agent, *writes);
    edit.moves_caret = false;
    return edit;
  }
  const Sequence& sequence = doc->sequence();
  absl::StatusOr<std::u32string> text = CheckTextIntent(intent.body, sequence.VisibleLength());
  if (!text.ok()) return text.status();
  if (const auto* move = std::get_if<MoveCursor>(&intent.body)) {
    edit.cursor = sequence.AnchorAt(move->position);
    edit.anchor = move->anchor.has_value() ? sequence.AnchorAt(*move->anchor) : edit.cursor;
    return edit;
  }
  if (const auto* insert = std::get_if<InsertText>(&intent.body)) {
    if (*agent == 0) *agent = AgentFor(intent.id);
    edit.change = doc->InsertOwn(intent.id, *agent, insert->position, *std::move(text));
    edit.cursor = edit.anchor = ItemId{*agent, edit.change->id.counter + edit.change->Span() - 1};
    return edit;
  }
  const auto& del = std::get<DeleteText>(intent.body);
  if (*agent == 0) *agent = AgentFor(intent.id);
  edit.change = doc->DeleteOwn(intent.id, *agent, del.position, del.length);
  edit.cursor = edit.anchor = sequence.AnchorAt(del.position);
  return edit;
}

}  // namespace collabsim::crdt
