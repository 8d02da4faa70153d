// The subcommands of `collabsim`. Each returns a process exit code:
// 0 all invariants held, 1 an invariant was violated, 2 bad input or usage.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <string>
#include <vector>

namespace collabsim::apps {

struct RunFlags {
  std::string scenario;
  std::string engine = "ot";
  uint64_t seed = 1;
  std::string json_path;
  bool swarm = false;
  bool verify_determinism = false;
  std::string history_path;  // write the run's history here when set
  std::string record_path;   // write a recording (for `replay`) here when set
};
int RunCommand(const RunFlags& flags);

struct CheckFlags {
  std::string scenario;
  std::string engine = "ot";
  std::string seeds = "1-100";
  bool swarm = false;
  bool verify_determinism = false;
  std::string junit;  // write JUnit XML here when set
  int jobs = 1;       // seeds run at once; the output does not depend on it
};
int CheckCommand(const CheckFlags& flags);

int ListCommand();
int ShowCommand(const std::string& name, bool json);

struct CompareFlags {
  std::string suite = "default";     // default | FILE | DIR
  std::vector<std::string> engines;  // empty: every engine
  std::string seeds = "1-10";
  int jobs = 1;
  std::string shard = "1/1";
  std::string out_dir = "collabsim-compare";
  std::string gnuplot = "gnuplot";
  bool swarm = false;
  std::string baseline;  // an earlier results.json to compare with (empty: none)
  std::string fail_on;   // e.g. "p99_ms>+10%,wire_bytes_per_edit>+5%"
  bool adaptive = false;  // seeds per scenario, with --seeds as the cap
};
int CompareCommand(const CompareFlags& flags);

struct DiffFlags {
  std::string baseline;
  std::string current;
  std::string fail_on;
};
int DiffCommand(const DiffFlags& flags);

struct ReportFlags {
  std::vector<std::string> inputs;
  std::string out_dir = "collabsim-report";
  std::string gnuplot = "gnuplot";
};
int ReportCommand(const ReportFlags& flags);

struct ReplayFlags {
  std::string path;
};
int ReplayCommand(const ReplayFlags& flags);

struct ShrinkFlags {
  std::string scenario;
  std::string engine = "ot";
  uint64_t seed = 1;
  bool swarm = false;
  std::string out;  // default: collabsim-shrunk-SCENARIO-ENGINE-seedN.textproto
  uint64_t max_runs = 5000;
};
int ShrinkCommand(const ShrinkFlags& flags);

struct TraceFlags {
  std::string engine = "crdt";
  std::string path;
};
int TraceCommand(const TraceFlags& flags);

// Parses argv and dispatches; the whole program.
int Main(int argc, char** argv);

}  // namespace collabsim::apps
