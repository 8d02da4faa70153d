// Programmer-error assertions that stay on in every build type (release
// included): a broken invariant must stop the run, never produce a result.
#pragma once

#include <cstdio>
#include <cstdlib>

#define COLLABSIM_CHECK(condition)                                          \
  do {                                                                      \
    if (!(condition)) {                                                     \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,       \
                   __LINE__, #condition);                                   \
      std::abort();                                                         \
    }                                                                       \
  } while (false)
