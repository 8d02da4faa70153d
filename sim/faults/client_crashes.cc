// Client crashes (scenario `client_crashes`): a user's app dies and restarts
// after `restart_after_s`, with its local storage or with nothing; intents
// nobody else held die with it, and the oracle stops expecting them.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "sim/faults/fault.h"

namespace collabsim::sim {
namespace {

class ClientCrashes final : public Fault {
 public:
  void Describe(const scenario::Scenario& scenario, std::string* line) const override {
    for (const auto& crash : scenario.client_crashes()) {
      absl::StrAppendFormat(line, " client_crash=user%d@%gs+%gs%s", crash.user(), crash.at_s(),
                            crash.restart_after_s(), crash.local_storage() ? "/stored" : "");
    }
  }

  void Start(FaultHost& host) override {
    for (int k = 0; k < host.scenario().client_crashes_size(); ++k) {
      const auto& crash = host.scenario().client_crashes(k);
      const SimTime at = host.start_time() + FromSeconds(crash.at_s());
      host.Schedule(at, Timer(StepKind::kClientCrash, 0, static_cast<uint64_t>(k)));
      host.Schedule(std::min(at + FromSeconds(crash.restart_after_s()), host.heal_time()),
                    Timer(StepKind::kClientRestart, crash.user()));
    }
  }

  void Handle(FaultHost& host, const events::FaultTimer& timer) override {
    if (timer.kind == StepKind::kClientCrash) {
      const auto& crash = host.scenario().client_crashes(static_cast<int>(timer.arg));
      host.CrashClient(crash.user(), crash.local_storage());
    } else {
      host.RestartClient(timer.node);
    }
  }
};

}  // namespace

std::unique_ptr<Fault> MakeClientCrashes(const scenario::Scenario& scenario) {
  if (scenario.client_crashes().empty()) return nullptr;
  return std::make_unique<ClientCrashes>();
}

}  // namespace collabsim::sim
