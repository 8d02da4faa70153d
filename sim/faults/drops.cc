// Random connection drops (scenario `drops`): each connected user's
// connection dies after an exponentially distributed time, and the user
// reconnects after a delay drawn from `reconnect_delay`.
#include <algorithm>
#include <optional>

#include "sim/delay_model.h"
#include "sim/distributions.h"
#include "sim/faults/fault.h"

namespace collabsim::sim {
namespace {

class Drops final : public Fault {
 public:
  bool InScenario(const scenario::Scenario& s) const override { return s.drops().mean_interval_s() > 0; }
  int PartCount(const scenario::Scenario& s) const override { return InScenario(s) ? 1 : 0; }
  absl::Status Validate(const scenario::Scenario& s, const FieldPlace& root) const override {
    // A floor of a second: a user drops at most once a second on average,
    // as often as a fast typist types, so a run's events stay bounded.
    if (!s.has_drops()) return absl::OkStatus();
    const double interval = s.drops().mean_interval_s();
    const FieldPlace drops = root.Nested("drops");
    if (!(interval == 0 || (interval >= 1 && interval <= kMaxActiveSeconds))) {
      return drops.Error("mean_interval_s", "must be 0 (no drops) or at least 1 s");
    }
    return interval > 0 ? drops.Delay("reconnect_delay", "drops.reconnect_delay") : absl::OkStatus();
  }
  void KeepParts(const scenario::Scenario& from, const std::vector<int>& kept, scenario::Scenario* out) const override {
    out->clear_drops();
    if (!kept.empty()) *out->mutable_drops() = from.drops();
  }
  void SwarmDraw(Prng& prng, scenario::Scenario* s, std::vector<std::string>* on) const override {
    if (prng.Bernoulli(0.5) && !InScenario(*s)) {
      s->mutable_drops()->set_mean_interval_s(SampleUniform(prng, 10, 300));
      s->mutable_drops()->mutable_reconnect_delay()->mutable_uniform()->set_min_ms(500);
      s->mutable_drops()->mutable_reconnect_delay()->mutable_uniform()->set_max_ms(10000);
      on->push_back("drops");
    }
  }

  void EditorStarted(FaultHost& host, ReplicaId user) override { ScheduleNext(host, user); }
  void Reconnected(FaultHost& host, ReplicaId user) override { ScheduleNext(host, user); }

  void Handle(FaultHost& host, const events::FaultTimer& timer) override {
    const ReplicaId user = timer.node;
    // A drop planned for a connection that has since gone is void.
    if (host.healed() || !host.transport().Online(user) || host.transport().AccessEpoch(user) != timer.arg) return;
    host.DisconnectUser(user);
    if (!reconnect_delay_.has_value()) reconnect_delay_.emplace(host.scenario().drops().reconnect_delay());
    const SimTime delay = reconnect_delay_->Sample(host.fault_prng());
    host.ScheduleReconnect(user, host.now() + delay, 0);
    if (std::vector<scenario::OfflineWindow>* windows = host.drop_windows()) {
      scenario::OfflineWindow& window = *windows->emplace(windows->end());
      window.set_user(user);
      window.set_start_s(ToSeconds(host.now() - host.start_time()));
      window.set_duration_s(std::max(ToSeconds(delay), 1e-6));  // windows must last
    }
  }

 private:
  void ScheduleNext(FaultHost& host, ReplicaId user) {
    if (host.healed()) return;
    const SimTime in = FromSeconds(SampleExponential(host.fault_prng(), host.scenario().drops().mean_interval_s()));
    host.Schedule(host.now() + in, Timer(StepKind::kDrop, user, host.transport().AccessEpoch(user)));
  }

  std::optional<DelayModel> reconnect_delay_;  // built at the first drop
};

}  // namespace

std::unique_ptr<Fault> MakeDrops() { return std::make_unique<Drops>(); }

}  // namespace collabsim::sim
