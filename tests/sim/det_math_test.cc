// Deterministic log/exp agree with libm to within a few ulps over the range
// the samplers use, and hit exact values where they must.
#include "sim/det_math.h"

#include <gtest/gtest.h>

#include <cmath>

namespace collabsim::sim {
namespace {

TEST(DeterministicMath, LogAgreesWithLibm) {
  EXPECT_EQ(DeterministicLog(1.0), 0.0);
  for (double x = 1e-300; x < 1e300; x *= 1.37) {
    const double expected = std::log(x);
    EXPECT_NEAR(DeterministicLog(x), expected, std::abs(expected) * 4e-16 + 1e-300) << x;
  }
  for (double x = 0.001; x < 4; x += 0.000731) {
    EXPECT_NEAR(DeterministicLog(x), std::log(x), 5e-16 * std::max(1.0, std::abs(std::log(x)))) << x;
  }
}

TEST(DeterministicMath, ExpAgreesWithLibm) {
  EXPECT_EQ(DeterministicExp(0.0), 1.0);
  for (double x = -700; x < 700; x += 0.913) {
    const double expected = std::exp(x);
    EXPECT_NEAR(DeterministicExp(x) / expected, 1.0, 4e-15) << x;
  }
  EXPECT_EQ(DeterministicExp(1000), INFINITY);
  EXPECT_EQ(DeterministicExp(-1000), 0.0);
}

}  // namespace
}  // namespace collabsim::sim
