// Delta debugging for a failing run: turns (scenario, engine, seed) into the
// smallest scenario found that still fails the same invariant, with the
// workload written out as an explicit `script` so `collabsim run` reproduces
// it from the file alone.
//
// Steps: record the run's user actions as a script (replaying it must give
// the same failure); then, until nothing more can go, take out users, fault
// events and script actions (ddmin: halves, then quarters, ... then single
// items), replace link delay distributions by constants, and cut the active
// phase down to where things happen. A change is kept only if the case still
// fails the same invariant.
//
// Determinism: every candidate is a run of the simulator with the same seed,
// so the shrunk case is a function of (scenario, engine, seed, max_runs).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engines/common/engine.h"
#include "scenario.pb.h"

namespace collabsim::sim {

// How big a case is.
struct CaseSize {
  uint32_t users = 0;
  uint64_t actions = 0;  // script actions (or, before the first step, intents)
  uint64_t faults = 0;   // offline windows, partitions, storms, crashes, plus drops and clock skew if on
  double active_s = 0;
  std::string Describe() const;  // "5 users, 1,234 actions, 3 faults, 600 s active"
};

struct ShrinkOptions {
  // Stop reducing after this many runs and write the smallest case so far.
  uint64_t max_runs = 5000;
  // Gets one line per step taken and per pass (for a progress display).
  std::function<void(const std::string&)> progress;
};

struct ShrinkResult {
  scenario::Scenario scenario;  // the smallest failing case found
  std::string invariant;        // the invariant it fails, as the original did
  std::string detail;           // what the shrunk case's violation says
  CaseSize before;
  CaseSize after;
  std::vector<std::string> steps;  // each kept change, in order
  uint64_t runs = 0;
  bool budget_exhausted = false;
};

// REQUIRES: `scenario` passed validation and applies to `engine`. Fails with
// FailedPrecondition if the case passes (there is nothing to shrink).
absl::StatusOr<ShrinkResult> Shrink(const scenario::Scenario& scenario, const Engine& engine, uint64_t seed,
                                    const ShrinkOptions& options = {});

// The smallest subset of 0..n-1 (in order) for which `fails` holds, found by
// delta debugging: remove chunks (last first), halving the chunk size when
// no chunk can go. REQUIRES: `fails` holds for the whole set. `fails` may
// return false for any subset it will not try (a spent budget).
std::vector<size_t> MinimizeSubset(size_t n, const std::function<bool(const std::vector<size_t>&)>& fails);

}  // namespace collabsim::sim
