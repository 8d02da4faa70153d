// The determinism self-check: each step's digest is the trace hash after
// it, folded with the step's simulated time, kind and nodes. A run records
// its digests; a second run of the same case compares its own with them and
// names the first step that differs (or the first one too many or too few).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engines/common/intent.h"
#include "sim/run_events.h"
#include "sim/sim_time.h"

namespace collabsim::sim {

// One step of a run as the determinism self-check and recordings keep it.
struct StepRecord {
  uint64_t digest = 0;  // the trace hash after the step, folded with the rest
  SimTime time = 0;
  uint32_t kind = 0;  // StepKind (sim/run_events.h)
  ReplicaId node = 0;
  ReplicaId to = 0;
};

// Step `index` (1-based), just handled, whose trace hash is now `trace`:
// appended to `record` when set; compared with `expect` when set. The
// determinism violation's detail when it differs.
std::optional<std::string> CheckRunStep(std::vector<StepRecord>* record, const std::vector<StepRecord>* expect,
                                        uint64_t index, SimTime time, const StepEnds& ends, uint64_t trace);
// The run ended after `steps` steps: the violation's detail if `expect`
// (when set) had more.
std::optional<std::string> CheckRunEnd(const std::vector<StepRecord>* expect, uint64_t steps);

// "delivery at t=1.500000s, node 1 -> 0" (kind out of range: "event N").
std::string DescribeStep(const StepRecord& step);

}  // namespace collabsim::sim
