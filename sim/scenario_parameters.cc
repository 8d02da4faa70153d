// The one-line description of a scenario's seed-independent options (see
// scenario_parameters.h).
#include "sim/scenario_parameters.h"

#include <memory>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim/delay_model.h"
#include "sim/faults/fault.h"
#include "sim/scenario_limits.h"

namespace collabsim::sim {

std::string ScenarioParameters(const scenario::Scenario& scenario) {
  std::vector<std::string> groups;
  for (const auto& group : scenario.groups()) {
    std::string link = DelayModel(group.link().latency()).Describe();
    if (group.link().bandwidth_kbps() > 0) link += absl::StrFormat(", %g kbit/s", group.link().bandwidth_kbps());
    groups.push_back(absl::StrFormat("%dx%s%s[%s]", group.count(), group.label().empty() ? "users" : group.label(),
                                     group.read_only() ? "(read-only)" : "", link));
  }
  std::string drops = "none";
  if (scenario.drops().mean_interval_s() > 0) {
    drops = absl::StrFormat("every ~%gs, reconnect after %s", scenario.drops().mean_interval_s(),
                            DelayModel(scenario.drops().reconnect_delay()).Describe());
  }
  const auto& t = scenario.typing();
  std::string faults;
  for (const std::unique_ptr<Fault>& fault : MakeFaults(scenario)) fault->Describe(scenario, &faults);
  if (scenario.has_reconnect_backoff()) {
    const auto& b = scenario.reconnect_backoff();
    absl::StrAppendFormat(&faults, " backoff=%gms*%g^k<=%gms+-%g%%", b.initial_ms(), b.multiplier(), b.max_ms(),
                          100 * b.jitter_fraction());
  }
  std::string workload =
      scenario.script().empty()
          ? absl::StrFormat("typing=%gwpm burst=%d-%d pause=%gs delete=%g hot_spot=%g%s%s", t.words_per_minute(),
                            t.burst_words_min(), t.burst_words_max(), t.pause_mean_s(), t.delete_fraction(),
                            t.hot_spot_fraction(),
                            t.paragraph_fraction() > 0 ? absl::StrFormat(" paragraph=%g", t.paragraph_fraction())
                                                       : std::string(),
                            t.select_fraction() > 0 ? absl::StrFormat(" select=%g", t.select_fraction())
                                                    : std::string())
          : absl::StrFormat("script=%d_actions", scenario.script_size());
  if (scenario.has_design()) {
    const auto& d = scenario.design();
    workload = absl::StrFormat("design=%d_shapes+%d_frames/user pause=%gs drag=%gHz hot=%g(%d)", d.shapes_per_user(),
                               d.frames_per_user(), d.pause_mean_s(), d.drag_hz(), d.hot_fraction(), d.hot_objects());
  }
  return absl::StrFormat("users=%d groups=%s active_s=%g %s drops=%s offline_windows=%d%s converge_within_s=%g",
                         UserCount(scenario), absl::StrJoin(groups, ","), scenario.active_s(), workload, drops,
                         scenario.offline_size(), faults, scenario.converge_within_s());
}

}  // namespace collabsim::sim
