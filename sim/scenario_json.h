// JSON scenario files. Protobuf's own JSON parser reports no positions, so a
// JSON scenario is rewritten into the equivalent text format with every key
// and value kept at its original line and column; the text-format parser and
// the validator then report errors at the JSON file's own positions.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"

namespace collabsim::sim {

// Whether `text` (from a file named `source`) is JSON: a .json name, or a
// first non-blank character of '{'.
bool LooksLikeJson(std::string_view text, std::string_view source);

// Text format for the JSON object in `json`, whose schema is `type`. Keys may
// be proto field names or their lowerCamelCase JSON names; enum values may
// be quoted names; numbers may be quoted; null means "absent". Syntax errors
// and unknown keys are reported here as "source:line:col: ...".
absl::StatusOr<std::string> JsonToTextFormat(std::string_view json, std::string_view source,
                                             const google::protobuf::Descriptor& type);

// The scenario (or any message) as pretty JSON with proto field names, which
// JsonToTextFormat reads back.
std::string MessageToPrettyJson(const google::protobuf::Message& message);

}  // namespace collabsim::sim
