// See expectations.h.
#include "sim/expectations.h"

#include <algorithm>
#include <functional>

#include "absl/strings/str_format.h"
#include "engines/common/check.h"
#include "google/protobuf/descriptor.h"

namespace collabsim::sim {
namespace {

using Getter = std::function<std::optional<double>(const results::RunResult&)>;

std::optional<double> Presence(const results::RunResult& run, double value) {
  if (!run.presence().enabled()) return std::nullopt;
  return value;
}

std::optional<double> Steady(const results::RunResult& run, double value) {
  if (run.steady_remote_visible().samples() == 0) return std::nullopt;
  return value;
}

constexpr double kMiB = 1024.0 * 1024.0;

// Every upper-bound field of Expectation and how a run measures it.
const std::map<std::string, Getter, std::less<>>& Getters() {
  static const auto* const getters = new std::map<std::string, Getter, std::less<>>{
      {"edit_p50_ms", [](const auto& r) { return r.remote_visible().p50_ms(); }},
      {"edit_p95_ms", [](const auto& r) { return r.remote_visible().p95_ms(); }},
      {"edit_p99_ms", [](const auto& r) { return r.remote_visible().p99_ms(); }},
      {"steady_edit_p50_ms", [](const auto& r) { return Steady(r, r.steady_remote_visible().p50_ms()); }},
      {"steady_edit_p95_ms", [](const auto& r) { return Steady(r, r.steady_remote_visible().p95_ms()); }},
      {"steady_edit_p99_ms", [](const auto& r) { return Steady(r, r.steady_remote_visible().p99_ms()); }},
      {"cursor_p50_ms", [](const auto& r) { return Presence(r, r.presence().cursor_latency().p50_ms()); }},
      {"cursor_p95_ms", [](const auto& r) { return Presence(r, r.presence().cursor_latency().p95_ms()); }},
      {"cursor_p99_ms", [](const auto& r) { return Presence(r, r.presence().cursor_latency().p99_ms()); }},
      {"converge_s", [](const auto& r) { return r.convergence_s(); }},
      {"bytes_per_edit",
       [](const auto& r) {
         return static_cast<double>(r.wire_bytes()) / std::max<double>(1, static_cast<double>(r.edit_intents()));
       }},
      {"presence_bytes_per_user_s", [](const auto& r) { return Presence(r, r.presence().bytes_per_user_s()); }},
      {"server_memory_peak_mib",
       [](const auto& r) { return static_cast<double>(r.memory().server_bytes_peak()) / kMiB; }},
      {"client_memory_peak_mib",
       [](const auto& r) { return static_cast<double>(r.memory().client_bytes_peak()) / kMiB; }},
      {"loss_rate", [](const auto& r) { return r.oracle().loss_rate(); }},
  };
  return *getters;
}

uint64_t ProbeCount(const results::RunResult& run, std::string_view name) {
  for (const auto& probe : run.probes()) {
    if (probe.name() == name) return probe.count();
  }
  return 0;
}

// Calls visit(figure, bound) for every upper bound set in `block`.
template <typename Visit>
void ForEachBound(const scenario::Expectation& block, const Visit& visit) {
  const google::protobuf::Reflection* reflection = block.GetReflection();
  const google::protobuf::Descriptor* type = block.GetDescriptor();
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = type->field(i);
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_DOUBLE || !reflection->HasField(block, field)) {
      continue;
    }
    visit(field->name(), reflection->GetDouble(block, field));
  }
}

std::string Number(double value) { return absl::StrFormat("%.6g", value); }

// Why a run has no value for `figure`.
std::string NotMeasured(std::string_view figure) {
  if (figure.starts_with("steady_")) return "no edit was delivered with both ends' links steady";
  return "the engine has no presence channel";
}

}  // namespace

std::optional<double> ExpectationFigure(std::string_view figure, const results::RunResult& run) {
  const auto it = Getters().find(figure);
  COLLABSIM_CHECK(it != Getters().end());
  return it->second(run);
}

const std::vector<std::string>& ExpectationFigures() {
  static const auto* const names = [] {
    auto* list = new std::vector<std::string>;
    const google::protobuf::Descriptor* type = scenario::Expectation::descriptor();
    for (int i = 0; i < type->field_count(); ++i) {
      if (type->field(i)->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_DOUBLE) {
        list->push_back(type->field(i)->name());
      }
    }
    return list;
  }();
  return *names;
}

const Expectations& ExpectationsFor(const scenario::Scenario& scenario, bool reference) {
  return reference ? scenario::Scenario::default_instance().expect() : scenario.expect();
}

bool AppliesTo(const scenario::Expectation& block, std::string_view engine) {
  return block.engines().empty() ||
         std::find(block.engines().begin(), block.engines().end(), engine) != block.engines().end();
}

void ExpectationMeans::Add(const results::RunResult& run) {
  ++runs_;
  for (const auto& [figure, getter] : Getters()) {
    if (const std::optional<double> value = getter(run); value.has_value()) {
      sums_[figure] += *value;
      ++measured_[figure];
    }
  }
  for (const auto& probe : run.probes()) probe_sums_[probe.name()] += static_cast<double>(probe.count());
}

std::vector<std::string> BrokenExpectations(const Expectations& expect, std::string_view engine,
                                            const results::RunResult& run) {
  std::vector<std::string> broken;
  for (const scenario::Expectation& block : expect) {
    if (block.over() != scenario::Expectation::RUN || !AppliesTo(block, engine)) continue;
    ForEachBound(block, [&](const std::string& figure, double bound) {
      const std::optional<double> value = ExpectationFigure(figure, run);
      if (!value.has_value()) {
        broken.push_back(absl::StrFormat("expect %s <= %s: not measured in this run (%s)", figure, Number(bound),
                                         NotMeasured(figure)));
      } else if (!(*value <= bound)) {
        broken.push_back(absl::StrFormat("expect %s <= %s: measured %s", figure, Number(bound), Number(*value)));
      }
    });
    for (const scenario::ProbeMinimum& minimum : block.min_probes()) {
      const uint64_t count = ProbeCount(run, minimum.probe());
      if (count < minimum.count()) {
        broken.push_back(absl::StrFormat("expect probe %s >= %d: hit %d times", minimum.probe(), minimum.count(), count));
      }
    }
  }
  return broken;
}

std::vector<std::string> BrokenExpectations(const Expectations& expect, std::string_view engine,
                                            const ExpectationMeans& means) {
  std::vector<std::string> broken;
  if (means.runs_ == 0) return broken;
  for (const scenario::Expectation& block : expect) {
    if (block.over() != scenario::Expectation::SEEDS || !AppliesTo(block, engine)) continue;
    ForEachBound(block, [&](const std::string& figure, double bound) {
      const auto measured = means.measured_.find(figure);
      const size_t runs = measured == means.measured_.end() ? 0 : measured->second;
      if (runs < means.runs_) {
        broken.push_back(absl::StrFormat("expect %s <= %s (mean over seeds): not measured in %d of %d runs (%s)", figure,
                                         Number(bound), means.runs_ - runs, means.runs_, NotMeasured(figure)));
        return;
      }
      const double mean = means.sums_.find(figure)->second / static_cast<double>(runs);
      if (!(mean <= bound)) {
        broken.push_back(absl::StrFormat("expect %s <= %s (mean over seeds): measured %s%s", figure, Number(bound),
                                         Number(mean), runs == 1 ? " on the one seed" : absl::StrFormat(", mean of %d runs", runs)));
      }
    });
    for (const scenario::ProbeMinimum& minimum : block.min_probes()) {
      const auto sum = means.probe_sums_.find(minimum.probe());
      const double mean = sum == means.probe_sums_.end() ? 0 : sum->second / static_cast<double>(means.runs_);
      if (mean < static_cast<double>(minimum.count())) {
        broken.push_back(absl::StrFormat("expect probe %s >= %d (mean over seeds): hit %s times on average over %d runs",
                                         minimum.probe(), minimum.count(), Number(mean), means.runs_));
      }
    }
  }
  return broken;
}

}  // namespace collabsim::sim
