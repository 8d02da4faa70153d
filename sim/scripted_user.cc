// Replays one user's share of a scenario script (see scripted_user.h).
#include "sim/scripted_user.h"

#include <algorithm>

#include "engines/common/check.h"
#include "engines/common/utf8.h"
#include "sim/synthetic_user.h"

namespace collabsim::sim {

ScriptedUser::ScriptedUser(ReplicaId user, const scenario::Scenario& scenario) {
  for (const scenario::ScriptedAction& action : scenario.script()) {
    if (action.user() == user) actions_.push_back(action);
  }
  std::stable_sort(actions_.begin(), actions_.end(),
                   [](const scenario::ScriptedAction& a, const scenario::ScriptedAction& b) { return a.at_s() < b.at_s(); });
}

std::optional<SimTime> ScriptedUser::InitialDelay() {
  if (actions_.empty()) return std::nullopt;
  return FromSeconds(actions_.front().at_s());
}

UserModel::Action ScriptedUser::Next(const Replica& replica, SimTime since_start) {
  COLLABSIM_CHECK(next_ < actions_.size());
  const scenario::ScriptedAction& entry = actions_[next_++];
  Action action;
  switch (entry.action_case()) {
    case scenario::ScriptedAction::kType:
      action.inserted_word = entry.type().word();
      action.intent = InsertText{BoundaryAtOrBefore(replica, entry.type().at()),
                                 action.inserted_word + (entry.type().paragraph() ? "\n" : " ")};
      break;
    case scenario::ScriptedAction::kDeleteWords: {
      const uint64_t begin = BoundaryAtOrBefore(replica, entry.delete_words().at());
      action.deleted_words = WordsFrom(replica, begin, entry.delete_words().count());
      if (action.deleted_words.empty()) break;  // nothing left to delete there
      uint64_t deleted = 0;
      for (const std::string& word : action.deleted_words) deleted += CountCodePoints(word) + 1;
      action.intent = DeleteText{begin, deleted};
      break;
    }
    case scenario::ScriptedAction::kMoveCursor:
      action.intent = MoveCursor{std::min(entry.move_cursor(), replica.TextLength())};
      break;
    case scenario::ScriptedAction::kSelect:
      action.intent = MoveCursor{std::min(entry.select().head(), replica.TextLength()),
                                 std::min(entry.select().anchor(), replica.TextLength())};
      break;
    case scenario::ScriptedAction::ACTION_NOT_SET:
      COLLABSIM_CHECK(false && "validation requires an action");
  }
  if (next_ < actions_.size()) {
    action.next_in = std::max<SimTime>(FromSeconds(actions_[next_].at_s()) - since_start, 0);
  } else {
    action.next_in = std::nullopt;
  }
  return action;
}

scenario::ScriptedAction ScriptEntryFor(ReplicaId user, SimTime since_start, const UserModel::Action& action) {
  COLLABSIM_CHECK(action.intent.has_value());
  scenario::ScriptedAction entry;
  entry.set_at_s(ToSeconds(since_start));
  entry.set_user(user);
  if (const auto* insert = std::get_if<InsertText>(&*action.intent)) {
    COLLABSIM_CHECK(!action.inserted_word.empty());
    entry.mutable_type()->set_at(insert->position);
    entry.mutable_type()->set_word(action.inserted_word);
    if (!insert->text.empty() && insert->text.back() == '\n') entry.mutable_type()->set_paragraph(true);
  } else if (const auto* del = std::get_if<DeleteText>(&*action.intent)) {
    COLLABSIM_CHECK(!action.deleted_words.empty());
    entry.mutable_delete_words()->set_at(del->position);
    entry.mutable_delete_words()->set_count(static_cast<uint32_t>(action.deleted_words.size()));
  } else if (const auto& move = std::get<MoveCursor>(*action.intent); move.anchor.has_value()) {
    entry.mutable_select()->set_anchor(*move.anchor);
    entry.mutable_select()->set_head(move.position);
  } else {
    entry.set_move_cursor(move.position);
  }
  return entry;
}

}  // namespace collabsim::sim
