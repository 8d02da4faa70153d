// Server stalls (scenario `server_stalls`): the server processes nothing for
// a while, as in a GC pause, a slow disk or a stuck event loop. Its
// connections stay open; what reaches it waits at its door, in order, and
// is handled when the stall ends. Nothing is lost: everything is late, and
// clients' pending edits pile up meanwhile.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "sim/distributions.h"
#include "sim/faults/fault.h"

namespace collabsim::sim {
namespace {

class ServerStalls final : public Fault {
 public:
  bool InScenario(const scenario::Scenario& s) const override { return !s.server_stalls().empty(); }
  absl::Status Validate(const scenario::Scenario& s, const FieldPlace& root) const override {
    for (int k = 0; k < s.server_stalls_size(); ++k) {
      const scenario::ServerStall& stall = s.server_stalls(k);
      const FieldPlace place = root.Nested("server_stalls", k);
      if (absl::Status ok = place.InActivePhase("at_s", stall.at_s(), s.active_s()); !ok.ok()) return ok;
      if (absl::Status ok = place.Duration("duration_s", stall.duration_s(), kMaxActiveSeconds); !ok.ok()) return ok;
      if (k > 0 && stall.at_s() < s.server_stalls(k - 1).at_s() + s.server_stalls(k - 1).duration_s()) {
        return place.Error("at_s", "starts before the previous stall has ended");
      }
    }
    return absl::OkStatus();
  }
  std::optional<std::string> NotApplicable(const scenario::Scenario& s, Topology topology) const override {
    if (topology != Topology::kMesh) return std::nullopt;
    return "stalls the server";
  }
  int PartCount(const scenario::Scenario& s) const override { return s.server_stalls_size(); }
  void KeepParts(const scenario::Scenario& from, const std::vector<int>& kept, scenario::Scenario* out) const override {
    KeepEntries(from.server_stalls(), kept, out->mutable_server_stalls());
  }
  void VisitTimes(scenario::Scenario* s, const TimeVisitor& visit) const override {
    for (auto& st : *s->mutable_server_stalls()) {
      VisitSpan(visit, st.at_s(), st.duration_s(), [&](double at, double d) {
        st.set_at_s(at);
        st.set_duration_s(d);
      });
    }
  }
  void SwarmDraw(Prng& prng, scenario::Scenario* s, std::vector<std::string>* on) const override {
    if (!prng.Bernoulli(0.3) || InScenario(*s)) return;
    scenario::ServerStall* stall = s->add_server_stalls();
    stall->set_at_s(SampleUniform(prng, 0.1, 0.8) * s->active_s());
    stall->set_duration_s(SampleUniform(prng, 0.2, 10));
    on->push_back(absl::StrFormat("server-stall(%.1fs)", stall->duration_s()));
  }
  void Describe(const scenario::Scenario& s, std::string* line) const override {
    for (const auto& stall : s.server_stalls()) {
      absl::StrAppendFormat(line, " server_stall=@%gs+%gs", stall.at_s(), stall.duration_s());
    }
  }

  void Start(FaultHost& host) override {
    if (!host.transport().via_server()) return;  // a mesh has no server to stall
    for (int k = 0; k < host.scenario().server_stalls_size(); ++k) {
      const scenario::ServerStall& stall = host.scenario().server_stalls(k);
      const SimTime at = host.start_time() + FromSeconds(stall.at_s());
      // A stall that would outlast the active phase ends at heal.
      const SimTime end = std::min(at + FromSeconds(stall.duration_s()), host.heal_time());
      host.Schedule(at, Timer(OwnStepKind(), 0, static_cast<uint64_t>(end)));
    }
  }

  void Handle(FaultHost& host, const events::FaultTimer& timer) override {
    busy_until_ = std::max(busy_until_, static_cast<SimTime>(timer.arg));
    if (host.recording()) {
      host.Note(kServerReplica, absl::StrFormat("server stalls for %.3f s (processes nothing; messages wait)",
                                                ToSeconds(busy_until_ - host.now())));
    }
    host.trace().Add(OwnTraceTag());
    host.trace().Add(static_cast<uint64_t>(busy_until_));
    host.result().set_server_stalls(host.result().server_stalls() + 1);
  }

  SimTime ServerBusyUntil(const FaultHost& host) const override { return busy_until_; }

 private:
  SimTime busy_until_ = 0;
};

}  // namespace

std::unique_ptr<Fault> MakeServerStalls() { return std::make_unique<ServerStalls>(); }

}  // namespace collabsim::sim
