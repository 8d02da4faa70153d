// What drives a simulated user: synthetic typing or an explicit script. The
// world asks for the next action whenever the last one's delay has passed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engines/common/intent.h"
#include "engines/common/replica.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

class UserModel {
 public:
  struct Action {
    std::optional<IntentBody> intent;
    std::string inserted_word;               // set for a typed word
    std::vector<std::string> deleted_words;  // set for a delete
    // Delay until the next action; none: this user does nothing more.
    std::optional<SimTime> next_in = 0;
  };

  virtual ~UserModel() = default;

  // Delay from the start to this user's first action; none: the user never acts.
  virtual std::optional<SimTime> InitialDelay() = 0;

  // The user's next action at `since_start` (time since the start) given
  // what they see now on their replica (read through its cheap
  // TextLength/TextSlice/OwnCursor, a few words at a time).
  virtual Action Next(const Replica& replica, SimTime since_start) = 0;
};

}  // namespace collabsim::sim
