// The swarm's fault menu and how each item is drawn.
#include "sim/swarm.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim/distributions.h"
#include "sim/faults/fault.h"
#include "sim/prng.h"
#include "sim/scenario_limits.h"

namespace collabsim::sim {
namespace {

constexpr uint64_t kSwarmStream = 0x5A4D;

void AddLatencyTail(Prng& prng, scenario::Scenario* s) {
  // 1% of messages take a slow detour (retransmits, GC pauses): lognormal,
  // heavy but realistic. A Pareto tail here can hold one message for minutes
  // and, with FIFO head-of-line blocking, a whole connection past any
  // liveness bound; that is a scenario's explicit choice, not the swarm's.
  const double tail_median_ms = SampleUniform(prng, 200, 1000);
  for (auto& group : *s->mutable_groups()) {
    scenario::Delay base = group.link().latency();
    scenario::Delay* latency = group.mutable_link()->mutable_latency();
    latency->Clear();
    auto* fast = latency->mutable_mixture()->add_components();
    fast->set_weight(99);
    *fast->mutable_delay() = base;
    auto* slow = latency->mutable_mixture()->add_components();
    slow->set_weight(1);
    slow->mutable_delay()->mutable_lognormal()->set_median_ms(tail_median_ms);
    slow->mutable_delay()->mutable_lognormal()->set_sigma(0.8);
  }
}

}  // namespace

SwarmDraw ApplySwarm(const scenario::Scenario& base, uint64_t seed) {
  Prng prng = Prng::ForStream(seed, kSwarmStream);
  SwarmDraw draw{base, ""};
  scenario::Scenario& s = draw.scenario;
  // The service levels were written for the scenario's own faults, not for
  // what a seed draws here: swarm runs judge correctness only.
  s.clear_expect();
  std::vector<std::string> on;
  if (prng.Bernoulli(0.5)) {
    AddLatencyTail(prng, &s);
    on.push_back("latency-tail");
  }
  if (prng.Bernoulli(0.3)) {
    const double kbps = SampleUniform(prng, 64, 2000);
    for (auto& group : *s.mutable_groups()) group.mutable_link()->set_bandwidth_kbps(kbps);
    on.push_back(absl::StrFormat("bandwidth(%.0fkbps)", kbps));
  }
  // Then each fault, in registry order (sim/faults/fault_registry.cc).
  for (const std::unique_ptr<Fault>& fault : AllFaults()) fault->SwarmDraw(prng, &s, &on);
  // Backoff up to 30 s and detection timeouts need room to settle.
  s.set_converge_within_s(std::max(s.converge_within_s(), 120.0));
  draw.summary = on.empty() ? "none" : absl::StrJoin(on, " ");
  return draw;
}

}  // namespace collabsim::sim
