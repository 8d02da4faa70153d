// The determinism self-check (see step_check.h).
#include "sim/step_check.h"

#include "absl/strings/str_format.h"
#include "sim/trace_hash.h"

namespace collabsim::sim {

std::optional<std::string> CheckRunStep(std::vector<StepRecord>* record, const std::vector<StepRecord>* expect,
                                        uint64_t index, SimTime time, const StepEnds& ends, uint64_t trace) {
  if (record == nullptr && expect == nullptr) return std::nullopt;
  TraceHash digest;
  digest.Add(trace);
  digest.Add(static_cast<uint64_t>(time));
  digest.Add(static_cast<uint64_t>(ends.kind));
  digest.Add((uint64_t{ends.node} << 32) | ends.to);
  const StepRecord step{digest.value(), time, static_cast<uint32_t>(ends.kind), ends.node, ends.to};
  if (record != nullptr) record->push_back(step);
  if (expect == nullptr) return std::nullopt;
  const std::vector<StepRecord>& expected = *expect;
  if (index <= expected.size() && expected[index - 1].digest == step.digest) return std::nullopt;
  const std::string what = absl::StrFormat("step %d (%s)", index, DescribeStep(step));
  if (index > expected.size()) {
    return absl::StrFormat("the first run ended after %d steps; this one went on to %s", expected.size(), what);
  }
  const StepRecord& first = expected[index - 1];
  const bool same_event = first.time == step.time && first.kind == step.kind && first.node == step.node &&
                          first.to == step.to;
  return same_event ? absl::StrFormat("%s differs from the first run of the same case: same event, different "
                                      "outcome (an intent or message differs)",
                                      what)
                    : absl::StrFormat("%s differs from the first run of the same case, where step %d was %s", what,
                                      index, DescribeStep(first));
}

std::optional<std::string> CheckRunEnd(const std::vector<StepRecord>* expect, uint64_t steps) {
  if (expect == nullptr || steps >= expect->size()) return std::nullopt;
  return absl::StrFormat("this run ended after %d steps, the first one after %d", steps, expect->size());
}

std::string DescribeStep(const StepRecord& step) {
  const bool delivery = step.kind == static_cast<uint32_t>(StepKind::kDeliver);
  return absl::StrFormat("%s at t=%.6fs, node %d%s", StepKindName(step.kind), ToSeconds(step.time - kSimStart),
                         step.node, delivery ? absl::StrFormat(" -> %d", step.to) : "");
}

}  // namespace collabsim::sim
