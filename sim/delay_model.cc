// Sampling and description of scenario delay distributions.
#include "sim/delay_model.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "sim/distributions.h"

namespace collabsim::sim {

SimTime DelayModel::Sample(Prng& prng) const {
  double ms = 0;
  switch (delay_.shape_case()) {
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
  // Heavy tails are capped at one day so a sample always fits in SimTime.
  return FromMilliseconds(std::clamp(ms, 0.0, 86400000.0));
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
    case scenario::Delay::SHAPE_NOT_SET:
      shape = "none";
      break;
  }
  if (delay_.jitter_ms() > 0) shape += absl::StrFormat(" + jitter U[0, %g]ms", delay_.jitter_ms());
  return shape;
}

}  // namespace collabsim::sim
