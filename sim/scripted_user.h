// A user driven by a scenario's `script` instead of synthetic typing: does
// exactly the listed actions at the listed times, against whatever the user
// sees then. Positions snap to word boundaries and clamp to the text, so a
// script stays runnable after `collabsim shrink` takes actions out of it.
//
// Determinism: no randomness; reads only the user's own view.
#pragma once

#include <optional>
#include <vector>

#include "scenario.pb.h"
#include "sim/user_model.h"

namespace collabsim::sim {

class ScriptedUser : public UserModel {
 public:
  // Takes this user's actions from `scenario.script()`, in time order (equal
  // times keep file order). REQUIRES: the scenario passed validation.
  ScriptedUser(ReplicaId user, const scenario::Scenario& scenario);

  std::optional<SimTime> InitialDelay() override;
  Action Next(const Replica& replica, SimTime since_start) override;

 private:
  std::vector<scenario::ScriptedAction> actions_;
  size_t next_ = 0;
};

// The script entry that reproduces `action` of `user` at `since_start`, as
// a run records it (see RunOptions::script). REQUIRES: the action has an intent.
scenario::ScriptedAction ScriptEntryFor(ReplicaId user, SimTime since_start, const UserModel::Action& action);

}  // namespace collabsim::sim
