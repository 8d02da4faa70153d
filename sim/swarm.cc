// The swarm's fault menu and how each item is drawn.
#include "sim/swarm.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim/distributions.h"
#include "sim/prng.h"
#include "sim/random_partitions.h"
#include "sim/scenario_loader.h"

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

void EnsureBackoff(scenario::Scenario* s) {
  if (s->has_reconnect_backoff()) return;
  auto* b = s->mutable_reconnect_backoff();
  b->set_initial_ms(1000);
  b->set_max_ms(30000);
  b->set_multiplier(2);
  b->set_jitter_fraction(0.5);
}

}  // namespace

SwarmDraw ApplySwarm(const scenario::Scenario& base, uint64_t seed) {
  Prng prng = Prng::ForStream(seed, kSwarmStream);
  SwarmDraw draw{base, ""};
  scenario::Scenario& s = draw.scenario;
  std::vector<std::string> on;
  const double active = s.active_s();
  const uint32_t users = UserCount(s);

  if (prng.Bernoulli(0.5)) {
    AddLatencyTail(prng, &s);
    on.push_back("latency-tail");
  }
  if (prng.Bernoulli(0.3)) {
    const double kbps = SampleUniform(prng, 64, 2000);
    for (auto& group : *s.mutable_groups()) group.mutable_link()->set_bandwidth_kbps(kbps);
    on.push_back(absl::StrFormat("bandwidth(%.0fkbps)", kbps));
  }
  if (prng.Bernoulli(0.5) && !(s.drops().mean_interval_s() > 0)) {
    s.mutable_drops()->set_mean_interval_s(SampleUniform(prng, 10, 300));
    s.mutable_drops()->mutable_reconnect_delay()->mutable_uniform()->set_min_ms(500);
    s.mutable_drops()->mutable_reconnect_delay()->mutable_uniform()->set_max_ms(10000);
    on.push_back("drops");
  }
  if (prng.Bernoulli(0.3)) {
    auto* storm = s.add_storms();
    storm->set_at_s(SampleUniform(prng, 0.1, 0.8) * active);
    storm->set_fraction(SampleUniform(prng, 0.2, 1.0));
    EnsureBackoff(&s);
    on.push_back("storm");
  }
  if (prng.Bernoulli(0.3) && !(s.server().accept_per_s() > 0)) {
    s.mutable_server()->set_accept_per_s(std::max(1.0, std::floor(SampleUniform(prng, 0.1, 1.0) * users)));
    EnsureBackoff(&s);
    on.push_back("accept-limit");
  }
  if (prng.Bernoulli(0.3)) {
    auto* p = s.add_partitions();
    p->set_at_s(SampleUniform(prng, 0.1, 0.7) * active);
    p->set_duration_s(std::max(1.0, SampleUniform(prng, 0.01, 0.3) * active));
    p->set_detect_after_s(SampleUniform(prng, 5, 60));
    const auto direction = static_cast<scenario::Partition::Direction>(prng.UniformInt(3));
    p->set_direction(direction);
    const auto cut = static_cast<uint32_t>(1 + prng.UniformInt(std::max<uint32_t>(1, users / 2)));
    for (uint32_t user : DrawUsers(prng, users, cut)) p->add_users(user);
    on.push_back(absl::StrFormat("partition(%s,%d users)", scenario::Partition::Direction_Name(direction), cut));
  }
  if (prng.Bernoulli(0.3)) {
    auto* w = s.add_offline();
    w->set_user(static_cast<uint32_t>(1 + prng.UniformInt(users)));
    w->set_start_s(SampleUniform(prng, 0, 0.7) * active);
    w->set_duration_s(std::max(1.0, SampleUniform(prng, 0.05, 0.5) * active));
    on.push_back(absl::StrFormat("offline(user %d, %.0fs)", w->user(), w->duration_s()));
  }
  if (prng.Bernoulli(0.3) && !s.has_clocks()) {
    // NTP-synced machines are within tens of ms; phones and laptops that
    // slept can be seconds off. Quartz drifts tens of ppm.
    s.mutable_clocks()->set_max_skew_ms(SampleUniform(prng, 10, 30000));
    s.mutable_clocks()->set_max_drift_ppm(SampleUniform(prng, 1, 200));
    on.push_back(absl::StrFormat("clocks(+-%.0fms)", s.clocks().max_skew_ms()));
  }
  // Backoff up to 30 s and detection timeouts need room to settle.
  s.set_converge_within_s(std::max(s.converge_within_s(), 120.0));
  draw.summary = on.empty() ? "none" : absl::StrJoin(on, " ");
  return draw;
}

}  // namespace collabsim::sim
