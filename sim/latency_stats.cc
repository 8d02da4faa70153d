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
  // Weeks-long latencies times hundreds of thousands of samples overflow 64
  // bits (plane: ~10^15 ns x ~3*10^5), so the sum is 128-bit; the mean fits.
  __int128 total = 0;
  for (SimTime s : *samples) total += s;
  summary.set_mean_ms(ToMilliseconds(static_cast<SimTime>(total / static_cast<__int128>(samples->size()))));
  return summary;
}

}  // namespace collabsim::sim
