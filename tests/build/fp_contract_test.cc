// Guards -ffp-contract=off. With fused multiply-add allowed (GCC's default
// for C++, even with -std=c++20), `a * b + c` rounds once instead of twice
// wherever the target has FMA (-march=haswell, aarch64), so the same seed
// could give another run on another build. multiply_add.cc is compiled
// with FMA enabled: the result must still be the twice-rounded one.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/build/multiply_add.h"

namespace collabsim::test {
namespace {

bool CpuHasFma() {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_cpu_supports("fma");
#else
  return true;  // aarch64 and the other 64-bit targets always have it
#endif
}

TEST(FloatingPoint, MultiplyAddIsNeverFused) {
  if (!CpuHasFma()) GTEST_SKIP() << "this CPU has no fused multiply-add; the build cannot fuse here";
  // (1 + 2^-30)(1 - 2^-30) = 1 - 2^-60 rounds to 1.0, so twice rounded the
  // sum is 0; fused (one rounding) it is -2^-60.
  const double a = 1 + std::ldexp(1.0, -30);
  const double b = 1 - std::ldexp(1.0, -30);
  EXPECT_EQ(std::fma(a, b, -1.0), -std::ldexp(1.0, -60));  // what fusing would give
  EXPECT_EQ(MultiplyAdd(a, b, -1.0), 0.0) << "a * b + c was fused: build without -ffp-contract=off?";
}

}  // namespace
}  // namespace collabsim::test
