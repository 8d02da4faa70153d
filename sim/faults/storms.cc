// Reconnect storms (scenario `storms`): at a given moment a fraction of the
// connected users lose their connections at once (a load balancer restart,
// a region failover) and all retry with jittered exponential backoff,
// against the server's accept limit.
#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "sim/distributions.h"
#include "sim/faults/fault.h"

namespace collabsim::sim {
namespace {

class Storms final : public Fault {
 public:
  bool InScenario(const scenario::Scenario& s) const override { return !s.storms().empty(); }
  int PartCount(const scenario::Scenario& s) const override { return s.storms_size(); }
  absl::Status Validate(const scenario::Scenario& s, const FieldPlace& root) const override {
    for (int k = 0; k < s.storms_size(); ++k) {
      const scenario::Storm& storm = s.storms(k);
      const FieldPlace place = root.Nested("storms", k);
      if (absl::Status ok = place.InActivePhase("at_s", storm.at_s(), s.active_s()); !ok.ok()) return ok;
      if (!(storm.fraction() > 0 && storm.fraction() <= 1)) {
        return place.Error("fraction", "must be in (0, 1] (a fraction of the connected users)");
      }
    }
    return absl::OkStatus();
  }
  const char* NeedsBackoff(const scenario::Scenario& s) const override { return "storms"; }
  void KeepParts(const scenario::Scenario& from, const std::vector<int>& kept, scenario::Scenario* out) const override {
    KeepEntries(from.storms(), kept, out->mutable_storms());
  }
  void VisitTimes(scenario::Scenario* s, const TimeVisitor& visit) const override {
    for (auto& storm : *s->mutable_storms()) {
      double at = storm.at_s();
      visit.at(at);
      storm.set_at_s(at);
    }
  }
  void SwarmDraw(Prng& prng, scenario::Scenario* s, std::vector<std::string>* on) const override {
    if (!prng.Bernoulli(0.3)) return;
    auto* storm = s->add_storms();
    storm->set_at_s(SampleUniform(prng, 0.1, 0.8) * s->active_s());
    storm->set_fraction(SampleUniform(prng, 0.2, 1.0));
    EnsureBackoff(s);
    on->push_back("storm");
  }

  void Describe(const scenario::Scenario& scenario, std::string* line) const override {
    for (const auto& storm : scenario.storms()) {
      absl::StrAppendFormat(line, " storm=%g%%@%gs", 100 * storm.fraction(), storm.at_s());
    }
  }

  void Start(FaultHost& host) override {
    for (int k = 0; k < host.scenario().storms_size(); ++k) {
      host.Schedule(host.start_time() + FromSeconds(host.scenario().storms(k).at_s()),
                    Timer(StepKind::kStorm, 0, static_cast<uint64_t>(k)));
    }
  }

  void Handle(FaultHost& host, const events::FaultTimer& timer) override {
    if (host.healed()) return;
    const uint64_t index = timer.arg;
    std::vector<ReplicaId> connected;
    for (ReplicaId user = 1; user <= host.user_count(); ++user) {
      if (host.transport().Online(user)) connected.push_back(user);
    }
    const double fraction = host.scenario().storms(static_cast<int>(index)).fraction();
    const auto count = std::min<size_t>(
        connected.size(), static_cast<size_t>(std::llround(fraction * static_cast<double>(connected.size()))));
    // A uniformly random subset: partial Fisher-Yates over the ordered list.
    for (size_t k = 0; k < count; ++k) {
      std::swap(connected[k], connected[k + host.fault_prng().UniformInt(connected.size() - k)]);
    }
    if (host.recording()) host.Note(kServerReplica, absl::StrFormat("reconnect storm %d drops %d users", index, count));
    host.trace().Add(kTraceTagStorm);
    host.trace().Add(count);
    host.result().set_storm_drops(host.result().storm_drops() + count);
    std::sort(connected.begin(), connected.begin() + static_cast<std::ptrdiff_t>(count));
    for (size_t k = 0; k < count; ++k) {
      host.DisconnectUser(connected[k]);
      host.ScheduleReconnect(connected[k], host.now() + host.BackoffDelay(0), 0);
    }
  }
};

}  // namespace

std::unique_ptr<Fault> MakeStorms() { return std::make_unique<Storms>(); }

}  // namespace collabsim::sim
