// Helpers over intents shared by engines, the simulator and checkers.
#include "engines/common/intent.h"

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "engines/common/utf8.h"

namespace collabsim {

bool ChangesDocument(const IntentBody& body) {
  return !std::holds_alternative<MoveCursor>(body);
}

bool IsObjectIntent(const IntentBody& body) {
  return std::holds_alternative<CreateObject>(body) || std::holds_alternative<DeleteObject>(body) ||
         std::holds_alternative<SetProperty>(body) || std::holds_alternative<MoveObject>(body);
}

bool IsValidObjectId(std::string_view id) {
  if (id.empty() || id.size() > 48 || id == kRootObject) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsValidPropertyName(std::string_view name) {
  if (name.empty() || name.size() > 32 || name == "parent" || name == "index" || name == "deleted") return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

absl::Status ValidateOwnIntent(ReplicaId replica, const Intent& intent) {
  if (intent.id.replica != replica) {
    return absl::InvalidArgumentError(
        absl::StrFormat("intent %d.%d applied at replica %d", intent.id.replica, intent.id.seq, replica));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::u32string> CheckTextIntent(const IntentBody& body, uint64_t length) {
  COLLABSIM_CHECK(!IsObjectIntent(body));
  if (const auto* insert = std::get_if<InsertText>(&body)) {
    if (insert->position > length) {
      return absl::InvalidArgumentError(absl::StrFormat("insert position %d past end %d", insert->position, length));
    }
    absl::StatusOr<std::u32string> text = DecodeUtf8(insert->text);
    if (!text.ok()) return text.status();
    if (text->empty()) return absl::InvalidArgumentError("insert of empty text");
    return text;
  }
  if (const auto* del = std::get_if<DeleteText>(&body)) {
    if (del->length == 0 || del->position > length || del->length > length - del->position) {
      return absl::InvalidArgumentError(
          absl::StrFormat("delete [%d, +%d) outside document of length %d", del->position, del->length, length));
    }
    return std::u32string();
  }
  const auto& move = std::get<MoveCursor>(body);
  if (move.position > length) {
    return absl::InvalidArgumentError(absl::StrFormat("cursor position %d past end %d", move.position, length));
  }
  if (move.anchor.has_value() && *move.anchor > length) {
    return absl::InvalidArgumentError(absl::StrFormat("selection anchor %d past end %d", *move.anchor, length));
  }
  return std::u32string();
}

std::string Describe(const Intent& intent) {
  const std::string id = absl::StrFormat("%d.%d", intent.id.replica, intent.id.seq);
  if (const auto* insert = std::get_if<InsertText>(&intent.body)) {
    return absl::StrFormat("%s insert@%d \"%s\"", id, insert->position, insert->text);
  }
  if (const auto* del = std::get_if<DeleteText>(&intent.body)) {
    return absl::StrFormat("%s delete@%d+%d", id, del->position, del->length);
  }
  if (const auto* move = std::get_if<MoveCursor>(&intent.body)) {
    if (move->anchor.has_value()) return absl::StrFormat("%s select@%d-%d", id, *move->anchor, move->position);
    return absl::StrFormat("%s cursor@%d", id, move->position);
  }
  if (const auto* create = std::get_if<CreateObject>(&intent.body)) {
    return absl::StrFormat("%s create %s in %s", id, create->object, create->parent);
  }
  if (const auto* del = std::get_if<DeleteObject>(&intent.body)) {
    return absl::StrFormat("%s delete %s", id, del->object);
  }
  if (const auto* set = std::get_if<SetProperty>(&intent.body)) {
    return absl::StrFormat("%s set %s.%s=%s", id, set->object, set->property, DescribeValue(set->value));
  }
  const auto& move = std::get<MoveObject>(intent.body);
  return absl::StrFormat("%s move %s to %s%s", id, move.object, move.parent,
                         move.before.empty() ? std::string(" (last)") : " before " + move.before);
}

}  // namespace collabsim
