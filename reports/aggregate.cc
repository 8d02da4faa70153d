// Grouping and per-group statistics for reports.
#include "reports/aggregate.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim/memory_sample.h"

namespace collabsim::reports {
namespace {

double PerEdit(double value, const results::RunResult& run) {
  return value / std::max<double>(1, static_cast<double>(run.edit_intents()));
}

size_t EngineRank(const std::vector<std::string>& order, const std::string& engine) {
  const auto it = std::find(order.begin(), order.end(), engine);
  return it == order.end() ? order.size() : static_cast<size_t>(it - order.begin());
}

// The mean over runs of each of a latency summary's 101 quantiles; empty
// when no run has them (no such delivery).
std::vector<double> MergedQuantiles(const std::vector<const results::RunResult*>& runs,
                                    const results::LatencySummary& (results::RunResult::*summary)() const) {
  std::vector<double> merged(101, 0);
  size_t with = 0;
  for (const results::RunResult* run : runs) {
    const results::LatencySummary& latency = (run->*summary)();
    if (latency.quantiles_ms_size() != 101) continue;
    ++with;
    for (int k = 0; k <= 100; ++k) merged[k] += latency.quantiles_ms(k);
  }
  if (with == 0) return {};
  for (double& q : merged) q /= static_cast<double>(with);
  return merged;
}

}  // namespace

bool TypedText(const results::RunResult& run) {
  return run.oracle().tokens_inserted() > 0 || run.canvas().property_writes() == 0;
}

const std::vector<Figure>& SummaryFigures() {
  static const auto* const figures = new std::vector<Figure>{
      {"p50_ms", "p50 latency (ms)", 1, [](const auto& r) { return r.remote_visible().p50_ms(); }},
      {"p95_ms", "p95 latency (ms)", 1, [](const auto& r) { return r.remote_visible().p95_ms(); }},
      {"p99_ms", "p99 latency (ms)", 1, [](const auto& r) { return r.remote_visible().p99_ms(); }},
      {"max_ms", "max latency (ms)", 1, [](const auto& r) { return r.remote_visible().max_ms(); }},
      // The algorithm's own cost, apart from what faults added: deliveries
      // whose author and receiver kept every link up from edit to showing.
      {"steady_p99_ms", "steady-state p99 latency (ms)", 1,
       [](const auto& r) -> std::optional<double> {
         if (r.steady_remote_visible().samples() == 0) return std::nullopt;
         return r.steady_remote_visible().p99_ms();
       }},
      {"convergence_s", "time to converge after heal (s)", 2, [](const auto& r) { return r.convergence_s(); }},
      {"wire_bytes_per_edit", "wire bytes per edit", 0,
       [](const auto& r) { return PerEdit(static_cast<double>(r.wire_bytes()), r); }},
      {"messages_per_edit", "messages per edit", 2,
       [](const auto& r) { return PerEdit(static_cast<double>(r.messages()), r); }},
      {"server_peak_kib", "server memory peak (KiB)", 0,
       [](const auto& r) { return static_cast<double>(r.memory().server_bytes_peak()) / 1024; }},
      {"client_peak_kib", "client memory peak (KiB)", 0,
       [](const auto& r) { return static_cast<double>(r.memory().client_bytes_peak()) / 1024; }},
      {"loss_rate_pct", "intent loss rate (%)", 2,
       [](const auto& r) -> std::optional<double> {
         if (!TypedText(r)) return std::nullopt;
         return 100 * r.oracle().loss_rate();
       }},
      {"cursor_p95_ms", "cursor p95 latency (ms)", 1,
       [](const auto& r) -> std::optional<double> {
         if (!r.presence().enabled()) return std::nullopt;
         return r.presence().cursor_latency().p95_ms();
       }},
      {"presence_bytes_per_user_s", "presence bytes/s per user", 0,
       [](const auto& r) -> std::optional<double> {
         if (!r.presence().enabled()) return std::nullopt;
         return r.presence().bytes_per_user_s();
       }},
      {"local_apply_us", "local apply CPU (µs, measured)", 2,
       [](const auto& r) { return r.measured_local_apply_us_mean(); }},
  };
  return *figures;
}

const Group* Aggregate::Find(const std::string& scenario, const std::string& engine) const {
  for (const Group& group : groups) {
    if (group.scenario == scenario && group.engine == engine) return &group;
  }
  return nullptr;
}

const results::ScenarioInfo* Aggregate::Scenario(const std::string& name) const {
  for (const auto& info : file->scenarios()) {
    if (info.name() == name) return &info;
  }
  return nullptr;
}

void Canonicalize(const std::vector<std::string>& engine_order, results::ResultsFile* file) {
  std::vector<results::RunResult> runs(file->runs().begin(), file->runs().end());
  std::stable_sort(runs.begin(), runs.end(), [&](const auto& a, const auto& b) {
    if (a.scenario() != b.scenario()) return a.scenario() < b.scenario();
    const size_t ra = EngineRank(engine_order, a.engine()), rb = EngineRank(engine_order, b.engine());
    if (ra != rb) return ra < rb;
    if (a.engine() != b.engine()) return a.engine() < b.engine();
    return a.seed() < b.seed();
  });
  file->clear_runs();
  for (auto& run : runs) *file->add_runs() = std::move(run);
  std::map<std::string, results::ScenarioInfo> infos;
  for (const auto& info : file->scenarios()) infos.emplace(info.name(), info);
  file->clear_scenarios();
  for (auto& [name, info] : infos) *file->add_scenarios() = std::move(info);
}

std::string DescribeSeeds(std::vector<uint64_t> seeds) {
  std::sort(seeds.begin(), seeds.end());
  seeds.erase(std::unique(seeds.begin(), seeds.end()), seeds.end());
  if (seeds.empty()) return "none";
  if (seeds.back() - seeds.front() + 1 == seeds.size()) {
    return seeds.size() == 1 ? absl::StrFormat("%d", seeds.front())
                             : absl::StrFormat("%d-%d", seeds.front(), seeds.back());
  }
  if (seeds.size() <= 8) return absl::StrJoin(seeds, ", ");
  return absl::StrFormat("%d seeds", seeds.size());
}

Aggregate AggregateResults(const results::ResultsFile& file, const std::vector<std::string>& engine_order) {
  Aggregate aggregate;
  aggregate.file = &file;
  aggregate.version = file.collabsim_version();
  std::vector<uint64_t> seeds;
  for (const auto& run : file.runs()) {
    seeds.push_back(run.seed());
    if (std::find(aggregate.scenarios.begin(), aggregate.scenarios.end(), run.scenario()) == aggregate.scenarios.end()) {
      aggregate.scenarios.push_back(run.scenario());
    }
    if (std::find(aggregate.engines.begin(), aggregate.engines.end(), run.engine()) == aggregate.engines.end()) {
      aggregate.engines.push_back(run.engine());
    }
    if (aggregate.groups.empty() || aggregate.groups.back().scenario != run.scenario() ||
        aggregate.groups.back().engine != run.engine()) {
      aggregate.groups.push_back(Group{run.scenario(), run.engine()});
    }
    aggregate.groups.back().runs.push_back(&run);
  }
  std::sort(aggregate.scenarios.begin(), aggregate.scenarios.end());
  std::stable_sort(aggregate.engines.begin(), aggregate.engines.end(), [&](const auto& a, const auto& b) {
    return EngineRank(engine_order, a) < EngineRank(engine_order, b);
  });
  aggregate.seeds = DescribeSeeds(seeds);
  for (Group& group : aggregate.groups) {
    for (const Figure& figure : SummaryFigures()) {
      std::vector<double> values;
      for (const auto* run : group.runs) {
        if (const std::optional<double> value = figure.extract(*run)) values.push_back(*value);
      }
      group.estimates.push_back(MeanWithConfidence(values));
    }
    group.latency_quantiles_ms = MergedQuantiles(group.runs, &results::RunResult::remote_visible);
    group.steady_quantiles_ms = MergedQuantiles(group.runs, &results::RunResult::steady_remote_visible);
    group.fault_delayed_quantiles_ms = MergedQuantiles(group.runs, &results::RunResult::fault_delayed_remote_visible);
    size_t samples = SIZE_MAX;
    for (const auto* run : group.runs) {
      if (run->violations_size() > 0) ++group.failed;
      samples = std::min<size_t>(samples, run->memory_samples_size());
    }
    // The last sample of each run is taken at its (seed-dependent) end; the
    // timeline keeps only the fixed-interval ones, which line up across seeds.
    if (samples != SIZE_MAX && samples > 1) --samples;
    for (size_t k = 0; k < samples && !group.runs.empty(); ++k) {
      double memory = 0, wire = 0;
      for (const auto* run : group.runs) {
        const auto& s = run->memory_samples(static_cast<int>(k));
        memory += static_cast<double>(sim::ServerBytes(s));
        wire += static_cast<double>(s.wire_bytes());
      }
      const double at = group.runs.front()->memory_samples(static_cast<int>(k)).at_s();
      const double runs = static_cast<double>(group.runs.size());
      group.server_memory_kib.emplace_back(at, memory / runs / 1024);
      group.wire_kib.emplace_back(at, wire / runs / 1024);
    }
  }
  return aggregate;
}

}  // namespace collabsim::reports
