// Clock skew and drift (scenario `clocks`): every node's clock is off by a
// drawn offset and runs at a drawn rate, as phones and laptops that slept
// are. Engines read only these clocks (Replica::SetLocalTime), so an engine
// that orders by wall-clock time shows what skew does to it. The clocks are
// drawn when the run is built (sim/node_clock.h).
#include "absl/strings/str_format.h"
#include "sim/distributions.h"
#include "sim/faults/fault.h"

namespace collabsim::sim {
namespace {

class Clocks final : public Fault {
 public:
  bool InScenario(const scenario::Scenario& s) const override { return s.has_clocks(); }
  int PartCount(const scenario::Scenario& s) const override { return InScenario(s) ? 1 : 0; }
  absl::Status Validate(const scenario::Scenario& s, const FieldPlace& root) const override {
    if (!s.has_clocks()) return absl::OkStatus();
    const FieldPlace place = root.Nested("clocks");
    if (!(s.clocks().max_skew_ms() >= 0) || s.clocks().max_skew_ms() > kMaxDelayMs) {
      return place.Error("max_skew_ms", "must be in [0, 86400000] ms");
    }
    if (!(s.clocks().max_drift_ppm() >= 0) || s.clocks().max_drift_ppm() > 100000) {
      return place.Error("max_drift_ppm", "must be in [0, 100000] ppm (quartz drifts ~10-100)");
    }
    return absl::OkStatus();
  }
  void KeepParts(const scenario::Scenario& from, const std::vector<int>& kept, scenario::Scenario* out) const override {
    out->clear_clocks();
    if (!kept.empty()) *out->mutable_clocks() = from.clocks();
  }
  void SwarmDraw(Prng& prng, scenario::Scenario* s, std::vector<std::string>* on) const override {
    if (prng.Bernoulli(0.3) && !s->has_clocks()) {
      // NTP-synced machines are within tens of ms; phones and laptops that
      // slept can be seconds off. Quartz drifts tens of ppm.
      s->mutable_clocks()->set_max_skew_ms(SampleUniform(prng, 10, 30000));
      s->mutable_clocks()->set_max_drift_ppm(SampleUniform(prng, 1, 200));
      on->push_back(absl::StrFormat("clocks(+-%.0fms)", s->clocks().max_skew_ms()));
    }
  }
  void Describe(const scenario::Scenario& s, std::string* line) const override {
    absl::StrAppendFormat(line, " clocks=skew+-%gms,drift+-%gppm", s.clocks().max_skew_ms(),
                          s.clocks().max_drift_ppm());
  }
};

}  // namespace

std::unique_ptr<Fault> MakeClocks() { return std::make_unique<Clocks>(); }

}  // namespace collabsim::sim
