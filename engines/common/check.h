// Programmer-error assertions that stay on in every build type (release
// included): a broken invariant must stop the run, never produce a result.
#pragma once

#include <cstdio>
#include <cstdlib>

// For invariants whose full check costs O(state) with allocations: every
// call does the cheap part, every kEvery-th call (and the first) the full
// one, so sanitizer runs of long sessions stay affordable. Counts calls,
// never time, so it cannot change a run.
class FullCheckCadence {
 public:
  static constexpr unsigned kEvery = 64;
  bool Due() const { return calls_++ % kEvery == 0; }

 private:
  mutable unsigned calls_ = 0;
};

#define COLLABSIM_CHECK(condition)                                          \
  do {                                                                      \
    if (!(condition)) {                                                     \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,       \
                   __LINE__, #condition);                                   \
      std::abort();                                                         \
    }                                                                       \
  } while (false)
