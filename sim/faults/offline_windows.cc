// Offline windows (scenario `offline`): a user's connection goes away for a
// while (a flight, a week off the grid) while the user keeps editing; it
// comes back when the last window in force ends, or at heal.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "sim/distributions.h"
#include "sim/faults/fault.h"
#include "sim/scenario_limits.h"

namespace collabsim::sim {
namespace {

class OfflineWindows final : public Fault {
 public:
  bool InScenario(const scenario::Scenario& s) const override { return !s.offline().empty(); }
  int PartCount(const scenario::Scenario& s) const override { return s.offline_size(); }
  absl::Status Validate(const scenario::Scenario& s, const FieldPlace& root) const override {
    for (int k = 0; k < s.offline_size(); ++k) {
      const scenario::OfflineWindow& w = s.offline(k);
      const FieldPlace place = root.Nested("offline", k);
      if (absl::Status ok = place.KnownUser("user", w.user(), UserCount(s)); !ok.ok()) return ok;
      if (absl::Status ok = place.InActivePhase("start_s", w.start_s(), s.active_s()); !ok.ok()) return ok;
      if (absl::Status ok = place.Duration("duration_s", w.duration_s(), kMaxActiveSeconds); !ok.ok()) return ok;
    }
    return absl::OkStatus();
  }
  void KeepParts(const scenario::Scenario& from, const std::vector<int>& kept, scenario::Scenario* out) const override {
    KeepEntries(from.offline(), kept, out->mutable_offline());
  }
  void RenumberUsers(const std::vector<uint32_t>& renumber, scenario::Scenario* s) const override {
    RenumberEntries(renumber, s->mutable_offline());
  }
  void VisitTimes(scenario::Scenario* s, const TimeVisitor& visit) const override {
    for (auto& w : *s->mutable_offline()) {
      VisitSpan(visit, w.start_s(), w.duration_s(), [&](double at, double d) {
        w.set_start_s(at);
        w.set_duration_s(d);
      });
    }
  }
  void SwarmDraw(Prng& prng, scenario::Scenario* s, std::vector<std::string>* on) const override {
    if (!prng.Bernoulli(0.3)) return;
    const double active = s->active_s();
    auto* w = s->add_offline();
    w->set_user(static_cast<uint32_t>(1 + prng.UniformInt(UserCount(*s))));
    w->set_start_s(SampleUniform(prng, 0, 0.7) * active);
    w->set_duration_s(std::max(1.0, SampleUniform(prng, 0.05, 0.5) * active));
    on->push_back(absl::StrFormat("offline(user %d, %.0fs)", w->user(), w->duration_s()));
  }

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

std::unique_ptr<Fault> MakeOfflineWindows() { return std::make_unique<OfflineWindows>(); }

}  // namespace collabsim::sim
