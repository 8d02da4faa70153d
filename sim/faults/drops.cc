// Random connection drops (scenario `drops`): each connected user's
// connection dies after an exponentially distributed time, and the user
// reconnects after a delay drawn from `reconnect_delay`.
#include <algorithm>

#include "sim/delay_model.h"
#include "sim/distributions.h"
#include "sim/faults/fault.h"

namespace collabsim::sim {
namespace {

class Drops final : public Fault {
 public:
  explicit Drops(const scenario::Drops& drops) : drops_(drops), reconnect_delay_(drops.reconnect_delay()) {}

  void EditorStarted(FaultHost& host, ReplicaId user) override { ScheduleNext(host, user); }
  void Reconnected(FaultHost& host, ReplicaId user) override { ScheduleNext(host, user); }

  void Handle(FaultHost& host, const events::FaultTimer& timer) override {
    const ReplicaId user = timer.node;
    // A drop planned for a connection that has since gone is void.
    if (host.healed() || !host.transport().Online(user) || host.transport().AccessEpoch(user) != timer.arg) return;
    host.DisconnectUser(user);
    const SimTime delay = reconnect_delay_.Sample(host.fault_prng());
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
    const SimTime in = FromSeconds(SampleExponential(host.fault_prng(), drops_.mean_interval_s()));
    host.Schedule(host.now() + in, Timer(StepKind::kDrop, user, host.transport().AccessEpoch(user)));
  }

  scenario::Drops drops_;
  DelayModel reconnect_delay_;
};

}  // namespace

std::unique_ptr<Fault> MakeDrops(const scenario::Scenario& scenario) {
  if (scenario.drops().mean_interval_s() <= 0) return nullptr;
  return std::make_unique<Drops>(scenario.drops());
}

}  // namespace collabsim::sim
