// Recordings of runs (`run --record FILE`) and their replay (`replay FILE`):
// the case as it ran plus every step's digest, so the run can be executed
// again, on any machine or build, and checked step by step.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "recording.pb.h"
#include "sim/world.h"

namespace collabsim::apps {

// The recording of a run of `scenario` (as run: swarm faults applied).
recording::Recording MakeRecording(const std::string& scenario_arg, const scenario::Scenario& scenario,
                                   const std::string& engine, uint64_t seed, bool swarm,
                                   const std::vector<sim::StepRecord>& steps, const std::string& trace_hash);

// Writes it (binary Protobuf); an error names the path.
absl::Status WriteRecording(const std::string& path, const recording::Recording& recording);

// Reads and checks a recording: it decodes, its scenario passes validation,
// it names an engine, and its step columns have one entry per step each.
// InvalidArgument naming the file (and the field) otherwise.
absl::StatusOr<recording::Recording> ReadRecording(const std::string& path);
// The same from the file's bytes; `path` names it in errors.
absl::StatusOr<recording::Recording> ParseRecording(std::string_view bytes, const std::string& path);

// The steps, as the determinism self-check expects them.
std::vector<sim::StepRecord> StepsOf(const recording::Recording& recording);

}  // namespace collabsim::apps
