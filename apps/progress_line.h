// A long sweep's progress on stderr, shared by `check` and `compare`: on a
// terminal one line rewritten after every run; otherwise (a CI log) a plain
// line every 5% of the runs or every 10 s, whichever comes first, so a log
// shows that a long sweep is alive. Each line gives runs done, failures so
// far and the time left. The wall clock read here only paces these lines;
// no run sees it.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace collabsim::apps {

class ProgressLine {
 public:
  // `what` names the command ("check"), `unit` what is counted ("seeds").
  ProgressLine(std::string what, std::string unit, size_t total);

  // After each run, in order: `done` of the total, `failed` of them failed.
  void Update(size_t done, size_t failed);
  // Before printing a line of one's own to stderr or stdout: clears the
  // rewritten line on a terminal (it is drawn again by the next Update).
  void Clear();

 private:
  using Clock = std::chrono::steady_clock;
  std::string what_;
  std::string unit_;
  size_t total_;
  bool terminal_;
  Clock::time_point start_;
  Clock::time_point last_line_;
  size_t last_done_ = 0;  // runs done at the last plain line
};

}  // namespace collabsim::apps
