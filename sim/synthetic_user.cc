// The synthetic writer's state machine (see synthetic_user.h).
#include "sim/synthetic_user.h"

#include <algorithm>

#include "check/intent_oracle.h"
#include "engines/common/check.h"
#include "engines/common/utf8.h"
#include "sim/distributions.h"

namespace collabsim::sim {

namespace {

// Code points in the first `bytes` bytes of valid UTF-8.
uint64_t CodePointsIn(const std::string& utf8, size_t bytes) {
  uint64_t n = 0;
  for (size_t k = 0; k < bytes; ++k) n += (static_cast<unsigned char>(utf8[k]) & 0xC0) != 0x80;
  return n;
}

constexpr uint64_t kWindow = 64;
// What ends a word: a space, or a newline ending its paragraph.
constexpr const char* kWordEnds = " \n";

}  // namespace

uint64_t BoundaryAtOrBefore(const Replica& replica, uint64_t position) {
  uint64_t end = std::min(position, replica.TextLength());
  while (end > 0) {
    const uint64_t begin = end > kWindow ? end - kWindow : 0;
    const std::string slice = replica.TextSlice(begin, end - begin);
    const size_t space = slice.find_last_of(kWordEnds);
    if (space != std::string::npos) return begin + CodePointsIn(slice, space + 1);
    end = begin;
  }
  return 0;
}

std::vector<std::string> WordsFrom(const Replica& replica, uint64_t boundary, size_t count) {
  const uint64_t length = replica.TextLength();
  for (uint64_t window = kWindow * count;; window *= 2) {
    const std::string slice = replica.TextSlice(boundary, window);
    std::vector<std::string> words;
    size_t at = 0;
    for (size_t space; words.size() < count && (space = slice.find_first_of(kWordEnds, at)) != std::string::npos;
         at = space + 1) {
      words.push_back(slice.substr(at, space - at));
    }
    if (words.size() == count || boundary + window >= length) return words;
  }
}

SyntheticUser::SyntheticUser(ReplicaId user, const scenario::Typing& typing, Prng prng)
    : user_(user), typing_(typing), prng_(std::move(prng)) {}

std::optional<SimTime> SyntheticUser::InitialDelay() {
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

SyntheticUser::Action SyntheticUser::Next(const Replica& replica, SimTime /*since_start*/) {
  Action action;
  const uint64_t length = replica.TextLength();
  // Snap to the boundary at or before the cursor.
  const uint64_t at = BoundaryAtOrBefore(replica, replica.OwnCursor());
  // A word boundary chosen by clicking on a uniformly random character (or
  // the end): long words are a little likelier targets, as on a screen.
  auto random_boundary = [&] { return BoundaryAtOrBefore(replica, prng_.UniformInt(length + 1)); };

  if (mode_ == Mode::kTyping) {
    action.inserted_word = check::TokenWord(user_, ++word_counter_);
    // Enter instead of a space ends a paragraph (drawn only when asked for,
    // so scenarios without paragraphs keep their random streams).
    const bool enter = typing_.paragraph_fraction() > 0 && prng_.Bernoulli(typing_.paragraph_fraction());
    action.intent = InsertText{at, action.inserted_word + (enter ? "\n" : " ")};
    if (--words_left_ == 0) {
      StartPause(&action);
    } else {
      action.next_in = WordInterval();
    }
    return action;
  }
  if (cursor_moves_left_ > 0) {  // still pausing: click somewhere else, or select a word
    --cursor_moves_left_;
    const uint64_t click = random_boundary();
    action.intent = MoveCursor{click};
    // Drawn only when asked for, so scenarios without selections keep their
    // random streams.
    if (typing_.select_fraction() > 0 && prng_.Bernoulli(typing_.select_fraction())) {
      const std::vector<std::string> word = WordsFrom(replica, click, 1);
      if (!word.empty()) action.intent = MoveCursor{click + CountCodePoints(word.front()), click};
    }
    action.next_in = pause_slice_;
    return action;
  }
  if (length > 0 && prng_.Bernoulli(typing_.delete_fraction())) {
    // Whole words from the one under a random character; only words that
    // end in a space (complete) are taken.
    const uint64_t begin = BoundaryAtOrBefore(replica, prng_.UniformInt(length));
    const auto wanted = static_cast<size_t>(1 + prng_.UniformInt(typing_.delete_words_max()));
    action.deleted_words = WordsFrom(replica, begin, wanted);
    if (!action.deleted_words.empty()) {
      uint64_t deleted = 0;
      for (const std::string& word : action.deleted_words) deleted += CountCodePoints(word) + 1;
      action.intent = DeleteText{begin, deleted};
      StartPause(&action);
      return action;
    }
  }
  // Click where the burst will go, think briefly, then type.
  mode_ = Mode::kTyping;
  words_left_ = static_cast<uint32_t>(prng_.UniformInRange(typing_.burst_words_min(), typing_.burst_words_max()));
  action.intent = MoveCursor{prng_.Bernoulli(typing_.hot_spot_fraction()) ? BoundaryAtOrBefore(replica, length) : random_boundary()};
  action.next_in = FromSeconds(SampleUniform(prng_, 0.3, 1.5));
  return action;
}

}  // namespace collabsim::sim
