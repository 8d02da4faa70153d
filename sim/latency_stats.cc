// Nearest-rank percentiles over integer-nanosecond samples.
#include "sim/latency_stats.h"

#include <algorithm>
#include <cmath>

namespace collabsim::sim {
namespace {
SimTime NearestRank(const std::vector<SimTime>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<size_t>(std::ceil(p * n));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}
}  // namespace

results::LatencySummary SummariseLatency(std::vector<SimTime>* samples) {
  results::LatencySummary summary;
  if (samples->empty()) return summary;
  std::sort(samples->begin(), samples->end());
  summary.set_samples(samples->size());
  summary.set_p50_ms(ToMilliseconds(NearestRank(*samples, 0.50)));
  summary.set_p95_ms(ToMilliseconds(NearestRank(*samples, 0.95)));
  summary.set_p99_ms(ToMilliseconds(NearestRank(*samples, 0.99)));
  summary.set_max_ms(ToMilliseconds(samples->back()));
  for (int percent = 0; percent <= 100; ++percent) {
    summary.add_quantiles_ms(ToMilliseconds(percent == 0 ? samples->front() : NearestRank(*samples, percent / 100.0)));
  }
  SimTime total = 0;
  for (SimTime s : *samples) total += s;
  summary.set_mean_ms(ToMilliseconds(total) / static_cast<double>(samples->size()));
  return summary;
}

}  // namespace collabsim::sim
