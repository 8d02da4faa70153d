// Applying edits to a document under the ideal reference.
#include "engines/ideal/ideal_document.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/register_codec.h"
#include "engines/common/utf8.h"

namespace collabsim::ideal {

absl::StatusOr<std::optional<ideal_wire::Edit>> IdealDocument::ApplyOwn(const Intent& intent) {
  ideal_wire::Edit edit;
  edit.set_author(intent.id.replica);
  edit.set_seq(intent.id.seq);
  if (IsObjectIntent(intent.body)) {
    absl::StatusOr<std::vector<RegisterWrite>> writes = canvas_.Edit(intent.body, intent.id);
    if (!writes.ok()) return writes.status();
    for (const RegisterWrite& write : *writes) canvas_.Apply(write);
    EncodeRegisterWrites(*writes, edit.mutable_canvas()->mutable_writes());
    return edit;
  }
  absl::StatusOr<std::u32string> inserted = CheckTextIntent(intent.body, text_.size());
  if (!inserted.ok()) return inserted.status();
  if (const auto* insert = std::get_if<InsertText>(&intent.body)) {
    text_.Insert(insert->position, *inserted);
    cursor_ = insert->position + inserted->size();
    edit.mutable_insert()->set_position(insert->position);
    edit.mutable_insert()->set_text(insert->text);
    return edit;
  }
  if (const auto* erase = std::get_if<DeleteText>(&intent.body)) {
    text_.Erase(erase->position, erase->length);
    cursor_ = erase->position;
    edit.mutable_delete_()->set_position(erase->position);
    edit.mutable_delete_()->set_length(erase->length);
    return edit;
  }
  if (const auto* move = std::get_if<MoveCursor>(&intent.body)) cursor_ = move->position;
  return std::optional<ideal_wire::Edit>();
}

void IdealDocument::ApplyOthers(const ideal_wire::Edit& edit) {
  switch (edit.change_case()) {
    case ideal_wire::Edit::kInsert: {
      const uint64_t at = std::min(edit.insert().position(), text_.size());
      absl::StatusOr<std::u32string> text = DecodeUtf8(edit.insert().text());
      COLLABSIM_CHECK(text.ok());
      text_.Insert(at, *text);
      if (at < cursor_) cursor_ += text->size();
      break;
    }
    case ideal_wire::Edit::kDelete: {
      const uint64_t at = std::min(edit.delete_().position(), text_.size());
      const uint64_t count = std::min(edit.delete_().length(), text_.size() - at);
      if (count > 0) text_.Erase(at, count);
      if (cursor_ > at) cursor_ = cursor_ >= at + count ? cursor_ - count : at;
      break;
    }
    case ideal_wire::Edit::kCanvas: {
      absl::StatusOr<std::vector<RegisterWrite>> writes = DecodeCanvasWrites(edit.canvas().writes());
      COLLABSIM_CHECK(writes.ok());
      for (const RegisterWrite& write : *writes) canvas_.Apply(write);
      break;
    }
    case ideal_wire::Edit::CHANGE_NOT_SET:
      COLLABSIM_CHECK(false);
  }
}

View IdealDocument::ToView(ReplicaId owner) const {
  View view;
  view.text = text_.ToUtf8();
  view.cursors[owner] = cursor_;
  view.properties = canvas_.VisibleProperties();
  return view;
}

MemoryStats IdealDocument::Memory() const {
  MemoryStats memory = canvas_.Memory();
  memory.content_bytes += text_.AllocatedBytes();
  return memory;
}

void IdealDocument::CheckInvariants() const {
  text_.CheckInvariants();
  canvas_.CheckInvariants();
  COLLABSIM_CHECK(cursor_ <= text_.size());
}

void IdealDocument::Save(ideal_wire::ClientState* state) const {
  state->set_text(text_.ToUtf8());
  std::vector<RegisterWrite> registers;
  for (const auto& [key, value] : canvas_.registers()) registers.push_back(RegisterWrite{key, value});
  EncodeRegisterWrites(registers, state->mutable_canvas());
  state->set_cursor(cursor_);
}

absl::StatusOr<IdealDocument> IdealDocument::Load(const ideal_wire::ClientState& state) {
  IdealDocument document;
  absl::StatusOr<std::u32string> text = DecodeUtf8(state.text());
  if (!text.ok()) return absl::InvalidArgumentError("ideal client state: text is not UTF-8");
  absl::StatusOr<std::vector<RegisterWrite>> canvas = DecodeCanvasWrites(state.canvas());
  if (!canvas.ok()) return absl::InvalidArgumentError(absl::StrCat("ideal client state: canvas: ", canvas.status().message()));
  if (state.cursor() > text->size()) {
    return absl::InvalidArgumentError(absl::StrFormat("ideal client state: cursor %d past the text's %d code points",
                                                      state.cursor(), text->size()));
  }
  document.text_.Assign(*text);
  for (const RegisterWrite& write : *canvas) document.canvas_.Apply(write);
  document.cursor_ = state.cursor();
  return document;
}

}  // namespace collabsim::ideal
