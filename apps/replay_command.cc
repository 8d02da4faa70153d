// `collabsim replay FILE`: runs a recorded case again and checks every step
// against the recording.
#include <iostream>

#include "absl/strings/str_format.h"
#include "apps/commands.h"
#include "apps/recording.h"
#include "apps/run_case.h"
#include "collabsim/version.h"
#include "engines/registry.h"
#include "reports/run_summary.h"
#include "sim/world.h"

namespace collabsim::apps {

int ReplayCommand(const ReplayFlags& flags) {
  absl::StatusOr<recording::Recording> recorded = ReadRecording(flags.path);
  if (!recorded.ok()) {
    std::cerr << "collabsim replay: " << recorded.status().message() << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<const Engine*> engine = FindEngine(recorded->engine());
  if (!engine.ok()) {
    std::cerr << "collabsim replay: " << flags.path << ": field engine: " << engine.status().message() << "\n";
    return kExitBadInput;
  }
  if (recorded->collabsim_version() != kVersion) {
    std::cout << "note: recorded by collabsim " << recorded->collabsim_version() << ", replayed by " << kVersion
              << "\n";
  }
  const std::vector<sim::StepRecord> steps = StepsOf(*recorded);
  sim::RunOptions options;
  options.expect_steps = &steps;
  // The recorded scenario already carries any swarm draw.
  options.require_probes_per_run = !recorded->swarm();
  sim::World world(recorded->scenario(), **engine, recorded->seed(), options);
  std::cout << "collabsim " << kVersion << " replay: " << world.SetupLine() << "\n" << std::flush;
  results::RunResult result = world.Run();
  std::cout << reports::FormatRunSummary(result);
  for (const results::Violation& v : result.violations()) {
    if (v.invariant() != "determinism") continue;
    std::cout << "REPLAY DIVERGED: " << v.detail() << "\n";
    return kExitViolation;
  }
  // Every step matched; the trace hash covers more than the step digests
  // (the results too), so it must match as well.
  if (result.trace_hash() != recorded->trace_hash()) {
    std::cout << absl::StrFormat(
        "REPLAY DIVERGED: all %d steps match, but the trace hash is %s and the recording says %s (field "
        "trace_hash)\n",
        steps.size(), result.trace_hash(), recorded->trace_hash());
    return kExitViolation;
  }
  std::cout << absl::StrFormat("replay: all %d steps match the recording (trace hash %s, recorded %s)\n",
                               steps.size(), result.trace_hash(), recorded->trace_hash());
  if (result.violations_size() > 0) {
    std::cout << "the run violates " << result.violations(0).invariant()
              << ", as the recorded one did (every step matched)\n";
    return kExitViolation;
  }
  return kExitOk;
}

}  // namespace collabsim::apps
