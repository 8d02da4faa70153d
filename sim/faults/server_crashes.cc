// Server crashes (scenario `server_crashes`): the server process dies and
// comes back after `downtime_s`, rebuilt from its durable state, which must
// hold every intent it acknowledged. Clients retry with backoff meanwhile.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "sim/faults/fault.h"

namespace collabsim::sim {
namespace {

class ServerCrashes final : public Fault {
 public:
  void Describe(const scenario::Scenario& scenario, std::string* line) const override {
    for (const auto& crash : scenario.server_crashes()) {
      absl::StrAppendFormat(line, " server_crash=@%gs+%gs", crash.at_s(), crash.downtime_s());
    }
  }

  void Start(FaultHost& host) override {
    for (int k = 0; k < host.scenario().server_crashes_size(); ++k) {
      const auto& crash = host.scenario().server_crashes(k);
      const SimTime at = host.start_time() + FromSeconds(crash.at_s());
      host.Schedule(at, Timer(StepKind::kServerCrash, 0, static_cast<uint64_t>(k)));
      // A downtime that would outlast the active phase ends at heal.
      host.Schedule(std::min(at + FromSeconds(crash.downtime_s()), host.heal_time()), Timer(StepKind::kServerRestart));
    }
  }

  void Handle(FaultHost& host, const events::FaultTimer& timer) override {
    if (timer.kind == StepKind::kServerCrash) {
      host.CrashServer(timer.arg);
    } else {
      host.RestartServer();
    }
  }
};

}  // namespace

std::unique_ptr<Fault> MakeServerCrashes(const scenario::Scenario& scenario) {
  if (scenario.server_crashes().empty()) return nullptr;
  return std::make_unique<ServerCrashes>();
}

}  // namespace collabsim::sim
