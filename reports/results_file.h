// Reads and writes results files: the Protobuf results schema in its JSON
// mapping, so any tool can read them and `report` can merge them back.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reports/output_file.h"
#include "results.pb.h"

namespace collabsim::reports {

std::string ResultsToJson(const results::ResultsFile& file);
std::string RunResultToJson(const results::RunResult& run);
// Reads a results file strictly: JSON types as the schema says (a bool is
// true or false, never "yes"), at least one run, names without control
// characters, 0 or 101 latency quantiles; errors name the file and field.
absl::StatusOr<results::ResultsFile> ReadResultsFile(const std::string& path);
// The same from the file's text; `path` names it in errors.
absl::StatusOr<results::ResultsFile> ParseResultsFile(std::string_view json_text, const std::string& path);

}  // namespace collabsim::reports
