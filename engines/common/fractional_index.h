// Fractional indexing: positions among siblings as strings that sort
// between their neighbours, so inserting or moving an object writes one
// key instead of renumbering its siblings (the scheme Figma describes for
// layer order). A key is a base-62 fraction 0.d1d2...dn with digits
// 0-9A-Za-z (ASCII order, so plain string comparison orders keys) and a
// last digit that is never '0', so there is always room before any key.
//
// Concurrent inserts at the same spot compute their keys independently;
// `jitter` (derived from the writer's intent id, never from a random
// source) spreads them so they rarely collide. Two siblings that do end up
// with the same key are ordered by object id; a key between two equal
// keys does not exist, and callers place such an insert after both.
//
// Growth: inserting at random places lengthens keys logarithmically, and
// so do runs of appends after the last key (or prepends before the first,
// or inserts one after another at one place): such a run counts up by at
// most kMaxStep in a counter whose width grows with its level (k leading
// 'z's, then k + 1 counter digits), so after n keys of a run a key is about
// 2 log62(n) + 1 digits plus the jitter: 8 digits at 100,000 appends, where
// a bound such as the LWW wire's 512 would otherwise be reached.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace collabsim {

// Largest step of a run's counter (steps are 1..kMaxStep, from the jitter).
inline constexpr int kMaxStep = 3;
// Digits of jitter after the chosen one.
inline constexpr int kJitterDigits = 3;

// True when `key` is non-empty, made of the 62 digits, and does not end in '0'.
bool IsValidKey(std::string_view key);

// A key strictly between `low` and `high`; an empty `low` means "before
// everything", an empty `high` "after everything". REQUIRES: both valid or
// empty, and low < high when both are given.
std::string KeyBetween(std::string_view low, std::string_view high, uint64_t jitter);

// A well-mixed 64-bit value from a writer's identity, for `jitter`.
uint64_t JitterFor(uint64_t a, uint64_t b, uint64_t c);

}  // namespace collabsim
