// Mean and 95% confidence interval over seeds (Student's t), so a chart
// shows the spread of a figure, not one lucky seed.
#pragma once

#include <cstddef>
#include <vector>

namespace collabsim::reports {

struct Estimate {
  double mean = 0;
  // Half-width of the 95% confidence interval; 0 with fewer than 2 values.
  double half_width = 0;
  size_t count = 0;
};

Estimate MeanWithConfidence(const std::vector<double>& values);

}  // namespace collabsim::reports
