// Random partitions come from their own PRNG stream, so adding them never
// shifts the draws of users, links or other faults.
#include "sim/random_partitions.h"

#include <algorithm>

#include "engines/common/check.h"
#include "sim/delay_model.h"
#include "sim/distributions.h"
#include "sim/scenario_limits.h"
#include "sim/sim_time.h"

namespace collabsim::sim {
namespace {
constexpr uint64_t kRandomPartitionStream = 0x9A27;
}  // namespace

std::vector<uint32_t> DrawUsers(Prng& prng, uint32_t users, uint32_t count) {
  COLLABSIM_CHECK(count >= 1 && count <= users);
  std::vector<uint32_t> all(users);
  for (uint32_t u = 0; u < users; ++u) all[u] = u + 1;
  for (uint32_t k = 0; k < count; ++k) std::swap(all[k], all[k + prng.UniformInt(users - k)]);
  all.resize(count);
  std::sort(all.begin(), all.end());
  return all;
}

int ExpandRandomPartitions(uint64_t seed, scenario::Scenario* scenario) {
  if (!scenario->has_random_partitions()) return 0;
  const scenario::RandomPartitions& random = scenario->random_partitions();
  Prng prng = Prng::ForStream(seed, kRandomPartitionStream);
  const DelayModel duration(random.duration());
  const uint32_t users = UserCount(*scenario);
  const uint32_t max_users = std::min(users, random.max_users());
  int added = 0;
  for (double at_s = SampleExponential(prng, random.mean_interval_s()); at_s < scenario->active_s();
       at_s += SampleExponential(prng, random.mean_interval_s())) {
    auto* p = scenario->add_partitions();
    p->set_at_s(at_s);
    // At least a millisecond: a zero-length cut would be no fault at all.
    p->set_duration_s(std::max(1e-3, ToSeconds(duration.Sample(prng))));
    p->set_detect_after_s(random.detect_after_s());
    if (prng.UniformDouble() < random.one_way_fraction()) {
      p->set_direction(prng.UniformInt(2) == 0 ? scenario::Partition::TO_SERVER : scenario::Partition::FROM_SERVER);
    }
    const auto count = static_cast<uint32_t>(1 + prng.UniformInt(max_users));
    for (uint32_t user : DrawUsers(prng, users, count)) p->add_users(user);
    ++added;
  }
  return added;
}

}  // namespace collabsim::sim
