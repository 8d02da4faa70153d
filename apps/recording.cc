// Writing, reading and checking recordings (see recording.h).
#include "apps/recording.h"


#include "absl/strings/str_format.h"
#include "collabsim/version.h"
#include "google/protobuf/text_format.h"
#include "reports/results_file.h"
#include "sim/input_file.h"
#include "sim/scenario_loader.h"

namespace collabsim::apps {

recording::Recording MakeRecording(const std::string& scenario_arg, const scenario::Scenario& scenario,
                                   const std::string& engine, uint64_t seed, bool swarm,
                                   const std::vector<sim::StepRecord>& steps, const std::string& trace_hash) {
  recording::Recording r;
  r.set_collabsim_version(kVersion);
  r.set_scenario_arg(scenario_arg);
  *r.mutable_scenario() = scenario;
  r.set_engine(engine);
  r.set_seed(seed);
  r.set_swarm(swarm);
  for (const sim::StepRecord& step : steps) {
    r.add_step_digest(step.digest);
    r.add_step_time_ns(step.time);
    r.add_step_kind(step.kind);
    r.add_step_node(step.node);
    r.add_step_to(step.to);
  }
  r.set_trace_hash(trace_hash);
  return r;
}

absl::Status WriteRecording(const std::string& path, const recording::Recording& recording) {
  // Written whole to a temporary file and renamed, as results files are.
  return reports::WriteTextFile(path, recording.SerializeAsString());
}

absl::StatusOr<recording::Recording> ReadRecording(const std::string& path) {
  absl::StatusOr<std::string> bytes = sim::ReadInputFile(path, sim::kMaxRecordingBytes, "recording");
  if (!bytes.ok()) return absl::InvalidArgumentError(bytes.status().message());
  return ParseRecording(*bytes, path);
}

absl::StatusOr<recording::Recording> ParseRecording(std::string_view bytes, const std::string& path) {
  recording::Recording r;
  if (bytes.size() > sim::kMaxRecordingBytes || !r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: not a collabsim recording (undecodable)", path));
  }
  if (r.engine().empty()) return absl::InvalidArgumentError(absl::StrFormat("%s: field engine is empty", path));
  if (r.trace_hash().empty()) return absl::InvalidArgumentError(absl::StrFormat("%s: field trace_hash is empty", path));
  const int steps = r.step_digest_size();
  if (steps == 0) return absl::InvalidArgumentError(absl::StrFormat("%s: field step_digest is empty", path));
  const struct {
    const char* name;
    int size;
  } columns[] = {{"step_time_ns", r.step_time_ns_size()},
                 {"step_kind", r.step_kind_size()},
                 {"step_node", r.step_node_size()},
                 {"step_to", r.step_to_size()}};
  for (const auto& [name, size] : columns) {
    if (size != steps) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: field %s has %d entries, step_digest %d", path, name, size, steps));
    }
  }
  // The recorded scenario must be one the simulator accepts: validate it as
  // text, as any scenario file is.
  std::string text;
  google::protobuf::TextFormat::PrintToString(r.scenario(), &text);
  absl::StatusOr<scenario::Scenario> valid = sim::ParseScenario(text, path + " (recorded scenario)");
  if (!valid.ok()) return valid.status();
  return r;
}

std::vector<sim::StepRecord> StepsOf(const recording::Recording& r) {
  std::vector<sim::StepRecord> steps(static_cast<size_t>(r.step_digest_size()));
  for (int k = 0; k < r.step_digest_size(); ++k) {
    steps[k] = sim::StepRecord{r.step_digest(k), r.step_time_ns(k), r.step_kind(k), r.step_node(k), r.step_to(k)};
  }
  return steps;
}

}  // namespace collabsim::apps
