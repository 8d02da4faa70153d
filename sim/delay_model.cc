// Sampling and description of scenario delay distributions.
#include "sim/delay_model.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim/distributions.h"

namespace collabsim::sim {

DelayModel::DelayModel(const scenario::Delay& delay) : delay_(delay) {
  double total = 0;
  for (const auto& component : delay_.mixture().components()) {
    components_.emplace_back(component.delay());
    total += component.weight();
    cumulative_weights_.push_back(total);
  }
}

SimTime DelayModel::Sample(Prng& prng) const {
  // Heavy tails are capped at one day so a sample always fits in SimTime.
  return FromMilliseconds(std::clamp(SampleMilliseconds(prng), 0.0, 86400000.0));
}

double DelayModel::SampleMilliseconds(Prng& prng) const {
  double ms = 0;
  switch (delay_.shape_case()) {
    case scenario::Delay::kMixture: {
      const double pick = prng.UniformDouble() * cumulative_weights_.back();
      size_t k = 0;
      while (k + 1 < cumulative_weights_.size() && pick >= cumulative_weights_[k]) ++k;
      ms = components_[k].SampleMilliseconds(prng);
      break;
    }
    case scenario::Delay::kConstantMs:
      ms = delay_.constant_ms();
      break;
    case scenario::Delay::kUniform:
      ms = SampleUniform(prng, delay_.uniform().min_ms(), delay_.uniform().max_ms());
      break;
    case scenario::Delay::kNormal:
      ms = SampleNormal(prng, delay_.normal().mean_ms(), delay_.normal().stddev_ms());
      break;
    case scenario::Delay::kLognormal:
      ms = SampleLognormal(prng, delay_.lognormal().median_ms(), delay_.lognormal().sigma());
      break;
    case scenario::Delay::kPareto:
      ms = SamplePareto(prng, delay_.pareto().scale_ms(), delay_.pareto().shape());
      break;
    case scenario::Delay::SHAPE_NOT_SET:
      break;
  }
  if (delay_.jitter_ms() > 0) ms += SampleUniform(prng, 0, delay_.jitter_ms());
  return ms;
}

std::string DelayModel::Describe() const {
  std::string shape;
  switch (delay_.shape_case()) {
    case scenario::Delay::kConstantMs:
      shape = absl::StrFormat("constant %gms", delay_.constant_ms());
      break;
    case scenario::Delay::kUniform:
      shape = absl::StrFormat("uniform[%g, %g]ms", delay_.uniform().min_ms(), delay_.uniform().max_ms());
      break;
    case scenario::Delay::kNormal:
      shape = absl::StrFormat("normal(mean %gms, sd %gms)", delay_.normal().mean_ms(), delay_.normal().stddev_ms());
      break;
    case scenario::Delay::kLognormal:
      shape = absl::StrFormat("lognormal(median %gms, sigma %g)", delay_.lognormal().median_ms(), delay_.lognormal().sigma());
      break;
    case scenario::Delay::kPareto:
      shape = absl::StrFormat("pareto(scale %gms, shape %g)", delay_.pareto().scale_ms(), delay_.pareto().shape());
      break;
    case scenario::Delay::kMixture: {
      std::vector<std::string> parts;
      for (size_t k = 0; k < components_.size(); ++k) {
        const double weight = delay_.mixture().components(static_cast<int>(k)).weight();
        parts.push_back(absl::StrFormat("%g%% %s", 100 * weight / cumulative_weights_.back(), components_[k].Describe()));
      }
      shape = "mixture(" + absl::StrJoin(parts, ", ") + ")";
      break;
    }
    case scenario::Delay::SHAPE_NOT_SET:
      shape = "none";
      break;
  }
  if (delay_.jitter_ms() > 0) shape += absl::StrFormat(" + jitter U[0, %g]ms", delay_.jitter_ms());
  return shape;
}

}  // namespace collabsim::sim
