// Offline windows (scenario `offline`): a user's connection goes away for a
// while (a flight, a week off the grid) while the user keeps editing; it
// comes back when the last window in force ends, or at heal.
#include "sim/faults/fault.h"

namespace collabsim::sim {
namespace {

class OfflineWindows final : public Fault {
 public:
  void Start(FaultHost& host) override {
    for (const auto& window : host.scenario().offline()) {
      const SimTime begin = host.start_time() + FromSeconds(window.start_s());
      host.Schedule(begin, Timer(StepKind::kOfflineStart, window.user()));
      host.Schedule(begin + FromSeconds(window.duration_s()), Timer(StepKind::kOfflineEnd, window.user()));
    }
  }

  void Handle(FaultHost& host, const events::FaultTimer& timer) override {
    const ReplicaId user = timer.node;
    UserState& state = host.User(user);
    if (timer.kind == StepKind::kOfflineStart) {
      if (host.healed()) return;
      if (host.recording()) host.Note(user, "goes offline (keeps editing)");
      host.trace().Add(kTraceTagOffline);
      host.trace().Add(user);
      ++state.offline_windows;
      if (host.transport().Online(user)) host.DisconnectUser(user);
      return;
    }
    if (state.offline_windows == 0) return;    // already ended by heal
    if (--state.offline_windows > 0) return;  // another window is still in force
    if (host.recording()) host.Note(user, "back online");
    host.ScheduleReconnect(user, host.now(), 0);
  }
};

}  // namespace

std::unique_ptr<Fault> MakeOfflineWindows(const scenario::Scenario& scenario) {
  if (scenario.offline().empty()) return nullptr;
  return std::make_unique<OfflineWindows>();
}

}  // namespace collabsim::sim
