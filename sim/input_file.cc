// Capped reads of input files, and a nesting check for JSON (see
// input_file.h).
#include "sim/input_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace collabsim::sim {

std::string DescribeBytes(size_t bytes) {
  if (bytes % (size_t{1} << 20) == 0) return absl::StrFormat("%d MiB", bytes >> 20);
  return absl::StrFormat("%d bytes", bytes);
}

absl::StatusOr<std::string> ReadInputFile(const std::string& path, size_t max_bytes, std::string_view what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(absl::StrFormat("cannot read %s: %s", path, std::strerror(errno)));
  }
  if (S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: is a directory, not a %s", path, what));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrFormat("cannot read %s", path));
  std::string contents;
  char buffer[1 << 16];
  while (in && contents.size() <= max_bytes) {
    in.read(buffer, static_cast<std::streamsize>(sizeof(buffer)));
    contents.append(buffer, static_cast<size_t>(in.gcount()));
  }
  if (contents.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: %s larger than %s (the limit for a %s)", path, what, DescribeBytes(max_bytes), what));
  }
  if (in.bad()) return absl::InvalidArgumentError(absl::StrFormat("%s: read error", path));
  return contents;
}

absl::Status CheckJsonNesting(std::string_view json, std::string_view source, int max_depth) {
  int depth = 0, line = 1, column = 0;
  bool in_string = false, escaped = false;
  for (const char c : json) {
    ++column;
    if (c == '\n') {
      ++line;
      column = 0;
    }
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s:%d:%d: nested more than %d levels deep (the limit for this kind of file)", std::string(source),
            line, column, max_depth));
      }
    }
    if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  return absl::OkStatus();
}

}  // namespace collabsim::sim
