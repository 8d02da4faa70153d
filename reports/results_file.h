// Reads and writes results files: the Protobuf results schema in its JSON
// mapping, so any tool can read them and `report` can merge them back.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "results.pb.h"

namespace collabsim::reports {

std::string ResultsToJson(const results::ResultsFile& file);
std::string RunResultToJson(const results::RunResult& run);
// Writes atomically (temporary file, then rename) so a crash never leaves a
// half-written results file.
absl::Status WriteTextFile(const std::string& path, const std::string& contents);
absl::StatusOr<results::ResultsFile> ReadResultsFile(const std::string& path);

}  // namespace collabsim::reports
