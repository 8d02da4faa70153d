// Range reduction plus series: log via the atanh series on [sqrt(1/2),
// sqrt(2)), exp via Taylor on |r| <= ln(2)/2, with ln 2 split in two parts
// (the fdlibm constants) to keep the reduction exact.
#include "sim/det_math.h"

#include <cmath>
#include <limits>

#include "engines/common/check.h"

namespace collabsim::sim {
namespace {
constexpr double kLn2High = 6.93147180369123816490e-01;
constexpr double kLn2Low = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double kSqrtHalf = 0.70710678118654752440;
}  // namespace

double DeterministicLog(double x) {
  COLLABSIM_CHECK(x > 0 && std::isfinite(x));
  int exponent = 0;
  double mantissa = std::frexp(x, &exponent);  // [0.5, 1), exact
  if (mantissa < kSqrtHalf) {
    mantissa *= 2;
    exponent -= 1;
  }
  const double s = (mantissa - 1) / (mantissa + 1);  // |s| < 0.172
  const double s2 = s * s;
  // 2 * atanh(s) = 2 * (s + s^3/3 + s^5/5 + ...), Horner from the top.
  double series = 0;
  // Unrolled, so each 1/(2k+1) is a constant (the same correctly rounded
  // quotient, computed once by the compiler).
#pragma GCC unroll 12
  for (int k = 12; k >= 1; --k) series = series * s2 + 1.0 / (2 * k + 1);
  series = s * (1 + s2 * series);
  const double e = exponent;
  return e * kLn2High + (2 * series + e * kLn2Low);
}

double DeterministicExp(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.78) return std::numeric_limits<double>::infinity();
  if (x < -745.0) return 0;
  const double k = std::floor(x * kInvLn2 + 0.5);
  const double r = (x - k * kLn2High) - k * kLn2Low;
  double sum = 1;
  // Unrolled, so a division by a power of two becomes the exact
  // multiplication it equals; the other divisions stay divisions.
#pragma GCC unroll 18
  for (int n = 18; n >= 1; --n) sum = 1 + sum * r / n;
  return std::ldexp(sum, static_cast<int>(k));
}

}  // namespace collabsim::sim
