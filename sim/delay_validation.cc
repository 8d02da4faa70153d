// The checks every `Delay` gets (see delay_validation.h).
#include "sim/delay_validation.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "scenario.pb.h"
#include "sim/scenario_limits.h"

namespace collabsim::sim {

absl::Status ValidateDelay(const FieldPlace& holder, const std::string& field, const std::string& what,
                           bool allow_mixture) {
  const FieldPlace place = holder.Nested(field);
  const auto& d = static_cast<const scenario::Delay&>(place.message());
  if (d.shape_case() == scenario::Delay::SHAPE_NOT_SET) {
    return holder.Error(
        field, absl::StrFormat("%s needs one of constant_ms, uniform, normal, lognormal, pareto, mixture", what));
  }
  if (d.shape_case() == scenario::Delay::kMixture) {
    if (!allow_mixture) return place.Error("mixture", "a mixture component cannot itself be a mixture");
    if (d.mixture().components_size() == 0) {
      return place.Error("mixture", "a mixture needs at least one `components { weight: ... delay { ... } }`");
    }
    const FieldPlace mixture = place.Nested("mixture");
    for (int k = 0; k < d.mixture().components_size(); ++k) {
      const FieldPlace component = mixture.Nested("components", k);
      const double weight = d.mixture().components(k).weight();
      if (!(weight > 0) || weight > 1e9) return component.Error("weight", "must be in (0, 1e9] (relative weight)");
      absl::Status inner = ValidateDelay(component, "delay", what + ".mixture.delay", false);
      if (!inner.ok()) return inner;
    }
  }
  auto in_range = [](double v, bool allow_zero) {
    return std::isfinite(v) && (allow_zero ? v >= 0 : v > 0) && v <= kMaxDelayMs;
  };
  if (!in_range(d.jitter_ms(), true)) return place.Error("jitter_ms", "must be in [0, 86400000] ms");
  switch (d.shape_case()) {
    case scenario::Delay::kConstantMs:
      if (!in_range(d.constant_ms(), true)) {
        return place.Error("constant_ms", "must be in [0, 86400000] ms (latency cannot be negative)");
      }
      break;
    case scenario::Delay::kUniform: {
      const FieldPlace t = place.Nested("uniform");
      if (!in_range(d.uniform().min_ms(), true)) return t.Error("min_ms", "must be in [0, 86400000] ms");
      if (!in_range(d.uniform().max_ms(), true) || d.uniform().max_ms() < d.uniform().min_ms()) {
        return t.Error("max_ms", "must be >= min_ms and at most 86400000 ms");
      }
      break;
    }
    case scenario::Delay::kNormal: {
      const FieldPlace t = place.Nested("normal");
      if (!in_range(d.normal().mean_ms(), true)) return t.Error("mean_ms", "must be in [0, 86400000] ms");
      if (!in_range(d.normal().stddev_ms(), true)) return t.Error("stddev_ms", "must be in [0, 86400000] ms");
      break;
    }
    case scenario::Delay::kLognormal: {
      const FieldPlace t = place.Nested("lognormal");
      if (!in_range(d.lognormal().median_ms(), false)) return t.Error("median_ms", "must be in (0, 86400000] ms");
      if (!(d.lognormal().sigma() >= 0 && d.lognormal().sigma() <= 5)) return t.Error("sigma", "must be in [0, 5]");
      break;
    }
    case scenario::Delay::kPareto: {
      const FieldPlace t = place.Nested("pareto");
      if (!in_range(d.pareto().scale_ms(), false)) return t.Error("scale_ms", "must be in (0, 86400000] ms");
      if (!(d.pareto().shape() >= 0.1 && d.pareto().shape() <= 100)) return t.Error("shape", "must be in [0.1, 100]");
      break;
    }
    case scenario::Delay::kMixture:
    case scenario::Delay::SHAPE_NOT_SET:
      break;
  }
  return absl::OkStatus();
}

}  // namespace collabsim::sim
