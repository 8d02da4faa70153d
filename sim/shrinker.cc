// Delta debugging over users, faults, script actions, delays and time (see
// shrinker.h).
#include "sim/shrinker.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_format.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "sim/faults/fault.h"
#include "sim/random_partitions.h"
#include "sim/scenario_loader.h"
#include "sim/world.h"

namespace collabsim::sim {
namespace {

uint64_t FaultCount(const scenario::Scenario& s) {
  uint64_t count = 0;
  for (const std::unique_ptr<Fault>& fault : AllFaults()) count += static_cast<uint64_t>(fault->PartCount(s));
  return count;
}

CaseSize SizeOf(const scenario::Scenario& s) {
  return CaseSize{UserCount(s), static_cast<uint64_t>(s.script_size()), FaultCount(s), s.active_s()};
}

// A representative one-way delay of a distribution, in milliseconds: its
// median where that is simple, else its middle.
double TypicalMs(const scenario::Delay& d) {
  switch (d.shape_case()) {
    case scenario::Delay::kConstantMs: return d.constant_ms();
    case scenario::Delay::kUniform: return (d.uniform().min_ms() + d.uniform().max_ms()) / 2;
    case scenario::Delay::kNormal: return d.normal().mean_ms();
    case scenario::Delay::kLognormal: return d.lognormal().median_ms();
    case scenario::Delay::kPareto: return d.pareto().scale_ms() * std::pow(2.0, 1.0 / d.pareto().shape());
    case scenario::Delay::kMixture: {
      const scenario::WeightedDelay* heaviest = nullptr;
      for (const auto& component : d.mixture().components()) {
        if (heaviest == nullptr || component.weight() > heaviest->weight()) heaviest = &component;
      }
      return heaviest == nullptr ? 0 : TypicalMs(heaviest->delay());
    }
    case scenario::Delay::SHAPE_NOT_SET: break;
  }
  return 0;
}

bool IsConstant(const scenario::Delay& d) { return d.shape_case() == scenario::Delay::kConstantMs && d.jitter_ms() == 0; }

scenario::Delay ConstantDelay(double ms) {
  scenario::Delay d;
  d.set_constant_ms(std::round(ms * 1000) / 1000);  // to the microsecond, so the file reads well
  return d;
}

// `s` with only the users whose 0-based index is in `kept` (in order),
// renumbered 1..k; their script actions and faults follow them.
scenario::Scenario WithUsers(const scenario::Scenario& s, const std::vector<size_t>& kept) {
  std::vector<uint32_t> renumber(UserCount(s) + 1, 0);  // old 1-based -> new, 0 = gone
  for (size_t k = 0; k < kept.size(); ++k) renumber[kept[k] + 1] = static_cast<uint32_t>(k + 1);
  scenario::Scenario out = s;
  out.clear_groups();
  uint32_t first = 1;
  for (const auto& group : s.groups()) {
    uint32_t count = 0;
    for (uint32_t u = first; u < first + group.count(); ++u) count += renumber[u] != 0;
    first += group.count();
    if (count == 0) continue;
    *out.add_groups() = group;
    out.mutable_groups(out.groups_size() - 1)->set_count(count);
  }
  out.clear_script();
  for (const auto& action : s.script()) {
    if (renumber[action.user()] == 0) continue;
    *out.add_script() = action;
    out.mutable_script(out.script_size() - 1)->set_user(renumber[action.user()]);
  }
  for (const std::unique_ptr<Fault>& fault : AllFaults()) fault->RenumberUsers(renumber, &out);
  return out;
}

// One part of one fault of a scenario: the fault's place in AllFaults()
// and the part's index.
struct FaultRef {
  size_t fault = 0;
  int part = 0;
};

std::vector<FaultRef> FaultsOf(const scenario::Scenario& s) {
  std::vector<FaultRef> parts;
  const std::vector<std::unique_ptr<Fault>> faults = AllFaults();
  for (size_t f = 0; f < faults.size(); ++f) {
    for (int k = 0; k < faults[f]->PartCount(s); ++k) parts.push_back(FaultRef{f, k});
  }
  return parts;
}

scenario::Scenario WithFaults(const scenario::Scenario& s, const std::vector<FaultRef>& all,
                              const std::vector<size_t>& kept) {
  const std::vector<std::unique_ptr<Fault>> faults = AllFaults();
  std::vector<std::vector<int>> parts(faults.size());
  for (size_t k : kept) parts[all[k].fault].push_back(all[k].part);
  scenario::Scenario out = s;
  for (size_t f = 0; f < faults.size(); ++f) faults[f]->KeepParts(s, parts[f], &out);
  return out;
}

// Visits every scheduled moment and duration: script actions and faults.
void VisitTimes(scenario::Scenario* s, const TimeVisitor& visit) {
  for (auto& action : *s->mutable_script()) {
    double at = action.at_s();
    visit.at(at);
    action.set_at_s(at);
  }
  for (const std::unique_ptr<Fault>& fault : AllFaults()) fault->VisitTimes(s, visit);
}

scenario::Scenario WithActions(const scenario::Scenario& s, const std::vector<size_t>& kept) {
  scenario::Scenario out = s;
  out.clear_script();
  for (size_t k : kept) *out.add_script() = s.script(k);
  return out;
}

// Earliest and latest moments at which something is scheduled to start.
std::pair<double, double> ScheduledSpan(const scenario::Scenario& s) {
  std::vector<double> starts;
  scenario::Scenario copy = s;
  VisitTimes(&copy, TimeVisitor{[&](double& at) { starts.push_back(at); }, [](double&) {}});
  if (starts.empty()) return {0, 0};
  return {*std::min_element(starts.begin(), starts.end()), *std::max_element(starts.begin(), starts.end())};
}

// Every scheduled time moved `by` seconds earlier. REQUIRES: by <= the earliest.
scenario::Scenario ShiftedEarlier(const scenario::Scenario& s, double by) {
  scenario::Scenario out = s;
  VisitTimes(&out, TimeVisitor{[&](double& at) { at -= by; }, [](double&) {}});
  out.set_active_s(out.active_s() - by);
  return out;
}

double RoundMs(double seconds) { return std::round(seconds * 1000) / 1000; }

// Every scheduled time and duration rounded to the millisecond (durations
// to at least one), so the file reads well.
scenario::Scenario RoundedToMilliseconds(const scenario::Scenario& s) {
  scenario::Scenario out = s;
  VisitTimes(&out, TimeVisitor{[](double& at) { at = RoundMs(at); },
                               [](double& duration) { duration = std::max(RoundMs(duration), 0.001); }});
  return out;
}

class Shrinker {
 public:
  Shrinker(const Engine& engine, uint64_t seed, const ShrinkOptions& options)
      : engine_(engine), seed_(seed), options_(options) {}

  absl::StatusOr<ShrinkResult> Run(const scenario::Scenario& original) {
    // The case as it will be shrunk: random partitions drawn out as explicit
    // ones (so each can go on its own), and no coverage requirements (the
    // shrunk case is about its failure, not about covering a code path).
    scenario::Scenario base = original;
    ExpandRandomPartitions(seed_, &base);
    base.clear_random_partitions();
    base.clear_require_probe();
    std::vector<scenario::ScriptedAction> script;
    RunOptions record;
    record.script = &script;
    const results::RunResult first = World(base, engine_, seed_, record).Run();
    ++result_.runs;
    if (first.violations().empty()) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "seed %d of %s passes on %s: nothing to shrink (find a failing seed with `collabsim check`)", seed_,
          original.name(), engine_.traits().name));
    }
    result_.invariant = first.violations(0).invariant();
    // Service levels stay only when one of them is what failed: a shrunk
    // convergence case must not also fail on latency of a smaller run.
    if (result_.invariant != "expectation") base.clear_expect();
    result_.before = SizeOf(base);
    result_.before.actions = script.size();
    if (base.script().empty()) {
      base.clear_typing();
      for (auto& action : script) *base.add_script() = std::move(action);
      if (!Fails(base)) {
        return absl::InternalError(absl::StrFormat(
            "the run's recorded script no longer fails %s when replayed; the case cannot be shrunk (please report "
            "this with the command line)",
            result_.invariant));
      }
      Step(absl::StrFormat("recorded the workload as a script of %d actions", base.script_size()));
    }
    current_ = base;
    for (int pass = 1;; ++pass) {
      const CaseSize at_start = SizeOf(current_);
      bool changed = false;
      changed |= ShrinkUsers();
      changed |= MakeDropsExplicit();
      changed |= ShrinkFaults();
      changed |= ShrinkActions();
      changed |= SimplifyDelays();
      changed |= ShrinkTime();
      Progress(absl::StrFormat("pass %d: %s -> %s (%d runs so far)", pass, at_start.Describe(),
                               SizeOf(current_).Describe(), result_.runs));
      if (!changed || result_.budget_exhausted) break;
    }
    result_.after = SizeOf(current_);
    // Within the loader's limit on names, so the written file loads.
    const std::string suffix = "-shrunk";
    size_t keep = std::min(original.name().size(), kMaxNameBytes - suffix.size());
    while (keep > 0 && keep < original.name().size() && (original.name()[keep] & 0xC0) == 0x80) --keep;  // whole code points
    current_.set_name(original.name().substr(0, keep) + suffix);
    current_.set_description(absl::StrFormat("%s seed %d on %s, shrunk by `collabsim shrink`: fails %s",
                                              original.name(), seed_, engine_.traits().name, result_.invariant));
    result_.scenario = current_;
    const results::RunResult last = World(current_, engine_, seed_).Run();
    for (const auto& violation : last.violations()) {
      if (violation.invariant() == result_.invariant) {
        result_.detail = violation.detail();
        break;
      }
    }
    return result_;
  }

 private:
  // Whether `candidate` is valid and still fails the invariant. Invalid
  // candidates cost no run.
  bool Fails(const scenario::Scenario& candidate) {
    if (result_.runs >= options_.max_runs) {
      result_.budget_exhausted = true;
      return false;
    }
    std::string text;
    google::protobuf::TextFormat::PrintToString(candidate, &text);
    if (!ParseScenario(text, "candidate").ok()) return false;
    ++result_.runs;
    const results::RunResult run = World(candidate, engine_, seed_).Run();
    return std::any_of(run.violations().begin(), run.violations().end(),
                       [&](const results::Violation& v) { return v.invariant() == result_.invariant; });
  }

  void Step(const std::string& what) {
    result_.steps.push_back(what);
    Progress("  " + what);
  }
  void Progress(const std::string& line) {
    if (options_.progress) options_.progress(line);
  }

  bool ShrinkUsers() {
    const uint32_t users = UserCount(current_);
    const std::vector<size_t> kept =
        MinimizeSubset(users, [&](const std::vector<size_t>& subset) { return Fails(WithUsers(current_, subset)); });
    if (kept.size() == users) return false;
    current_ = WithUsers(current_, kept);
    Step(absl::StrFormat("took out %d of %d users", users - kept.size(), users));
    return true;
  }

  // Random drops are drawn from the seed over every user, so they move
  // whenever anything else changes; the drops that happened, as offline
  // windows, stay put and can be taken out one by one.
  bool MakeDropsExplicit() {
    if (current_.drops().mean_interval_s() <= 0 || result_.runs >= options_.max_runs) return false;
    std::vector<scenario::OfflineWindow> windows;
    RunOptions record;
    record.drops = &windows;
    World(current_, engine_, seed_, record).Run();
    ++result_.runs;
    scenario::Scenario candidate = current_;
    candidate.clear_drops();
    for (auto& window : windows) *candidate.add_offline() = std::move(window);
    return TryReplace(candidate, absl::StrFormat("replaced random drops by the %d that happened, as offline windows",
                                                 windows.size()));
  }

  bool ShrinkFaults() {
    const std::vector<FaultRef> faults = FaultsOf(current_);
    if (faults.empty()) return false;
    const std::vector<size_t> kept = MinimizeSubset(faults.size(), [&](const std::vector<size_t>& subset) {
      return Fails(WithFaults(current_, faults, subset));
    });
    if (kept.size() == faults.size()) return false;
    current_ = WithFaults(current_, faults, kept);
    Step(absl::StrFormat("took out %d of %d fault events", faults.size() - kept.size(), faults.size()));
    return true;
  }

  bool ShrinkActions() {
    const size_t actions = static_cast<size_t>(current_.script_size());
    const std::vector<size_t> kept = MinimizeSubset(
        actions, [&](const std::vector<size_t>& subset) { return Fails(WithActions(current_, subset)); });
    if (kept.size() == actions) return false;
    current_ = WithActions(current_, kept);
    Step(absl::StrFormat("took out %d of %d script actions", actions - kept.size(), actions));
    return true;
  }

  // Tries `candidate`; keeps it (and notes `what`) if it still fails.
  bool TryReplace(const scenario::Scenario& candidate, const std::string& what) {
    if (!Fails(candidate)) return false;
    current_ = candidate;
    Step(what);
    return true;
  }

  bool SimplifyDelays() {
    bool changed = false;
    for (int g = 0; g < current_.groups_size(); ++g) {
      const scenario::Link& link = current_.groups(g).link();
      if (!IsConstant(link.latency())) {
        scenario::Scenario candidate = current_;
        const double ms = TypicalMs(link.latency());
        *candidate.mutable_groups(g)->mutable_link()->mutable_latency() = ConstantDelay(ms);
        changed |= TryReplace(candidate, absl::StrFormat("made group %d's latency a constant %g ms", g + 1, ms));
      }
      if (current_.groups(g).link().bandwidth_kbps() > 0) {
        scenario::Scenario candidate = current_;
        candidate.mutable_groups(g)->mutable_link()->set_bandwidth_kbps(0);
        changed |= TryReplace(candidate, absl::StrFormat("made group %d's bandwidth unlimited", g + 1));
      }
    }
    if (current_.drops().mean_interval_s() > 0 && !IsConstant(current_.drops().reconnect_delay())) {
      scenario::Scenario candidate = current_;
      const double ms = TypicalMs(current_.drops().reconnect_delay());
      *candidate.mutable_drops()->mutable_reconnect_delay() = ConstantDelay(ms);
      changed |= TryReplace(candidate, absl::StrFormat("made the reconnect delay a constant %g ms", ms));
    }
    if (current_.has_reconnect_backoff()) {
      scenario::Scenario candidate = current_;
      candidate.clear_reconnect_backoff();
      changed |= TryReplace(candidate, "took out the reconnect backoff (nothing needs it)");
    }
    return changed;
  }

  bool ShrinkTime() {
    bool changed = false;
    const double earliest = ScheduledSpan(current_).first;
    const double shift = std::floor(earliest);  // whole seconds, so times read well
    if (shift > 0) {
      changed |= TryReplace(ShiftedEarlier(current_, shift),
                            absl::StrFormat("moved everything %g s earlier (the first thing happened at %g s)", shift,
                                            earliest));
    }
    scenario::Scenario rounded = RoundedToMilliseconds(current_);
    if (!google::protobuf::util::MessageDifferencer::Equals(rounded, current_)) {
      changed |= TryReplace(rounded, "rounded every time to the millisecond");
    }
    const double active = std::floor(ScheduledSpan(current_).second) + 1;
    if (active < current_.active_s()) {
      scenario::Scenario candidate = current_;
      candidate.set_active_s(active);
      changed |= TryReplace(candidate, absl::StrFormat("cut the active phase from %g s to %g s", current_.active_s(),
                                                       active));
    }
    return changed;
  }

  const Engine& engine_;
  uint64_t seed_;
  ShrinkOptions options_;
  scenario::Scenario current_;
  ShrinkResult result_;
};

}  // namespace

std::string CaseSize::Describe() const {
  return absl::StrFormat("%d user%s, %d action%s, %d fault%s, %g s active", users, users == 1 ? "" : "s", actions,
                         actions == 1 ? "" : "s", faults, faults == 1 ? "" : "s", active_s);
}

std::vector<size_t> MinimizeSubset(size_t n, const std::function<bool(const std::vector<size_t>&)>& fails) {
  std::vector<size_t> kept(n);
  std::iota(kept.begin(), kept.end(), size_t{0});
  if (n == 0) return kept;
  if (fails({})) return {};
  size_t chunks = 2;
  while (kept.size() > 1) {
    chunks = std::min(chunks, kept.size());
    bool reduced = false;
    for (size_t c = chunks; c-- > 0;) {  // the last chunk first: late actions matter least
      const size_t begin = kept.size() * c / chunks;
      const size_t end = kept.size() * (c + 1) / chunks;
      std::vector<size_t> candidate(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(begin));
      candidate.insert(candidate.end(), kept.begin() + static_cast<std::ptrdiff_t>(end), kept.end());
      if (fails(candidate)) {
        kept = std::move(candidate);
        chunks = std::max<size_t>(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (chunks >= kept.size()) break;
      chunks = std::min(kept.size(), chunks * 2);
    }
  }
  return kept;
}

absl::StatusOr<ShrinkResult> Shrink(const scenario::Scenario& scenario, const Engine& engine, uint64_t seed,
                                    const ShrinkOptions& options) {
  if (scenario.has_design()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "scenario %s is a design (canvas) workload; shrink reduces typing and scripted workloads only",
        scenario.name()));
  }
  return Shrinker(engine, seed, options).Run(scenario);
}

}  // namespace collabsim::sim
