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

namespace {

// Appends kJitterDigits digits of `jitter` (the last never '0'), so
// independent writers that chose the same digits still differ. `lean`
// (0..61) biases the first towards where the next insert of a run looks.
void AppendJitter(uint64_t jitter, int lean, std::string* out) {
  jitter /= 64;
  *out += Digit(lean >= 0 ? lean : static_cast<int>(jitter % kBase));
  for (int k = 0; k < kJitterDigits - 1; ++k) {
    jitter /= 64;
    *out += Digit(k + 2 == kJitterDigits ? 1 + static_cast<int>(jitter % (kBase - 1)) : static_cast<int>(jitter % kBase));
  }
}

// The `width` digits of `key` from `from` (zeros past its end) as a number
// in base 62, most significant first. REQUIRES: width <= 10 (fits 64 bits).
uint64_t Window(std::string_view key, size_t from, size_t width) {
  uint64_t value = 0;
  for (size_t k = 0; k < width; ++k) value = value * kBase + static_cast<uint64_t>(DigitAt(key, from + k));
  return value;
}

void AppendWindow(uint64_t value, size_t width, std::string* out) {
  std::string digits(width, '0');
  for (size_t k = width; k-- > 0; value /= kBase) digits[k] = Digit(static_cast<int>(value % kBase));
  *out += digits;
}

uint64_t Power(size_t exponent) {
  uint64_t value = 1;
  while (exponent-- > 0) value *= kBase;
  return value;
}

// A key above `tail` (a key's suffix, maybe empty) with no upper bound.
// Keys of a run of appends count up like numbers whose width grows with
// their level: level k is k leading 'z's and then a counter of k + 1
// digits whose first is below 'z', so it holds about 61 * 62^k / 2 keys
// and the n-th append is about 2 log62(n) + 1 digits long (plus jitter),
// where stepping one digit at a time would add a digit every ~25 keys.
std::string AppendAfter(std::string_view tail, uint64_t jitter) {
  size_t level = 0;
  while (level < tail.size() && tail[level] == 'z') ++level;
  COLLABSIM_CHECK(level < 10);  // 62^10 keys at level 9: never reached
  const uint64_t step = 1 + jitter % kMaxStep;
  const uint64_t limit = (kBase - 1) * Power(level);  // first counter digit 'z'
  std::string out(level, 'z');
  const uint64_t counter = Window(tail, level, level + 1) + step;
  if (counter < limit) {
    AppendWindow(counter, level + 1, &out);
  } else {  // this level is full: the next one starts just above its floor
    out += 'z';
    AppendWindow(step, level + 2, &out);
  }
  AppendJitter(jitter, static_cast<int>((jitter / 64) % 8), &out);
  return out;
}

// A key below `tail` (a key's suffix, non-empty, not all '0's) with no
// lower bound but zero: AppendAfter mirrored, counting down under leading
// '0's.
std::string PrependBefore(std::string_view tail, uint64_t jitter) {
  size_t level = 0;
  while (level < tail.size() && tail[level] == '0') ++level;
  COLLABSIM_CHECK(level < tail.size() && level < 10);
  const uint64_t step = 1 + jitter % kMaxStep;
  const uint64_t floor = Power(level);  // first counter digit '1'
  std::string out(level, '0');
  const uint64_t counter = Window(tail, level, level + 1);
  if (counter >= floor + step) {
    AppendWindow(counter - step, level + 1, &out);
  } else {  // this level is empty below: the next one starts just under its top
    out += '0';
    AppendWindow(Power(level + 2) - step, level + 2, &out);
  }
  AppendJitter(jitter, kBase - 1 - static_cast<int>((jitter / 64) % 8), &out);
  return out;
}

}  // namespace

std::string KeyBetween(std::string_view low, std::string_view high, uint64_t jitter) {
  COLLABSIM_CHECK(low.empty() || IsValidKey(low));
  COLLABSIM_CHECK(high.empty() || IsValidKey(high));
  COLLABSIM_CHECK(low.empty() || high.empty() || low < high);
  std::string out;
  // Walk digit by digit; `high_bound` says whether `high` still limits this
  // digit (false once a digit below high's was chosen, or high is empty).
  bool high_bound = !high.empty();
  for (size_t i = 0;; ++i) {
    // Only `low` binds: an append after the rest of it.
    if (!high_bound) return out + AppendAfter(low.substr(std::min(i, low.size())), jitter);
    // Past the end of `low` (out == low): a prepend before the rest of high.
    if (i >= low.size()) return out + PrependBefore(high.substr(i), jitter);
    const int lo = DigitAt(low, i);
    const int hi = DigitAt(high, i);
    if (hi == lo) {  // common prefix
      out += Digit(lo);
      continue;
    }
    COLLABSIM_CHECK(hi > lo);
    const int room = hi - lo - 1;  // digits strictly between
    if (room >= 1) {
      out += Digit(lo + 1 + static_cast<int>(jitter % static_cast<uint64_t>(room)));  // anywhere between
      AppendJitter(jitter, -1, &out);
      return out;
    }
    // hi == lo + 1: no digit between. Take lo; from here only `low` binds
    // (whatever follows is below hi's digit, so below high).
    out += Digit(lo);
    high_bound = false;
  }
}

}  // namespace collabsim
