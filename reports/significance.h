// Whether two sets of per-seed figures differ by more than seed noise: the
// tests that the regression report and the summary's highlighting share, so
// "significant" means one thing everywhere in a report.
#pragma once

#include <vector>

namespace collabsim::reports {

// Two-sided level below which a difference counts as significant.
inline constexpr double kSignificance = 0.05;

double Mean(const std::vector<double>& values);

// Student's t on paired differences (the same seeds before and after).
// REQUIRES: at least 2 differences. p = 0 for a constant non-zero shift.
double PairedP(const std::vector<double>& differences);

// Welch's t for two independent samples of unequal variance.
// REQUIRES: at least 2 values in each. p = 0 when both are constant and
// differ, 1 when both are constant and equal.
double WelchP(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace collabsim::reports
