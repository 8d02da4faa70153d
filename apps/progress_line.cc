// See progress_line.h.
#include "apps/progress_line.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "absl/strings/str_format.h"

namespace collabsim::apps {
namespace {

constexpr auto kPlainInterval = std::chrono::seconds(10);

std::string Duration(double seconds) {
  const auto whole = static_cast<long long>(seconds + 0.5);
  if (whole < 60) return absl::StrFormat("%ds", whole);
  if (whole < 3600) return absl::StrFormat("%dm%02ds", whole / 60, whole % 60);
  return absl::StrFormat("%dh%02dm", whole / 3600, whole / 60 % 60);
}

}  // namespace

ProgressLine::ProgressLine(std::string what, std::string unit, size_t total)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      terminal_(isatty(STDERR_FILENO) != 0),
      start_(Clock::now()),
      last_line_(start_) {}

void ProgressLine::Update(size_t done, size_t failed) {
  const Clock::time_point now = Clock::now();
  const size_t step = std::max<size_t>(1, total_ / 20);  // 5%
  const bool finished = done == total_;
  if (!terminal_ && !finished && done - last_done_ < step && now - last_line_ < kPlainInterval) return;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double left = done == 0 ? 0 : elapsed / static_cast<double>(done) * static_cast<double>(total_ - done);
  const std::string line = absl::StrFormat("[%s] %d/%d %s, %d failed, %s", what_, done, total_, unit_, failed,
                                           finished ? "took " + Duration(elapsed) : "about " + Duration(left) + " left");
  if (terminal_) {
    std::cerr << "\r\033[K" << line << (finished ? "\n" : "") << std::flush;
  } else {
    std::cerr << line << "\n" << std::flush;
  }
  last_line_ = now;
  last_done_ = done;
}

void ProgressLine::Clear() {
  if (terminal_) std::cerr << "\r\033[K" << std::flush;
}

}  // namespace collabsim::apps
