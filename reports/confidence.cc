// Student's t critical values (two-sided 95%) for small samples, 1.96 beyond.
#include "reports/confidence.h"

#include <cmath>

namespace collabsim::reports {
namespace {
// t_{0.975, df} for df = 1..30.
constexpr double kT975[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                              2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                              2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
}  // namespace

Estimate MeanWithConfidence(const std::vector<double>& values) {
  Estimate estimate;
  estimate.count = values.size();
  if (values.empty()) return estimate;
  double sum = 0;
  for (double v : values) sum += v;
  estimate.mean = sum / static_cast<double>(values.size());
  if (values.size() < 2) return estimate;
  double squares = 0;
  for (double v : values) squares += (v - estimate.mean) * (v - estimate.mean);
  const size_t df = values.size() - 1;
  const double stddev = std::sqrt(squares / static_cast<double>(df));
  const double t = df <= 30 ? kT975[df - 1] : 1.96;
  estimate.half_width = t * stddev / std::sqrt(static_cast<double>(values.size()));
  return estimate;
}

}  // namespace collabsim::reports
