// JSON mapping of the results schema, and atomic file writes.
#include "reports/results_file.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"

namespace collabsim::reports {
namespace {
google::protobuf::util::JsonPrintOptions PrintOptions() {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  return options;
}
}  // namespace

std::string ResultsToJson(const results::ResultsFile& file) {
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(file, &json, PrintOptions());
  if (!status.ok()) return "{}";
  return json;
}

std::string RunResultToJson(const results::RunResult& run) {
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(run, &json, PrintOptions());
  if (!status.ok()) return "{}";
  return json;
}

absl::Status WriteTextFile(const std::string& path, const std::string& contents) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return absl::InvalidArgumentError(absl::StrFormat("cannot write %s", temporary));
    out << contents;
    out.flush();
    if (!out) return absl::InternalError(absl::StrFormat("error while writing %s", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return absl::InvalidArgumentError(absl::StrFormat("cannot move %s to %s", temporary, path));
  }
  return absl::OkStatus();
}

absl::StatusOr<results::ResultsFile> ReadResultsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrFormat("cannot read %s", path));
  std::stringstream contents;
  contents << in.rdbuf();
  results::ResultsFile file;
  const auto status = google::protobuf::util::JsonStringToMessage(contents.str(), &file);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: not a collabsim results file: %s", path,
                                                      std::string(status.message())));
  }
  return file;
}

}  // namespace collabsim::reports
