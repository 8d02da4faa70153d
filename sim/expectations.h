// Service levels (`expect { ... }` in a scenario): the figures a bound can
// name, read from a run's results, and the bounds a run or a sweep broke.
// A bound over RUN is judged at the end of every run (an "expectation"
// violation); a bound over SEEDS on the mean of a sweep's runs of one
// engine (`check`, `compare`; `run` judges it on its one seed).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "results.pb.h"
#include "scenario.pb.h"

namespace collabsim::sim {

// The value of the figure an Expectation field names (edit_p99_ms, ...) in
// one run; nullopt when the run did not measure it (no presence channel).
// REQUIRES: `figure` is an upper-bound field of Expectation.
std::optional<double> ExpectationFigure(std::string_view figure, const results::RunResult& run);

// The upper-bound fields of Expectation, in field order.
const std::vector<std::string>& ExpectationFigures();

using Expectations = google::protobuf::RepeatedPtrField<scenario::Expectation>;

// The service levels a run is held to: the scenario's, or none for the ideal
// reference (`reference`: the floor the engines are held against, not a
// candidate).
const Expectations& ExpectationsFor(const scenario::Scenario& scenario, bool reference);

// Whether `block` applies to `engine` (its engine list is empty or names it).
bool AppliesTo(const scenario::Expectation& block, std::string_view engine);

// The mean of each figure (and probe count) over runs, for bounds over SEEDS.
class ExpectationMeans {
 public:
  void Add(const results::RunResult& run);
  size_t runs() const { return runs_; }

 private:
  friend std::vector<std::string> BrokenExpectations(const Expectations&, std::string_view, const ExpectationMeans&);
  size_t runs_ = 0;
  std::map<std::string, double, std::less<>> sums_;
  std::map<std::string, size_t, std::less<>> measured_;  // runs that measured the figure
  std::map<std::string, double, std::less<>> probe_sums_;
};

// One line per bound over RUN that `run` broke, e.g.
// "expect edit_p99_ms <= 200: measured 241.7".
std::vector<std::string> BrokenExpectations(const Expectations& expect, std::string_view engine,
                                            const results::RunResult& run);
// One line per bound over SEEDS that the mean broke, e.g.
// "expect edit_p99_ms <= 200 (mean over seeds): measured 241.7, mean of 10 runs".
std::vector<std::string> BrokenExpectations(const Expectations& expect, std::string_view engine,
                                            const ExpectationMeans& means);

}  // namespace collabsim::sim
