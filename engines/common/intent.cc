// Helpers over intents shared by engines, the simulator and checkers.
#include "engines/common/intent.h"

#include "absl/strings/str_format.h"

namespace collabsim {

bool ChangesDocument(const IntentBody& body) {
  return !std::holds_alternative<MoveCursor>(body);
}

std::string Describe(const Intent& intent) {
  const std::string id = absl::StrFormat("%d.%d", intent.id.replica, intent.id.seq);
  if (const auto* insert = std::get_if<InsertText>(&intent.body)) {
    return absl::StrFormat("%s insert@%d \"%s\"", id, insert->position, insert->text);
  }
  if (const auto* del = std::get_if<DeleteText>(&intent.body)) {
    return absl::StrFormat("%s delete@%d+%d", id, del->position, del->length);
  }
  const auto& move = std::get<MoveCursor>(intent.body);
  return absl::StrFormat("%s cursor@%d", id, move.position);
}

}  // namespace collabsim
