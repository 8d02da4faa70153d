// Inverse-transform and polar-method samplers over the in-tree Prng and the
// deterministic log/exp.
#include "sim/distributions.h"

#include <cmath>

#include "engines/common/check.h"
#include "sim/det_math.h"

namespace collabsim::sim {

double SampleExponential(Prng& prng, double mean) {
  COLLABSIM_CHECK(mean >= 0);
  return -mean * DeterministicLog(1.0 - prng.UniformDouble());  // 1-U in (0, 1]
}

double SampleNormal(Prng& prng, double mean, double stddev) {
  // Acceptance probability is pi/4 per try; 200 failures in a row has
  // probability below 1e-130, so the bound is never the reason to stop.
  for (int attempt = 0; attempt < 200; ++attempt) {
    const double u = 2 * prng.UniformDouble() - 1;
    const double v = 2 * prng.UniformDouble() - 1;
    const double s = u * u + v * v;
    if (s >= 1 || s == 0) continue;
    return mean + stddev * u * std::sqrt(-2 * DeterministicLog(s) / s);
  }
  COLLABSIM_CHECK(false && "polar method did not accept in 200 tries");
  return mean;
}

double SampleLognormal(Prng& prng, double median, double sigma) {
  COLLABSIM_CHECK(median > 0);
  return median * DeterministicExp(sigma * SampleNormal(prng, 0, 1));
}

double SamplePareto(Prng& prng, double scale, double shape) {
  COLLABSIM_CHECK(scale > 0 && shape > 0);
  const double u = 1.0 - prng.UniformDouble();  // (0, 1]
  return scale * DeterministicExp(-DeterministicLog(u) / shape);
}

double SampleUniform(Prng& prng, double low, double high) {
  return low + (high - low) * prng.UniformDouble();
}

}  // namespace collabsim::sim
