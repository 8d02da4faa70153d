// Input files (scenarios, traces, recordings, results) read with a size
// cap, so a device such as /dev/zero, a directory or a huge file is a clear
// error instead of a read that never ends or exhausts memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace collabsim::sim {

// Caps per kind of input: far above any real file of that kind.
inline constexpr size_t kMaxScenarioBytes = size_t{16} << 20;
inline constexpr size_t kMaxTraceBytes = size_t{128} << 20;  // after decompression
inline constexpr size_t kMaxRecordingBytes = size_t{256} << 20;
inline constexpr size_t kMaxResultsBytes = size_t{256} << 20;

// The whole of `path`, or an error naming it: missing or unreadable, a
// directory, or longer than `max_bytes` (`what` names the kind of file in
// that message, e.g. "scenario file"). Reads at most max_bytes + 1 bytes.
absl::StatusOr<std::string> ReadInputFile(const std::string& path, size_t max_bytes, std::string_view what);

// "16 MiB" for a byte count that is a whole number of MiB, else "N bytes".
std::string DescribeBytes(size_t bytes);

// The deepest nesting of [ ] and { } in a JSON text (outside strings) must
// stay within `max_depth`; otherwise an error at the line and column where
// it goes deeper. Parsers that recurse are only handed checked text.
absl::Status CheckJsonNesting(std::string_view json, std::string_view source, int max_depth);

// Nesting allowed in scenario files (text format or JSON) and traces: real
// ones nest 6 levels at most.
inline constexpr int kMaxNesting = 32;

}  // namespace collabsim::sim
