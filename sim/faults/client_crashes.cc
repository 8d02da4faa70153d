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
  bool InScenario(const scenario::Scenario& s) const override { return !s.client_crashes().empty(); }
  int PartCount(const scenario::Scenario& s) const override { return s.client_crashes_size(); }
  absl::Status Validate(const scenario::Scenario& s, const FieldPlace& root) const override {
    for (int k = 0; k < s.client_crashes_size(); ++k) {
      const scenario::ClientCrash& crash = s.client_crashes(k);
      const FieldPlace place = root.Nested("client_crashes", k);
      if (absl::Status ok = place.KnownUser("user", crash.user(), UserCount(s)); !ok.ok()) return ok;
      if (absl::Status ok = place.InActivePhase("at_s", crash.at_s(), s.active_s()); !ok.ok()) return ok;
      if (absl::Status ok = place.Duration("restart_after_s", crash.restart_after_s(), kMaxActiveSeconds); !ok.ok()) {
        return ok;
      }
    }
    return absl::OkStatus();
  }
  void KeepParts(const scenario::Scenario& from, const std::vector<int>& kept, scenario::Scenario* out) const override {
    KeepEntries(from.client_crashes(), kept, out->mutable_client_crashes());
  }
  void RenumberUsers(const std::vector<uint32_t>& renumber, scenario::Scenario* s) const override {
    RenumberEntries(renumber, s->mutable_client_crashes());
  }
  void VisitTimes(scenario::Scenario* s, const TimeVisitor& visit) const override {
    for (auto& c : *s->mutable_client_crashes()) {
      VisitSpan(visit, c.at_s(), c.restart_after_s(), [&](double at, double d) {
        c.set_at_s(at);
        c.set_restart_after_s(d);
      });
    }
  }

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

std::unique_ptr<Fault> MakeClientCrashes() { return std::make_unique<ClientCrashes>(); }

}  // namespace collabsim::sim
