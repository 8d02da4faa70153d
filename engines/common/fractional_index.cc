// Key generation for fractional indexing (see fractional_index.h).
#include "engines/common/fractional_index.h"

#include <algorithm>

#include "engines/common/check.h"

namespace collabsim {
namespace {

constexpr std::string_view kDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr int kBase = 62;

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  if (c >= 'a' && c <= 'z') return c - 'a' + 36;
  return -1;
}

char Digit(int value) { return kDigits[static_cast<size_t>(value)]; }

// Digit `i` of a key read as a fraction: zero past its end.
int DigitAt(std::string_view key, size_t i) { return i < key.size() ? DigitValue(key[i]) : 0; }

}  // namespace

bool IsValidKey(std::string_view key) {
  if (key.empty() || key.back() == '0') return false;
  for (char c : key) {
    if (DigitValue(c) < 0) return false;
  }
  return true;
}

uint64_t JitterFor(uint64_t a, uint64_t b, uint64_t c) {
  // SplitMix64's finaliser over a simple combination: fixed on every machine.
  uint64_t z = a * 0x9E3779B97F4A7C15ULL + b * 0xBF58476D1CE4E5B9ULL + c * 0x94D049BB133111EBULL + 0x2545F4914F6CDD1DULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::string KeyBetween(std::string_view low, std::string_view high, uint64_t jitter) {
  COLLABSIM_CHECK(low.empty() || IsValidKey(low));
  COLLABSIM_CHECK(high.empty() || IsValidKey(high));
  COLLABSIM_CHECK(low.empty() || high.empty() || low < high);
  std::string out;
  // Walk digit by digit; `high_bound` says whether `high` still limits this
  // digit (false once a digit below high's was chosen, or high is empty).
  bool high_bound = !high.empty();
  for (size_t i = 0;; ++i) {
    const int lo = DigitAt(low, i);
    const int hi = high_bound ? DigitAt(high, i) : kBase;
    if (hi == lo) {  // common prefix (only when high still binds)
      out += Digit(lo);
      continue;
    }
    COLLABSIM_CHECK(hi > lo);
    // Past the end of `low` every key above it is free: stay near the top
    // (prepending before `high` then has room for many more); with no
    // upper bound, stay near `low` (appending after it has room too).
    const bool near_high = i >= low.size();
    const bool near_low = !near_high && !high_bound;
    const int room = hi - lo - 1;  // digits strictly between
    if (room >= 1) {
      const auto step = static_cast<int>(jitter % static_cast<uint64_t>(std::min(room, kMaxStep)));
      int pick = lo + 1 + static_cast<int>(jitter % static_cast<uint64_t>(room));  // anywhere between
      if (near_high) pick = hi - 1 - step;
      if (near_low) pick = lo + 1 + step;
      out += Digit(pick);
      // Jitter digits (the last never '0'), so independent writers that
      // picked the same digit still differ; the first leans towards where
      // the next insert of a run will look for room.
      jitter /= 64;
      int first = static_cast<int>(jitter % kBase);
      if (near_high) first = kBase - 1 - static_cast<int>(jitter % 8);
      if (near_low) first = static_cast<int>(jitter % 8);
      out += Digit(first);
      for (int k = 0; k < kJitterDigits - 1; ++k) {
        jitter /= 64;
        out += Digit(k + 2 == kJitterDigits ? 1 + static_cast<int>(jitter % (kBase - 1)) : static_cast<int>(jitter % kBase));
      }
      return out;
    }
    // hi == lo + 1: no digit between. Take lo; from here only `low` binds
    // (whatever follows is below hi's digit, so below high).
    out += Digit(lo);
    high_bound = false;
  }
}

}  // namespace collabsim
