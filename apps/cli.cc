// Flag parsing (CLI11) and dispatch to the subcommands.
#include <iostream>
#include <tuple>

#include "CLI/CLI.hpp"
#include "apps/commands.h"
#include "apps/run_case.h"
#include "apps/seed_list.h"
#include "collabsim/version.h"

namespace collabsim::apps {
namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 every invariant held; 1 an invariant was violated (the seed and a command to\n"
    "reproduce it are printed); 2 bad input or usage (unknown flag, scenario file error, ...).";

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"collabsim: deterministic simulation and benchmark harness for real-time collaborative editing.\n"
               "Runs OT, CRDT and LWW engines inside a seeded network simulator, checks convergence and\n"
               "intent, and reports latency, bandwidth and memory.",
               "collabsim"};
  app.footer(kExitCodes);
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);

  RunFlags run_flags;
  CLI::App* run = app.add_subcommand("run", "Run one scenario with one engine and one seed; print a summary");
  run->add_option("--scenario", run_flags.scenario, "Built-in scenario name (see `list`) or a .textproto path")->required();
  run->add_option("--engine", run_flags.engine, "Engine name (see `list`)")->capture_default_str();
  // Seeds are read as text and parsed by the one seed parser `check
  // --seeds` uses, so "-1" or "" is refused rather than wrapped or zeroed.
  std::string run_seed = "1";
  run->add_option("--seed", run_seed, "Seed (0 to 2^64-1); the same seed gives the same run, bit for bit")
      ->capture_default_str();
  run->add_option("--json", run_flags.json_path, "Also write the results (JSON) to this file");
  run->add_flag("--swarm", run_flags.swarm, "Let the seed also draw extra faults (printed at the start)");
  run->add_option("--history", run_flags.history_path,
                  "Write a readable history (one line per event: intents, messages, faults) to this file; a run "
                  "that fails writes one anyway, named after the case");
  run->add_option("--record", run_flags.record_path,
                  "Write a recording of the run (the case and a digest of every step) to this file, for `replay`");
  run->add_flag("--verify-determinism", run_flags.verify_determinism,
                "Run the case twice in this process and compare a digest of every step; the first step that "
                "differs is a violation (takes twice as long)");
  run->footer(kExitCodes);

  CheckFlags check_flags;
  CLI::App* check = app.add_subcommand("check", "Run many seeds; one line per failure and a summary");
  check->add_option("--scenario", check_flags.scenario, "Built-in scenario name or a .textproto path")->required();
  check->add_option("--engine", check_flags.engine, "Engine name")->capture_default_str();
  check->add_option("--seeds", check_flags.seeds, "Seeds: a range 1-500, a list 1,5,9-12")->capture_default_str();
  check->add_flag("--swarm", check_flags.swarm, "Let each seed also draw extra faults");
  check->add_option("--jobs", check_flags.jobs, "Seeds run in parallel; the output does not depend on it")
      ->capture_default_str();
  check->add_flag("--verify-determinism", check_flags.verify_determinism,
                  "Run every seed twice and compare a digest of every step (takes twice as long)");
  check->add_option("--junit", check_flags.junit,
                    "Also write the result as JUnit XML to this file (one test case: scenario x engine; a failure "
                    "lists each failing seed with its reproduce command)");
  check->footer(kExitCodes);

  ShrinkFlags shrink_flags;
  CLI::App* shrink = app.add_subcommand(
      "shrink", "Reduce a failing seed to the smallest scenario file that still fails the same invariant");
  shrink->add_option("--scenario", shrink_flags.scenario, "Built-in scenario name or a .textproto path")->required();
  shrink->add_option("--engine", shrink_flags.engine, "Engine name")->capture_default_str();
  std::string shrink_seed = "1";
  shrink->add_option("--seed", shrink_seed, "The failing seed (see `check`)")->capture_default_str();
  shrink->add_flag("--swarm", shrink_flags.swarm, "The seed failed with --swarm; its extra faults become explicit");
  shrink->add_option("--out", shrink_flags.out,
                     "Scenario file to write (default: collabsim-shrunk-SCENARIO-ENGINE-seedN.textproto)");
  shrink->add_option("--max-runs", shrink_flags.max_runs,
                     "Stop after this many trial runs and write the smallest failing case found so far")
      ->capture_default_str();
  shrink->footer(
      "Takes out users, fault events and user actions (delta debugging), makes link delays constant and cuts\n"
      "the active phase, keeping each change only if the case still fails the same invariant. The workload is\n"
      "written as an explicit `script`, so `collabsim run --scenario FILE` reproduces the failure from the file.\n"
      "Exit codes: 0 the shrunk case was written and checked to fail; 1 the written file did not fail (a bug);\n"
      "2 bad input or usage, or the seed passes (nothing to shrink).");

  CLI::App* list = app.add_subcommand("list", "List built-in scenarios, engines and coverage probes");

  std::string show_name;
  CLI::App* show = app.add_subcommand("show", "Print a built-in scenario's file, to copy and edit");
  show->add_option("name", show_name, "Built-in scenario name")->required();
  bool show_json = false;
  show->add_flag("--json", show_json, "Print it as JSON (scenario files may be JSON too)");

  CompareFlags compare_flags;
  CLI::App* compare = app.add_subcommand(
      "compare", "Run scenarios x engines x seeds; write results.json/.csv, summary.md and index.html with charts");
  compare->add_option("--suite", compare_flags.suite,
                      "'default' (every built-in scenario), a .textproto file, or a directory of them")
      ->capture_default_str();
  compare->add_option("--engines", compare_flags.engines, "Engines, comma-separated; default: every engine")->delimiter(',');
  compare->add_option("--seeds", compare_flags.seeds, "Seeds per scenario and engine")->capture_default_str();
  compare->add_option("--jobs", compare_flags.jobs, "Runs in parallel; results do not depend on it")->capture_default_str();
  compare->add_option("--shard", compare_flags.shard, "Run only slice I of N (I/N); merge slices with `report`")
      ->capture_default_str();
  compare->add_option("--out", compare_flags.out_dir, "Output directory")->capture_default_str();
  compare->add_option("--gnuplot", compare_flags.gnuplot, "gnuplot command used for charts")->capture_default_str();
  compare->add_flag("--swarm", compare_flags.swarm, "Let each seed also draw extra faults");
  compare->add_flag("--adaptive", compare_flags.adaptive,
                    "Seeds per scenario: the first 3 of --seeds, then 2 more at a time until every engine's key "
                    "figures have a 95% interval within 10% of their mean, or --seeds runs out");
  compare->add_option("--baseline", compare_flags.baseline,
                      "An earlier results.json: print (and add to summary.md) what changed significantly");
  compare->add_option("--fail-on", compare_flags.fail_on,
                      "With --baseline: exit 1 when a figure worsens significantly past a bound, e.g. "
                      "'p99_ms>+10%,wire_bytes_per_edit>+5%'");
  compare->footer(kExitCodes);

  DiffFlags diff_flags;
  CLI::App* diff = app.add_subcommand(
      "diff", "Compare two results.json files: what changed significantly, per scenario x engine and figure");
  diff->add_option("baseline", diff_flags.baseline, "The earlier results.json")->required();
  diff->add_option("current", diff_flags.current, "The newer results.json")->required();
  diff->add_option("--fail-on", diff_flags.fail_on,
                   "Exit 1 when a figure worsens significantly past a bound, e.g. 'p99_ms>+10%,wire_bytes_per_edit>+5%'");
  diff->footer(kExitCodes);

  TraceFlags trace_flags;
  CLI::App* trace = app.add_subcommand(
      "trace", "Replay a recorded editing trace (.json.gz, editing-traces format) through an engine and time it");
  trace->add_option("--engine", trace_flags.engine, "Engine name")->capture_default_str();
  trace->add_option("file", trace_flags.path,
                    "Trace, e.g. automerge-paper.json.gz (sequential), or A1.json.gz (concurrent: --engine egwalker)")
      ->required();
  trace->footer(kExitCodes);

  ReplayFlags replay_flags;
  CLI::App* replay = app.add_subcommand(
      "replay", "Run a recorded case (run --record) again and check every step against the recording; name the "
                "first step that differs");
  replay->add_option("file", replay_flags.path, "Recording written by run --record")->required();
  replay->footer(kExitCodes);

  ReportFlags report_flags;
  CLI::App* report = app.add_subcommand("report", "Rebuild the report from saved results files, merging them (e.g. shards)");
  report->add_option("results", report_flags.inputs, "results.json files")->required();
  report->add_option("--out", report_flags.out_dir, "Output directory")->capture_default_str();
  report->add_option("--gnuplot", report_flags.gnuplot, "gnuplot command used for charts")->capture_default_str();
  report->footer(kExitCodes);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  for (auto [command, text, seed] : {std::tuple{run, &run_seed, &run_flags.seed},
                                     std::tuple{shrink, &shrink_seed, &shrink_flags.seed}}) {
    if (!command->parsed()) continue;
    absl::StatusOr<uint64_t> parsed = ParseSeed(*text);
    if (!parsed.ok()) {
      std::cerr << "collabsim " << command->get_name() << ": " << parsed.status().message() << "\n";
      return kExitBadInput;
    }
    *seed = *parsed;
  }
  if (run->parsed()) return RunCommand(run_flags);
  if (check->parsed()) return CheckCommand(check_flags);
  if (diff->parsed()) return DiffCommand(diff_flags);
  if (list->parsed()) return ListCommand();
  if (show->parsed()) return ShowCommand(show_name, show_json);
  if (compare->parsed()) return CompareCommand(compare_flags);
  if (report->parsed()) return ReportCommand(report_flags);
  if (trace->parsed()) return TraceCommand(trace_flags);
  if (replay->parsed()) return ReplayCommand(replay_flags);
  if (shrink->parsed()) return ShrinkCommand(shrink_flags);
  return kExitBadInput;
}

}  // namespace collabsim::apps
