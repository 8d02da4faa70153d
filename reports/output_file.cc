// Output files written whole, in place for non-regular files, with every
// error reported (see output_file.h).
#include "reports/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_format.h"

namespace collabsim::reports {
namespace {

absl::Status Failed(const std::string& path, const std::string& what, int error) {
  return absl::InvalidArgumentError(absl::StrFormat("cannot write %s: %s: %s", path, what, std::strerror(error)));
}

std::string Folder(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Writes all of `contents` to `fd` and closes it; the first error wins.
absl::Status WriteAllAndClose(int fd, const std::string& path, std::string_view contents) {
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t wrote = ::write(fd, contents.data() + done, contents.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      const int error = wrote < 0 ? errno : EIO;
      ::close(fd);
      return Failed(path, "write", error);
    }
    done += static_cast<size_t>(wrote);
  }
  if (::close(fd) != 0) return Failed(path, "close", errno);
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckWritable(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("an output path is empty");
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) {
    if (errno != ENOENT) return Failed(path, "lstat", errno);
    const std::string folder = Folder(path);
    struct stat folder_info {};
    if (::stat(folder.c_str(), &folder_info) != 0 || !S_ISDIR(folder_info.st_mode)) {
      return absl::InvalidArgumentError(absl::StrFormat("cannot write %s: folder %s does not exist", path, folder));
    }
    if (::access(folder.c_str(), W_OK | X_OK) != 0) return Failed(path, "folder " + folder, errno);
    return absl::OkStatus();
  }
  struct stat target {};
  if (::stat(path.c_str(), &target) == 0 && S_ISDIR(target.st_mode)) {
    return absl::InvalidArgumentError(absl::StrFormat("cannot write %s: it is a directory", path));
  }
  if (::access(path.c_str(), W_OK) != 0) {
    // A symlink to a missing file: writing through the link creates it.
    if (errno == ENOENT && S_ISLNK(info.st_mode)) return absl::OkStatus();
    return Failed(path, "access", errno);
  }
  if (S_ISREG(info.st_mode) && ::access(Folder(path).c_str(), W_OK | X_OK) != 0) {
    return Failed(path, "folder " + Folder(path), errno);
  }
  return absl::OkStatus();
}

absl::Status WriteTextFile(const std::string& path, std::string_view contents) {
  struct stat info {};
  const bool exists = ::lstat(path.c_str(), &info) == 0;
  if (!exists && errno != ENOENT) return Failed(path, "lstat", errno);
  if (exists && !S_ISREG(info.st_mode)) {
    // A device, pipe or symlink: write to it (creating a symlink's missing
    // target), never replace it.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return Failed(path, "open", errno);
    return WriteAllAndClose(fd, path, contents);
  }
  static std::atomic<uint64_t> counter{0};
  const std::string temporary = absl::StrFormat("%s.tmp-%d-%d", path, ::getpid(), counter.fetch_add(1));
  // O_EXCL: the temporary name is never a link someone placed there.
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return Failed(path, "create " + temporary, errno);
  if (exists) ::fchmod(fd, info.st_mode & 07777);  // keep the file's mode
  absl::Status written = WriteAllAndClose(fd, path, contents);
  if (written.ok() && ::rename(temporary.c_str(), path.c_str()) != 0) written = Failed(path, "rename", errno);
  if (!written.ok()) ::unlink(temporary.c_str());
  return written;
}

std::string FileNamePart(std::string_view name) {
  std::string part;
  for (const char c : name) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
    part += safe ? c : '_';
  }
  if (part.empty() || part[0] == '.') part.insert(part.begin(), '_');
  constexpr size_t kMaxBytes = 64;
  if (part.size() > kMaxBytes) {
    uint64_t hash = 1469598103934665603ULL;  // FNV-1a: fixed on every machine
    for (const char c : name) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    part = absl::StrFormat("%s-%016x", part.substr(0, kMaxBytes - 17), hash);
  }
  return part;
}

}  // namespace collabsim::reports
