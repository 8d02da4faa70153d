// A synthetic writer. Between pauses (exponential) a user either clicks
// somewhere (a random word boundary, or the end of the document for a
// hot_spot_fraction of bursts) and types a burst of words at a typing speed, or deletes a few
// whole words; during a pause the cursor wanders (clicks elsewhere). Every
// word is one intent and a unique token for the intent oracle; inserts go to
// word boundaries and deletes take whole words, so a correct engine keeps
// every token intact.
//
// Determinism: draws only from its own Prng; reads only the user's own view.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engines/common/intent.h"
#include "engines/common/replica.h"
#include "scenario.pb.h"
#include "sim/prng.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

class SyntheticUser {
 public:
  struct Action {
    std::optional<IntentBody> intent;
    std::string inserted_word;               // set for a typed word
    std::vector<std::string> deleted_words;  // set for a delete
    SimTime next_in = 0;                     // delay until the next action
  };

  SyntheticUser(ReplicaId user, const scenario::Typing& typing, Prng prng);

  // The user's next action given what they see now.
  Action Next(const View& view);

  // Delay before this user's first action.
  SimTime InitialDelay();

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

// Positions where a word may be inserted: 0 and just after every space.
std::vector<uint64_t> WordBoundaries(const std::string& text);

}  // namespace collabsim::sim
