// The subcommands of `collabsim`. Each returns a process exit code:
// 0 all invariants held, 1 an invariant was violated, 2 bad input or usage.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace collabsim::apps {

struct RunFlags {
  std::string scenario;
  std::string engine = "ot";
  uint64_t seed = 1;
  std::string json_path;
};
int RunCommand(const RunFlags& flags);

struct CheckFlags {
  std::string scenario;
  std::string engine = "ot";
  std::string seeds = "1-100";
};
int CheckCommand(const CheckFlags& flags);

int ListCommand();

struct CompareFlags {
  std::vector<std::string> scenarios;  // empty: every built-in scenario
  std::vector<std::string> engines;    // empty: every engine
  std::string seeds = "1-5";
  std::string out_dir = "collabsim-compare";
};
int CompareCommand(const CompareFlags& flags);

// Parses argv and dispatches; the whole program.
int Main(int argc, char** argv);

}  // namespace collabsim::apps
