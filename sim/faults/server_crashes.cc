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
  bool InScenario(const scenario::Scenario& s) const override { return !s.server_crashes().empty(); }
  int PartCount(const scenario::Scenario& s) const override { return s.server_crashes_size(); }
  absl::Status Validate(const scenario::Scenario& s, const FieldPlace& root) const override {
    for (int k = 0; k < s.server_crashes_size(); ++k) {
      const scenario::ServerCrash& crash = s.server_crashes(k);
      const FieldPlace place = root.Nested("server_crashes", k);
      if (absl::Status ok = place.InActivePhase("at_s", crash.at_s(), s.active_s()); !ok.ok()) return ok;
      if (absl::Status ok = place.Duration("downtime_s", crash.downtime_s(), kMaxActiveSeconds); !ok.ok()) return ok;
      if (k > 0 && crash.at_s() < s.server_crashes(k - 1).at_s() + s.server_crashes(k - 1).downtime_s()) {
        return place.Error("at_s", "starts before the previous crash's downtime has ended");
      }
    }
    return absl::OkStatus();
  }
  const char* NeedsBackoff(const scenario::Scenario& s) const override { return "server_crashes"; }
  std::optional<std::string> NotApplicable(const scenario::Scenario& s, Topology topology) const override {
    if (topology != Topology::kMesh) return std::nullopt;
    return "crashes the server";
  }
  void KeepParts(const scenario::Scenario& from, const std::vector<int>& kept, scenario::Scenario* out) const override {
    KeepEntries(from.server_crashes(), kept, out->mutable_server_crashes());
  }
  void VisitTimes(scenario::Scenario* s, const TimeVisitor& visit) const override {
    for (auto& c : *s->mutable_server_crashes()) {
      VisitSpan(visit, c.at_s(), c.downtime_s(), [&](double at, double d) {
        c.set_at_s(at);
        c.set_downtime_s(d);
      });
    }
  }

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

std::unique_ptr<Fault> MakeServerCrashes() { return std::make_unique<ServerCrashes>(); }

}  // namespace collabsim::sim
