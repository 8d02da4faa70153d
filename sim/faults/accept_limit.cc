// The server's accept limit (scenario `server.accept_per_s`): it takes at
// most so many new connections a second, as a real server protecting
// itself does; everyone else is refused and retries with backoff. On its
// own it changes nothing; with a storm or a server crash it decides how
// long the herd takes to come back.
#include <algorithm>
#include <cmath>
#include <deque>

#include "absl/strings/str_format.h"
#include "sim/distributions.h"
#include "sim/faults/fault.h"
#include "sim/scenario_limits.h"

namespace collabsim::sim {
namespace {

class AcceptLimit final : public Fault {
 public:
  bool InScenario(const scenario::Scenario& s) const override { return s.server().accept_per_s() > 0; }
  int PartCount(const scenario::Scenario& s) const override { return InScenario(s) ? 1 : 0; }
  absl::Status Validate(const scenario::Scenario& s, const FieldPlace& root) const override {
    if (s.has_server() && (!(s.server().accept_per_s() >= 0) || s.server().accept_per_s() > 1e6)) {
      return root.Nested("server").Error("accept_per_s", "must be in [0, 1000000] (0 = no limit)");
    }
    return absl::OkStatus();
  }
  const char* NeedsBackoff(const scenario::Scenario& s) const override { return "server"; }
  void KeepParts(const scenario::Scenario& from, const std::vector<int>& kept, scenario::Scenario* out) const override {
    if (!kept.empty()) {
      out->mutable_server()->set_accept_per_s(from.server().accept_per_s());
    } else {
      out->clear_server();
    }
  }
  void SwarmDraw(Prng& prng, scenario::Scenario* s, std::vector<std::string>* on) const override {
    if (prng.Bernoulli(0.3) && !InScenario(*s)) {
      const double users = UserCount(*s);
      s->mutable_server()->set_accept_per_s(std::max(1.0, std::floor(SampleUniform(prng, 0.1, 1.0) * users)));
      EnsureBackoff(s);
      on->push_back("accept-limit");
    }
  }
  void Describe(const scenario::Scenario& s, std::string* line) const override {
    absl::StrAppendFormat(line, " accept_per_s=%g", s.server().accept_per_s());
  }

  bool Admits(FaultHost& host) override {
    if (!host.transport().via_server()) return true;  // a mesh has no server to refuse anyone
    const double rate = host.scenario().server().accept_per_s();
    // At most `limit` accepts in any window of limit / rate seconds (for
    // rates below 1/s, one accept per 1 / rate seconds).
    const size_t limit = std::max<size_t>(1, static_cast<size_t>(rate));
    const SimTime window = FromSeconds(static_cast<double>(limit) / rate);
    while (!recent_accepts_.empty() && recent_accepts_.front() <= host.now() - window) recent_accepts_.pop_front();
    if (recent_accepts_.size() >= limit) return false;
    recent_accepts_.push_back(host.now());
    return true;
  }

 private:
  std::deque<SimTime> recent_accepts_;  // accept times inside the window
};

}  // namespace

std::unique_ptr<Fault> MakeAcceptLimit() { return std::make_unique<AcceptLimit>(); }

}  // namespace collabsim::sim
