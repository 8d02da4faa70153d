// Files the commands write for the user (results, recordings, reports,
// histories, shrunk scenarios, JUnit XML): a regular file is written whole
// or not at all, anything else (a device, a pipe, a symlink's target) is
// written in place and never replaced, and every error names the path.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace collabsim::reports {

// Whether `path` can be written, decided without creating, emptying or
// replacing anything: a missing path needs a writable folder; a directory
// is refused. Commands call it before long work, so a bad path fails at
// once. (Root passes permission checks, so a write can still fail later:
// WriteTextFile reports it.)
absl::Status CheckWritable(const std::string& path);

// Writes `contents` to `path`. A missing path or a regular file is written
// to a fresh temporary file beside it and renamed over it, so a crash never
// leaves half a file; any other kind of file is opened and written as it
// is (a symlink is written through). Any error (a full disk, a short
// write, a failed close or rename) is an InvalidArgument error naming the
// path, and the temporary file is removed.
absl::Status WriteTextFile(const std::string& path, std::string_view contents);

// `name` as one safe component of a file name: ASCII letters, digits, '.',
// '_' and '-' kept, every other byte '_', no leading '.', at most 64 bytes
// (then a hash of the whole name, so names that share a long prefix stay
// apart). For file names built from scenario and engine names.
std::string FileNamePart(std::string_view name);

}  // namespace collabsim::reports
