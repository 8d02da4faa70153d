// A synthetic writer. Between pauses (exponential) a user either clicks
// somewhere (a random word boundary, or the end of the document for a
// hot_spot_fraction of bursts) and types a burst of words at a typing speed, or deletes a few
// whole words; during a pause the cursor wanders (clicks elsewhere). Every
// word is one intent and a unique token for the intent oracle; inserts go to
// word boundaries and deletes take whole words, so a correct engine keeps
// every token intact.
//
// Determinism: draws only from its own Prng; reads only the user's own view.
// Cost: O(a few words) per action given O(1) slices, so three-week sessions
// with megabyte documents stay fast.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engines/common/intent.h"
#include "engines/common/replica.h"
#include "scenario.pb.h"
#include "sim/prng.h"
#include "sim/sim_time.h"
#include "sim/user_model.h"

namespace collabsim::sim {

class SyntheticUser : public UserModel {
 public:
  SyntheticUser(ReplicaId user, const scenario::Typing& typing, Prng prng);

  // Never none: a synthetic user types until the active phase ends.
  std::optional<SimTime> InitialDelay() override;
  Action Next(const Replica& replica, SimTime since_start) override;

 private:
  enum class Mode { kPausing, kTyping };

  void StartPause(Action* action);
  SimTime WordInterval();

  ReplicaId user_;
  scenario::Typing typing_;
  Prng prng_;
  Mode mode_ = Mode::kPausing;
  uint32_t words_left_ = 0;
  uint32_t cursor_moves_left_ = 0;
  SimTime pause_slice_ = 0;
  uint64_t word_counter_ = 0;
};

// Word boundaries are 0 and the positions just after a space or newline. The boundary
// at or before `position` (clamped to the text), in code points.
uint64_t BoundaryAtOrBefore(const Replica& replica, uint64_t position);

// Up to `count` complete (space- or newline-terminated) words starting at
// `boundary`, without their terminators.
std::vector<std::string> WordsFrom(const Replica& replica, uint64_t boundary, size_t count);

}  // namespace collabsim::sim
