// The synthetic writer's state machine (see synthetic_user.h).
#include "sim/synthetic_user.h"

#include <algorithm>

#include "check/intent_oracle.h"
#include "engines/common/check.h"
#include "sim/distributions.h"

namespace collabsim::sim {

std::vector<uint64_t> WordBoundaries(const std::string& text) {
  std::vector<uint64_t> boundaries{0};
  for (size_t k = 0; k < text.size(); ++k) {
    if (text[k] == ' ') boundaries.push_back(k + 1);
  }
  return boundaries;
}

SyntheticUser::SyntheticUser(ReplicaId user, const scenario::Typing& typing, Prng prng)
    : user_(user), typing_(typing), prng_(std::move(prng)) {}

SimTime SyntheticUser::InitialDelay() {
  return FromSeconds(SampleUniform(prng_, 0, typing_.pause_mean_s()));
}

SimTime SyntheticUser::WordInterval() {
  const double seconds = 60.0 / typing_.words_per_minute();
  return FromSeconds(SampleLognormal(prng_, seconds, 0.35));
}

void SyntheticUser::StartPause(Action* action) {
  mode_ = Mode::kPausing;
  const SimTime pause = FromSeconds(SampleExponential(prng_, typing_.pause_mean_s()));
  cursor_moves_left_ = static_cast<uint32_t>(prng_.UniformInt(typing_.cursor_moves_max() + 1));
  pause_slice_ = pause / (cursor_moves_left_ + 1);
  action->next_in = pause_slice_;
}

SyntheticUser::Action SyntheticUser::Next(const View& view) {
  Action action;
  const std::vector<uint64_t> boundaries = WordBoundaries(view.text);
  auto cursor_it = view.cursors.find(user_);
  const uint64_t cursor = cursor_it == view.cursors.end() ? 0 : cursor_it->second;
  // Snap to the boundary at or before the cursor.
  const uint64_t at = *(std::upper_bound(boundaries.begin(), boundaries.end(), cursor) - 1);
  auto random_boundary = [&] { return boundaries[prng_.UniformInt(boundaries.size())]; };

  if (mode_ == Mode::kTyping) {
    action.inserted_word = check::TokenWord(user_, ++word_counter_);
    action.intent = InsertText{at, action.inserted_word + " "};
    if (--words_left_ == 0) {
      StartPause(&action);
    } else {
      action.next_in = WordInterval();
    }
    return action;
  }
  if (cursor_moves_left_ > 0) {  // still pausing: click somewhere else
    --cursor_moves_left_;
    action.intent = MoveCursor{random_boundary()};
    action.next_in = pause_slice_;
    return action;
  }
  const size_t words = boundaries.size() - 1;  // complete words in view
  if (words > 0 && prng_.Bernoulli(typing_.delete_fraction())) {
    const size_t first = prng_.UniformInt(words);
    const size_t count = std::min<size_t>(words - first, 1 + prng_.UniformInt(typing_.delete_words_max()));
    const uint64_t begin = boundaries[first];
    const uint64_t end = boundaries[first + count];
    for (size_t w = first; w < first + count; ++w) {
      action.deleted_words.push_back(view.text.substr(boundaries[w], boundaries[w + 1] - boundaries[w] - 1));
    }
    action.intent = DeleteText{begin, end - begin};
    StartPause(&action);
    return action;
  }
  // Click where the burst will go, think briefly, then type.
  mode_ = Mode::kTyping;
  words_left_ = static_cast<uint32_t>(prng_.UniformInRange(typing_.burst_words_min(), typing_.burst_words_max()));
  action.intent = MoveCursor{prng_.Bernoulli(typing_.hot_spot_fraction()) ? boundaries.back() : random_boundary()};
  action.next_in = FromSeconds(SampleUniform(prng_, 0.3, 1.5));
  return action;
}

}  // namespace collabsim::sim
