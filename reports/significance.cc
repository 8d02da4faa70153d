// See significance.h.
#include "reports/significance.h"

#include <cmath>

#include "boost/math/distributions/students_t.hpp"
#include "engines/common/check.h"

namespace collabsim::reports {
namespace {

double Variance(const std::vector<double>& values, double mean) {
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return squares / static_cast<double>(values.size() - 1);
}

double TwoSided(double t, double df) {
  if (!std::isfinite(t)) return 0;
  const boost::math::students_t distribution(df);
  return 2 * boost::math::cdf(boost::math::complement(distribution, std::fabs(t)));
}

}  // namespace

double Mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return values.empty() ? 0 : sum / static_cast<double>(values.size());
}

double PairedP(const std::vector<double>& differences) {
  COLLABSIM_CHECK(differences.size() >= 2);
  const double mean = Mean(differences);
  const double variance = Variance(differences, mean);
  if (variance == 0) return mean == 0 ? 1 : 0;
  return TwoSided(mean / std::sqrt(variance / static_cast<double>(differences.size())),
                  static_cast<double>(differences.size() - 1));
}

double WelchP(const std::vector<double>& a, const std::vector<double>& b) {
  COLLABSIM_CHECK(a.size() >= 2 && b.size() >= 2);
  const double ma = Mean(a), mb = Mean(b);
  const double va = Variance(a, ma) / static_cast<double>(a.size());
  const double vb = Variance(b, mb) / static_cast<double>(b.size());
  if (va + vb == 0) return ma == mb ? 1 : 0;
  const double df = (va + vb) * (va + vb) /
                    (va * va / static_cast<double>(a.size() - 1) + vb * vb / static_cast<double>(b.size() - 1));
  return TwoSided((ma - mb) / std::sqrt(va + vb), df);
}

}  // namespace collabsim::reports
